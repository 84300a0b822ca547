"""The one scope every metric and check reads: a workspace, a period, some coaches, a policy.

Frames several metrics or checks share (the period's sessions, held sessions with their
engagement and attendees, active client-months, per-coach cubes, the per-day frames checks
start from) are built once per scope. Nothing else in the package filters sessions by period.

Held sessions, by name:
- `held_in_period()`: held in the period, the columns metrics use, with the engagement's format;
- `held_to_end()`: held up to the period end, every column (the history a check looks back over);
- `held_before_period()`: held before the period starts, every column;
- `within_period(sessions)`: the rows of a session frame (any status, or a per-day frame built
  from held sessions: `coach_days()`, `group_days()`) held in the period, or whose deadline
  (`shift_days` after the session) falls in it.

Dates: a record belongs to the period when its date falls in it (both ends inclusive);
standing ("as of") is judged at the period end, and records dated after it are not seen.
"""

from __future__ import annotations

import calendar
import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from trc_analytics.errors import UnknownId, unknown_id_message
from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace

By = Literal["coach", "region"]
#: Id columns the scope holds as categoricals (one code per distinct id, shared by every frame
#: of the process), so the plans join, group and de-duplicate on 32-bit codes instead of
#: hashing text: coaches, clients, engagements and groups are what nearly every plan joins on.
#: Results turn them back into text (a metric's declared columns, a check's findings).
CODED = ("coach_id", "client_id", "engagement_id", "group_id", "supervisor_id")
#: Columns coded like the ids though they are not ids: the sessions' `currency` (one or a few
#: values over millions of rows; as text it took 16 bytes a session, 78 MiB at 5M sessions).
#: Only `held_in_period` reads it, in the ids' dtype; value_given turns it back into text.
CODED_TOO = ("currency",)
#: The dtype of a coded id column inside the scope's frames.
ID = pl.Categorical()
KEYS: dict[str, str] = {"coach": "coach_id", "region": "region"}
#: Coded copies of workspace tables by the id of the table's frame, each dropped with its
#: frame: every scope over the same records (a report makes several, a batch one per coach)
#: casts a table once, not once per scope (0.15 s at 1M sessions, 1.2 s at 5M).
_CODED: dict[int, tuple[weakref.ref[pl.DataFrame], pl.DataFrame]] = {}


def is_coded(df: pl.DataFrame) -> bool:
    """An earlier scope has coded this frame already: its coded copy costs nothing now."""
    hit = _CODED.get(id(df))
    return hit is not None and hit[0]() is df


#: A scope asked for fewer metrics and checks than this keeps its ids as text. Coding is a
#: fixed cost paid before the first plan (3-8 s CPU at 5M sessions, most of it the sessions'
#: client and engagement ids); each metric or check then runs about 0.15 s faster on codes
#: (the whole catalogue, 53 metrics and 26 checks: 21.5 s CPU against 33.3 s on text). Break-
#: even is at 25-55 of them; the headline set (five metrics, one check) is far below it. See
#: docs/decisions.md, "Issue 13: the headline and the catalogue, fourth pass".
CODES_FROM_PLANS = 30


def codes_pay(ws: Workspace, plans: int | None) -> bool:
    """Whether a scope asked for `plans` plans (None: every metric or check) codes its ids:
    for the whole catalogue or `CODES_FROM_PLANS` plans and more, or when an earlier scope has
    coded the sessions already (a report's later scopes then reuse the codes at no cost).
    The one place that decides; results are the same either way (ids come back as text)."""
    if plans is None or plans >= CODES_FROM_PLANS:
        return True
    if ws.is_kept("sessions", _coded_scan):  # held as a scan, read coded already
        return True
    sessions = ws.tables.get("sessions")  # not `get`: that would read a scanned table whole
    return sessions is not None and is_coded(sessions)


