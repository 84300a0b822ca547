"""The one scope every metric and check reads: a workspace, a period, some coaches, a policy.

Frames several metrics or checks share (the period's sessions, held sessions with their
engagement and attendees, active client-months, per-coach cubes) are built once per scope.

Dates: a record belongs to the period when its date falls in it (both ends inclusive);
standing ("as of") is judged at the period end, and records dated after it are not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace

By = Literal["coach", "region"]
KEYS: dict[str, str] = {"coach": "coach_id", "region": "region"}


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
    ) -> Scope:
        """Check the arguments once: known grouping, coach ids that exist in `coaches`."""
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
                raise ValueError(f"unknown coach id(s): {', '.join(unknown)}")
        return cls(ws=ws, period=period, policy=policy or Policy(), coaches=coaches, by=by)

    # keys and filters

    @property
    def key(self) -> str:
        """Name of the group-key column: coach_id or region."""
        return KEYS[self.by]

    @property
    def start(self) -> pl.Expr:
        return pl.lit(self.period.start, dtype=pl.Date())

    @property
    def end(self) -> pl.Expr:
        return pl.lit(self.period.end, dtype=pl.Date())

    def in_period(self, column: str) -> pl.Expr:
        """The date column falls within the period (inclusive)."""
        return pl.col(column).is_between(self.start, self.end, closed="both")

    def table(self, name: str) -> pl.LazyFrame:
        """A table of the workspace, restricted to the coaches in scope."""
        lf = self.ws[name].lazy()
        if self.coaches is not None and "coach_id" in self.ws[name].columns:
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
        """Add the coach's region (case-level metrics always carry it)."""
        return lf.join(self.coach_region(), on="coach_id", how="left")

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

    def sessions(self) -> pl.LazyFrame:
        """Sessions of the period, every status, with only the columns metrics use.

        Columns: coach_id, engagement_id, client_id, held_on, hours (duration_min / 60),
        status, fee_type, fee_amount, currency, area, delivery. Not kept in memory: filtering
        the loaded table again costs less than holding a copy of it.
        """
        return (
            self.table("sessions")
            .filter(self.in_period("held_on"))
            .select(
                "coach_id",
                "engagement_id",
                "client_id",
                "held_on",
                "status",
                "fee_type",
                "fee_amount",
                "currency",
                "area",
                "delivery",
                hours=pl.col("duration_min") / 60.0,
            )
        )

    def held(self) -> pl.LazyFrame:
        """Held sessions of the period with their engagement's `format`, `group_id` and
        `within_engagement` (held between the engagement's start and end).

        Vocabulary columns (area, fee_type, delivery, format) are `Enum`s, as in the workspace:
        compare them with strings as usual, and join them with `dtype(column)`.
        """
        if "held" not in self._cache:
            self._cache["held"] = self._held().collect()
        return self._cache["held"].lazy()

    def dtype(self, column: str) -> pl.DataType:
        """The dtype a column of `held()` has (the Enum of its vocabulary, or text)."""
        return self.held().collect_schema()[column]

    def _held(self) -> pl.LazyFrame:
        """Held sessions joined to their engagement."""
        held = self.sessions().filter(pl.col("status") == "held").drop("status")
        if "engagements" not in self.ws:
            return held.drop("engagement_id").with_columns(
                format=pl.lit(None, self.ws.schema["engagements"].field("format").dtype),
                group_id=pl.lit(None, pl.String()),
                within_engagement=pl.lit(False),
            )
        eng = (
            self.ws["engagements"]
            .lazy()
            .select(
                "engagement_id",
                "format",
                "group_id",
                "started_on",
                "ended_on",
                eng_coach="coach_id",
                eng_client="client_id",
            )
        )
        # the session lies in its engagement's span, for the engagement's own coach and
        # client: then the engagement's open months already count its attendees
        inside = (
            (pl.col("held_on") >= pl.col("started_on"))
            & (pl.col("ended_on").is_null() | (pl.col("held_on") <= pl.col("ended_on")))
            & (pl.col("coach_id") == pl.col("eng_coach"))
            & pl.col("client_id").eq_missing(pl.col("eng_client"))
        )
        return (
            held.join(eng, on="engagement_id", how="left")
            .with_columns(within_engagement=inside.fill_null(False))
            .drop("engagement_id", "started_on", "ended_on", "eng_coach", "eng_client")
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
            members = (
                self.ws["group_members"]
                .lazy()
                .select("group_id", pl.col("client_id").alias("member_id"), "joined_on", "left_on")
            )
            return (
                self.held()
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
        """`attendance()` with area and fee_type as in `held()` (Enums), for the metrics."""
        single = self.held().filter(pl.col("client_id").is_not_null()).select(self._ATTENDANCE)
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
        members = (
            self.ws["group_members"]
            .lazy()
            .select("group_id", pl.col("client_id").alias("member_id"), "joined_on", "left_on")
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
                self.sessions()
                .group_by("coach_id", "status")
                .agg(records=pl.len(), hours=pl.col("hours").sum())
            ),
        )

    def fee_months(self) -> pl.LazyFrame:
        """Held sessions and hours per coach, month and fee type."""
        return self.cached(
            "fee_months",
            lambda: (
                self.held()
                .group_by("coach_id", month_of("held_on"), "fee_type")
                .agg(sessions=pl.len(), hours=pl.col("hours").sum())
                .with_columns(pl.col("fee_type").cast(pl.String))
            ),
        )


def month_of(column: str) -> pl.Expr:
    """First day of the month of a date column, named `month`."""
    return pl.col(column).dt.truncate("1mo").alias("month")


def share(part: str | pl.Expr, whole: str | pl.Expr) -> pl.Expr:
    """part / whole, null when the whole is zero (no basis for a share)."""
    part = pl.col(part) if isinstance(part, str) else part
    whole = pl.col(whole) if isinstance(whole, str) else whole
    return pl.when(whole > 0).then(part / whole).otherwise(None)