def coded(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with its `CODED` id columns (and `CODED_TOO`) as categoricals, cast once per frame
    (see `_CODED`)."""
    columns = [c for c in (*CODED, *CODED_TOO) if c in df.columns]
    if not columns:
        return df
    if is_coded(df):
        return _CODED[id(df)][1]
    out = df.with_columns(pl.col(c).cast(ID) for c in columns)
    _CODED[id(df)] = (weakref.ref(df), out)
    weakref.finalize(df, _CODED.pop, id(df), None)
    return out


def _coded_scan(lf: pl.LazyFrame) -> pl.LazyFrame:
    """A scanned workspace table with its `CODED` id columns as categoricals, cast as it is
    read (`Workspace.kept_as` keeps the result: the ids' text is never held whole)."""
    names = lf.collect_schema().names()
    return lf.with_columns(pl.col(c).cast(ID) for c in (*CODED, *CODED_TOO) if c in names)


#: Session fee types by which a client pays a fee (a reduced fee is still a fee).
FEE_PAYING = ("paid", "reduced")
#: Coach flags that mean "yes" only when recorded as true.
COACH_FLAGS = (
    "therapy_licensed",
    "trained_minors",
    "trained_couples_families",
    "active",
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the month's last day (as polars does)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def date_lit(day: dt.date) -> pl.Expr:
    """A date literal with the Date dtype."""
    return pl.lit(day, dtype=pl.Date())


def days(n: int) -> pl.Expr:
    """A duration of `n` days, to add to a date column."""
    return pl.duration(days=n)


@dataclass
class Scope:
    """What a metric looks at: the workspace, period, coaches, grouping and policy.

    Frames shared by several metrics (the period's sessions, held sessions with their
    engagement and attendees, active client-months, per-coach cubes) are built once per scope
    and reused, so computing every metric passes over the sessions a handful of times only.
    """

    ws: Workspace
    period: Period
    policy: Policy = field(default_factory=Policy)
    coaches: tuple[str, ...] | None = None
    by: By = "coach"
    #: Whether the `CODED` id columns are categoricals in this scope's frames (`codes_pay`
    #: decides in `make`); text otherwise. Every frame of one scope has the same dtype.
    codes: bool = True
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def make(
        cls,
        ws: Workspace,
        period: Period,
        *,
        coaches: Sequence[str] | str | None = None,
        by: By = "coach",
        policy: Policy | None = None,
        plans: int | None = None,
    ) -> Scope:
        """Check the arguments once: known grouping, coach ids that exist in `coaches`.
        `plans`: how many metrics or checks the scope is made for (None: all of them), which
        decides whether it codes its ids (`codes_pay`)."""
        if by not in KEYS:
            raise ValueError(f"by must be 'coach' or 'region', got {by!r}")
        if isinstance(coaches, str):
            coaches = (coaches,)
        if coaches is not None:
            coaches = tuple(dict.fromkeys(coaches))
            known = (
                set(ws["coaches"].get_column("coach_id").to_list()) if "coaches" in ws else set()
            )
            unknown = [c for c in coaches if c not in known]
            if unknown:
                raise UnknownId(unknown_id_message("coach", unknown, sorted(known)))
        return cls(
            ws=ws,
            period=period,
            policy=policy or Policy(),
            coaches=coaches,
            by=by,
            codes=codes_pay(ws, plans),
        )

    # keys and filters

    @property
    def key(self) -> str:
        """Name of the group-key column: coach_id or region."""
        return KEYS[self.by]

    @property
    def start(self) -> pl.Expr:
        """The period's first day, as a date literal."""
        return date_lit(self.period.start)

    @property
    def end(self) -> pl.Expr:
        """The period's last day, as a date literal."""
        return date_lit(self.period.end)

    @property
    def as_of(self) -> pl.Expr:
        """The date standing is judged at: the period end."""
        return date_lit(self.period.as_of)

    def in_period(self, column: str | pl.Expr, shift_days: int = 0) -> pl.Expr:
        """The date (plus `shift_days`) falls within the period, both ends included."""
        col = pl.col(column) if isinstance(column, str) else column
        lag = dt.timedelta(days=shift_days)
        return col.is_between(
            date_lit(self.period.start - lag), date_lit(self.period.end - lag), closed="both"
        )

    def in_last_months(self, column: str, months: int) -> pl.Expr:
        """The date falls in the `months` whole months up to the as-of date (after the day
        `months` months before it, up to and including as-of): credential progress counts the
        hours of the last 18 months, and its pace from the last 6."""
        since = date_lit(add_months(self.period.as_of, -months))
        return (pl.col(column) > since) & (pl.col(column) <= self.as_of)

    def seen(self, column: str) -> pl.Expr:
        """The date column, or null when it lies after the as-of date (not yet known then)."""
        return pl.when(pl.col(column) <= self.as_of).then(pl.col(column))

    def has(self, name: str) -> bool:
        """The workspace has this table."""
        return name in self.ws

    @property
    def id_dtype(self) -> pl.DataType:
        """The dtype of the `CODED` id columns in this scope's frames (`ID` or text): empty
        stand-ins and null placeholders that meet them take it."""
        return ID if self.codes else pl.String()

    def frame(self, name: str) -> pl.LazyFrame:
        """A table of the workspace, every coach's rows; when the scope `codes`, its `CODED` id
        columns are categoricals (cast once per table, whatever the scope: `coded`; the other
        columns are the workspace's own, not copied). A table held as a scan of its file is
        read once with its ids coded (`Workspace.kept_as`: its text is never held whole), or,
        for a scope on text ids, scanned lazily (only the columns a plan uses are read). An
        absent table is an empty frame with its columns."""
        if self.codes:
            held = self.ws.kept_as(name, _coded_scan)
            if held is not None:
                return held.lazy()
        elif name in self.ws.scans and name not in self.ws.tables:
            return self.ws.lazy(name)
        df = self.ws.get(name)
        if df is None:
            df = pl.DataFrame(schema=self.ws.schema[name].polars_schema)
        return (coded(df) if self.codes else df).lazy()

    def table(self, name: str) -> pl.LazyFrame:
        """A table of the workspace (ids coded, see `frame`), restricted to the coaches in
        scope. An absent table is an empty frame with its columns."""
        lf = self.frame(name)
        if self.coaches is not None and "coach_id" in lf.collect_schema().names():
            lf = lf.filter(pl.col("coach_id").is_in(self.coaches))
        return lf

    def coach_region(self) -> pl.LazyFrame:
        """coach_id and region of every coach in scope."""
        return self.table("coaches").select("coach_id", "region")

    def keys(self) -> pl.LazyFrame:
        """One row per group key in scope (every coach, or every region of those coaches)."""
        return self.coach_region().select(self.key).unique()

    def keyed(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """Add the region to rows that have a coach_id, when grouping by region."""
        if self.by == "coach":
            return lf
        return lf.join(self.coach_region(), on="coach_id", how="inner")

    def with_region(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """Add the coach's region (case-level metrics always carry it), keeping the rows' order
        (a left join need not keep it, and a metric's rows must come out the same every run)."""
        return lf.join(self.coach_region(), on="coach_id", how="left", maintain_order="left")

    def months(self) -> pl.LazyFrame:
        """First day of every month the period touches."""
        return pl.LazyFrame({"month": self.period.months()}, schema={"month": pl.Date()})

    def complete(
        self,
        lf: pl.LazyFrame,
        by: Sequence[str],
        fill: Sequence[str],
        *,
        grid: pl.LazyFrame | None = None,
    ) -> pl.LazyFrame:
        """Left-join `lf` onto a grid of every key (x grid), filling counts with zero."""
        frame = self.keys().join(grid, how="cross") if grid is not None else self.keys()
        return (
            frame.join(lf, on=list(by), how="left")
            .with_columns(pl.col(c).fill_null(0) for c in fill)
            .sort(list(by))
        )

    # shared frames, built once per scope

    def cached(self, name: str, build: Callable[[], pl.LazyFrame]) -> pl.LazyFrame:
        """Materialise a frame several metrics use, once per scope."""
        if name not in self._cache:
            self._cache[name] = build().collect()
        return self._cache[name].lazy()

    def sessions_in_period(self) -> pl.LazyFrame:
        """Sessions of the period, every status, with only the columns metrics use.

        Columns: coach_id, engagement_id, client_id, held_on, hours (duration_min / 60),
        status, fee_type, fee_amount, currency, area, delivery. Not kept in memory: filtering
        the loaded table again costs less than holding a copy of it.
        """
        read = [c for c in self._READ if c not in ("coach_id", "duration_min")]
        return (
            self.table("sessions")
            .filter(self.in_period("held_on"))
            .select("coach_id", "engagement_id", *read, hours=pl.col("duration_min") / 60.0)
        )

    def held_in_period(self) -> pl.LazyFrame:
        """Held sessions of the period with their engagement's `format`, `group_id` and
        `within_engagement` (held between the engagement's start and end).

        Columns: coach_id, client_id, held_on, fee_type, fee_amount, currency, area, delivery,
        hours, format, group_id, within_engagement. Vocabulary columns (area, fee_type,
        delivery, format) are `Enum`s, as in the workspace: compare them with strings as usual,
        and join them with `dtype(column)`. `currency` has the ids' dtype (`id_dtype`).

        A filter of `engaged_sessions()`, not a copy: over a long period nearly every session
        is held in it, and holding them again beside the sessions took 190 MiB at 5M sessions;
        each plan filtering the held sessions' columns it reads costs less than that copy.
        When the sessions are not in memory (a scope on text ids over a scanned table) they
        are read once and held, as before.
        """
        held = (pl.col("status") == "held") & self.in_period("held_on")
        if self._sessions_in_memory():
            return self.engaged_sessions().filter(held).select(self._HELD)
        sessions = self.table("sessions").filter(held).select("engagement_id", *self._READ)
        return self.cached("held_in_period", lambda: self._held(sessions).select(self._HELD))

    _HELD = (
        "coach_id",
        "client_id",
        "held_on",
        "fee_type",
        "fee_amount",
        "currency",
        "area",
        "delivery",
        pl.col("duration_min").truediv(60.0).alias("hours"),
        "format",
        "group_id",
        "within_engagement",
    )

    def dtype(self, column: str) -> pl.DataType:
        """The dtype a column of `held_in_period()` has (its vocabulary's Enum, or text)."""
        return self.held_in_period().collect_schema()[column]

    def _sessions_in_memory(self) -> bool:
        """The scope's sessions are a frame in memory (coded, or read whole), not a scan."""
        ws = self.ws
        return self.codes or "sessions" not in ws.scans or "sessions" in ws.tables

    def engaged_sessions(self) -> pl.LazyFrame:
        """Every session of the scope (every status and day), with `currency` coded as the ids
        (`id_dtype`) and its engagement's `format`, `group_id` and `within_engagement`.

        Held once per scope, sharing the sessions' own columns (`hstack` copies none): only the
        added columns take memory (about 9 bytes a session). Columns: those of the sessions
        table `held_in_period` reads, then format, group_id, within_engagement.
        """
        if "engaged_sessions" not in self._cache:
            sessions = self.table("sessions").collect()
            added = self._held(sessions.lazy(), keep_order=True).select(self._ADDED).collect()
            kept = sessions.select(c for c in self._READ if c != "currency")
            if added.height == kept.height:
                engaged = kept.hstack(added.get_columns())
            else:  # an engagement id twice (records not validated): each match is a row
                engaged = (
                    self._held(sessions.lazy(), keep_order=True)
                    .select(*kept.columns, *self._ADDED)
                    .collect()
                )
            self._cache["engaged_sessions"] = engaged
        return self._cache["engaged_sessions"].lazy()

    #: The sessions' columns `held_in_period` reads (and, but for duration_min turned into
    #: hours, `sessions_in_period`), and the columns `_held` adds or recodes.
    _READ = (
        "coach_id",
        "client_id",
        "held_on",
        "status",
        "fee_type",
        "fee_amount",
        "currency",
        "area",
        "delivery",
        "duration_min",
    )
    _ADDED = ("currency", "format", "group_id", "within_engagement")

    def _held(self, sessions: pl.LazyFrame, keep_order: bool = False) -> pl.LazyFrame:
        """`sessions` (rows of the sessions table, with engagement_id and `_READ`) with
        `currency` coded as the ids and their engagement's columns; in their own order when
        `keep_order`."""
        sessions = sessions.with_columns(pl.col("currency").cast(self.id_dtype))
        if "engagements" not in self.ws:
            return sessions.with_columns(
                format=pl.lit(None, self.ws.schema["engagements"].field("format").dtype),
                group_id=pl.lit(None, self.id_dtype),
                within_engagement=pl.lit(False),
            )
        eng = self.frame("engagements").select(
            "engagement_id",
            "format",
            "group_id",
            "started_on",
            "ended_on",
            eng_coach="coach_id",
            eng_client="client_id",
        )
        # the session lies in its engagement's span, for the engagement's own coach and
        # client: then the engagement's open months already count its attendees
        inside = (
            (pl.col("held_on") >= pl.col("started_on"))
            & (pl.col("ended_on").is_null() | (pl.col("held_on") <= pl.col("ended_on")))
            & (pl.col("coach_id") == pl.col("eng_coach"))
            & pl.col("client_id").eq_missing(pl.col("eng_client"))
        )
        # in the sessions' order only when asked (`engaged_sessions` stacks the result beside
        # them): keeping it cost the text scopes' held sessions 1.2 s CPU at 5M sessions (the
        # headline set 1.04x -> 1.74x polars). Numbering, joining and sorting back was cheaper
        # (0.54 against 1.22 s) but raised the catalogue's peak by 120-170 MiB
        if keep_order:
            joined = sessions.join(eng, on="engagement_id", how="left", maintain_order="left")
        else:
            joined = sessions.join(eng, on="engagement_id", how="left")
        return joined.with_columns(within_engagement=inside.fill_null(False)).drop(
            "started_on", "ended_on", "eng_coach", "eng_client"
        )

    _ATTENDANCE = (
        "coach_id",
        "client_id",
        "held_on",
        "area",
        "hours",
        "fee_type",
        "within_engagement",
    )

    def group_attendance(self) -> pl.LazyFrame:
        """Members present at the held group sessions of the period (see `attendance`)."""

        def build() -> pl.LazyFrame:
            members = self.frame("group_members").select(
                "group_id", pl.col("client_id").alias("member_id"), "joined_on", "left_on"
            )
            return (
                self.held_in_period()
                .filter(pl.col("client_id").is_null() & pl.col("group_id").is_not_null())
                .join(members, on="group_id", how="inner")
                .filter(
                    (pl.col("joined_on") <= pl.col("held_on"))
                    & (pl.col("left_on").is_null() | (pl.col("left_on") >= pl.col("held_on")))
                )
                .with_columns(client_id=pl.col("member_id"))
                .select(self._ATTENDANCE)
            )

        return self.cached("group_attendance", build)

    def coded_attendance(self) -> pl.LazyFrame:
        """`attendance()` with area and fee_type as Enums (as in `held_in_period()`)."""
        single = (
            self.held_in_period().filter(pl.col("client_id").is_not_null()).select(self._ATTENDANCE)
        )
        if "group_members" not in self.ws:
            return single
        return pl.concat([single, self.group_attendance()], how="vertical")

    def attendance(self) -> pl.LazyFrame:
        """One row per client present at a held session of the period.

        An individual session counts its client; a group session (no client_id) counts the
        members of the engagement's group who had joined and not yet left on that day
        (needs `group_members`; without it group sessions count no one).
        Columns: coach_id, client_id, held_on, area, hours, fee_type, within_engagement.
        """
        return self.coded_attendance().with_columns(pl.col("area", "fee_type").cast(pl.String))

    def area_clients(self) -> pl.LazyFrame:
        """Distinct (coach_id, area, client_id) met at held sessions of the period, group
        members included; area an Enum. Several metrics count clients per area from it."""
        return self.cached(
            "area_clients",
            lambda: self.coded_attendance().select("coach_id", "area", "client_id").unique(),
        )

    def open_engagement_months(self) -> pl.LazyFrame:
        """One row per (coach, client, month) a client's engagement was open in the period.

        An engagement is open from started_on to ended_on (or still open), clipped to the
        period. A group or retreat engagement counts each member whose membership overlaps the
        month (needs `group_members`). Columns: coach_id, client_id, month.
        """
        eng = (
            self.table("engagements")
            .filter(
                (pl.col("started_on") <= self.end)
                & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= self.start))
            )
            .with_columns(
                open_from=pl.max_horizontal("started_on", self.start),
                open_to=pl.min_horizontal(pl.col("ended_on").fill_null(self.end), self.end),
            )
        )
        months = pl.date_ranges(
            pl.col("open_from").dt.truncate("1mo"), pl.col("open_to").dt.truncate("1mo"), "1mo"
        )
        single = (
            eng.filter(pl.col("client_id").is_not_null())
            .with_columns(month=months)
            .explode("month")
            .select("coach_id", "client_id", "month")
        )
        if "group_members" not in self.ws:
            return single
        members = self.frame("group_members").select(
            "group_id", pl.col("client_id").alias("member_id"), "joined_on", "left_on"
        )
        grouped = (
            eng.filter(pl.col("client_id").is_null() & pl.col("group_id").is_not_null())
            .join(members, on="group_id", how="inner")
            .with_columns(
                open_from=pl.max_horizontal("open_from", "joined_on"),
                open_to=pl.min_horizontal("open_to", pl.col("left_on").fill_null(self.end)),
            )
            .filter(pl.col("open_from") <= pl.col("open_to"))
            .with_columns(month=months)
            .explode("month")
            .select("coach_id", pl.col("member_id").alias("client_id"), "month")
        )
        return pl.concat([single, grouped], how="vertical")

    def active_client_months(self) -> pl.LazyFrame:
        """(coach_id, client_id, month) for every client active in a month of the period.

        Active = present at a held session that month, or an engagement open during it.
        A session held within its engagement's dates falls in an open month of that
        engagement already (and a group member present that day was a member that month), so
        only sessions outside their engagement's dates add to the open months.
        """

        def build() -> pl.LazyFrame:
            parts = []
            if "engagements" in self.ws:
                parts.append(self.open_engagement_months())
            if "sessions" in self.ws:
                parts.append(
                    self.coded_attendance()
                    .filter(~pl.col("within_engagement"))
                    .select("coach_id", "client_id", month=pl.col("held_on").dt.truncate("1mo"))
                )
            return pl.concat(parts, how="vertical").unique()

        return self.cached("active_client_months", build)

    # per-coach aggregates ("cubes"), summed up to regions when grouping by region

    def rollup(self, cube: pl.LazyFrame, by: Sequence[str], sums: Sequence[str]) -> pl.LazyFrame:
        """A per-coach aggregate grouped by the key (and `by`), summing additive columns."""
        if self.by == "coach":
            return cube
        return self.keyed(cube).group_by(self.key, *by).agg(pl.col(c).sum() for c in sums)

    def status_counts(self) -> pl.LazyFrame:
        """Session records of the period per coach and status, with their hours."""
        return self.cached(
            "status_counts",
            lambda: (
                self.sessions_in_period()
                .group_by("coach_id", "status")
                .agg(records=pl.len(), hours=pl.col("hours").sum())
            ),
        )

    def fee_months(self) -> pl.LazyFrame:
        """Held sessions and hours per coach, month and fee type."""
        return self.cached(
            "fee_months",
            lambda: (
                self.held_in_period()
                .group_by("coach_id", month_of("held_on"), "fee_type")
                .agg(sessions=pl.len(), hours=pl.col("hours").sum())
                .with_columns(pl.col("fee_type").cast(pl.String))
            ),
        )

    # held sessions beyond the period's own, and the frames the checks start from

    def held_to_end(self) -> pl.LazyFrame:
        """Sessions with status `held`, up to the period end (later ones are not seen).

        Every column of the sessions table; not kept in memory (see `sessions_in_period`).
        """
        return self.table("sessions").filter(
            (pl.col("status") == "held") & (pl.col("held_on") <= self.end)
        )

    def held_before_period(self) -> pl.LazyFrame:
        """Sessions with status `held` before the period starts, every column."""
        return self.table("sessions").filter(
            (pl.col("status") == "held") & (pl.col("held_on") < self.start)
        )

    def within_period(self, sessions: pl.LazyFrame, shift_days: int = 0) -> pl.LazyFrame:
        """Rows of a session frame whose `held_on` (plus `shift_days`) is in the period.

        `sessions` is `held_to_end()`, the sessions table, or a per-day frame built from held
        sessions (`coach_days()`, `group_days()`); a shift dates a case at the last day a rule
        allows after the session.
        """
        return sessions.filter(self.in_period("held_on", shift_days))

    def coach_records(self) -> pl.LazyFrame:
        """Coaches with their yes/no flags; a flag left empty counts as no."""
        return self.table("coaches").with_columns(pl.col(c).fill_null(False) for c in COACH_FLAGS)

    def active_coaches(self) -> pl.LazyFrame:
        """coach_id of every active coach."""
        return self.coach_records().filter(pl.col("active")).select("coach_id")

    def group_engagements(self) -> pl.LazyFrame:
        """Engagements run for a group (a group_id and no single client)."""
        return self.table("engagements").filter(
            pl.col("group_id").is_not_null() & pl.col("client_id").is_null()
        )

    def members(self) -> pl.LazyFrame:
        """Group members with the group engagement they belong to.

        Columns: engagement_id, group_id, coach_id (the group's coach), client_id, joined_on,
        left_on. Empty without `group_members` or `engagements`.
        """
        return self.table("group_members").join(
            self.group_engagements().select("engagement_id", "group_id", "coach_id"),
            on="group_id",
            how="inner",
        )

    def engagement_firsts(self) -> pl.LazyFrame:
        """One pass over held sessions, per engagement: the days several checks start from.

        Columns: engagement_id, client_id (the engagement's; null for a group), first_held,
        first_paid (first session charged a fee), first_in_period, last_held (the latest held
        session up to the period end: how long an engagement has been silent).
        """

        def build() -> pl.LazyFrame:
            day = pl.col("held_on")
            firsts = dict(
                first_held=day.min(),
                first_paid=pl.when(pl.col("fee_type").is_in(FEE_PAYING)).then(day).min(),
                first_in_period=pl.when(self.in_period(day)).then(day).min(),
                last_held=day.max(),
            )
            if not self.has("engagements"):
                return self.held_to_end().group_by("engagement_id", "client_id").agg(**firsts)
            # one key is cheaper to group by; the client comes from the engagement
            return (
                self.held_to_end()
                .group_by("engagement_id")
                .agg(**firsts)
                .join(
                    self.table("engagements").select("engagement_id", "client_id"),
                    on="engagement_id",
                    how="left",
                )
            )

        return self.cached("engagement_firsts", build)

    def coach_days(self) -> pl.LazyFrame:
        """One pass over held sessions, per coach and day, from the earliest day a check needs.

        Columns: coach_id, held_on, sessions, triggered (sessions a client left triggered and
        unsafe).
        """

        def build() -> pl.LazyFrame:
            window = self.policy.probono_window_months
            lo = min(
                self.period.start, add_months(self.period.as_of + dt.timedelta(days=1), -window)
            )
            return (
                self.held_to_end()
                .filter(pl.col("held_on") >= date_lit(lo))
                .group_by("coach_id", "held_on")
                .agg(
                    sessions=pl.len().cast(pl.Int64()),
                    triggered=pl.col("left_triggered_unsafe")
                    .fill_null(False)
                    .sum()
                    .cast(pl.Int64()),
                )
            )

        return self.cached("coach_days", build)

    def group_days(self) -> pl.LazyFrame:
        """One row per day a group engagement held a session, up to the period end.

        Columns: engagement_id, held_on, paid (some session that day charged a fee).
        """

        def build() -> pl.LazyFrame:
            return (
                self.held_to_end()
                .filter(pl.col("client_id").is_null())
                .join(
                    self.group_engagements().select("engagement_id"),
                    on="engagement_id",
                    how="semi",
                )
                .group_by("engagement_id", "held_on")
                .agg(paid=pl.col("fee_type").is_in(FEE_PAYING).any())
            )

        return self.cached("group_days", build)

    def first_attended(
        self,
        group_days: pl.LazyFrame,
        lower: dt.date | None = None,
        upper: dt.date | None = None,
    ) -> pl.LazyFrame:
        """Each member's first group session day among `group_days`, while a member.

        A member attends the sessions their group holds from `joined_on` to `left_on`; `lower`
        and `upper` narrow the search (e.g. to the period). Columns: engagement_id, group_id,
        coach_id, client_id, first_on. Members who attended none are left out.
        """
        start = pl.col("joined_on")
        if lower is not None:
            start = pl.max_horizontal(start, date_lit(lower))
        until = pl.col("left_on")
        if upper is not None:
            until = pl.min_horizontal(until.fill_null(date_lit(upper)), date_lit(upper))
        members = self.members().with_columns(_from=start, _until=until).sort("_from")
        dates = group_days.select("engagement_id", first_on="held_on").sort("first_on")
        return (
            members.join_asof(
                dates,
                left_on="_from",
                right_on="first_on",
                by="engagement_id",
                strategy="forward",
                check_sortedness=False,
            )
            .filter(
                pl.col("first_on").is_not_null()
                & (pl.col("_until").is_null() | (pl.col("first_on") <= pl.col("_until")))
            )
            .select("engagement_id", "group_id", "coach_id", "client_id", "first_on")
        )


#: How many plans `collect` runs together. `pl.collect_all` of every metric's (or check's)
#: plan at once keeps each plan's intermediate frames alive together: at 5M sessions the
#: checks' peak fell from 2,251 to 1,881 MiB collected six at a time, and the whole catalogue's
#: from 1,622 to 1,495 MiB one at a time, with no more CPU measurable (the frames the plans
#: share are materialised in the scope already, so little is computed twice). The checks do
#: not come here: a check's two plans share its cases, so the runner collects each check's
#: pair together (`runner._collected`).
COLLECT_GROUP = 1


def collect(plans: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    """Collect plans a few at a time (`COLLECT_GROUP`), in order: the peak memory of one group,
    not of the whole catalogue."""
    frames: list[pl.DataFrame] = []
    for i in range(0, len(plans), COLLECT_GROUP):
        frames.extend(pl.collect_all(plans[i : i + COLLECT_GROUP]))
    return frames


#: Decimals a float total keeps. Hours are sums of many sixtieths whose last bits depend on the
#: order parallel threads add them in; rounded, a total (and a threshold compared with it) is the
#: same on every run: a report no longer prints 29.7 one time and 29.8 the next, and 19.999...
#: hours never fall short of a 20-hour requirement.
FLOAT_DECIMALS = 9


def stable_sum(column: str) -> pl.Expr:
    """The sum of a float column (missing values as 0), rounded to `FLOAT_DECIMALS`: the same
    figure on every run, whatever order the threads add in."""
    return pl.col(column).fill_null(0.0).sum().round(FLOAT_DECIMALS)


def month_of(column: str) -> pl.Expr:
    """First day of the month of a date column, named `month`."""
    return pl.col(column).dt.truncate("1mo").alias("month")


def share(part: str | pl.Expr, whole: str | pl.Expr) -> pl.Expr:
    """part / whole, null when the whole is zero (no basis for a share)."""
    part = pl.col(part) if isinstance(part, str) else part
    whole = pl.col(whole) if isinstance(whole, str) else whole
    return pl.when(whole > 0).then(part / whole).otherwise(None)
