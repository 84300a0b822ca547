"""What every check looks at: the workspace, the period, the policy, and frames several share.

Frames used by more than one check (held sessions, group attendance days, coach flags) are
built here once per run, so the whole catalogue reads each table as few times as it can.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.workspace import Workspace

#: Session fee types by which a client pays a fee (a reduced fee is still a fee).
FEE_PAYING = ("paid", "reduced")
#: Session fee types that count as affordable service to the community.
AFFORDABLE = ("pro_bono", "reduced")
#: Coach flags that mean "yes" only when recorded as true.
COACH_FLAGS = (
    "therapy_licensed",
    "trained_minors",
    "trained_couples_families",
    "psychoactive_trained",
    "psychoactive_insured",
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
class Context:
    """One run of the catalogue: inputs plus the shared frames, built lazily and once."""

    ws: Workspace
    period: Period
    policy: Policy = field(default_factory=Policy)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # --- inputs ---------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        """The workspace has this table."""
        return name in self.ws

    def table(self, name: str) -> pl.LazyFrame:
        """A table as a lazy frame; an absent table is an empty frame with its columns."""
        df = self.ws.get(name)
        if df is None:
            return pl.LazyFrame(schema=self.ws.schema[name].polars_schema)
        return df.lazy()

    @property
    def start(self) -> pl.Expr:
        return date_lit(self.period.start)

    @property
    def end(self) -> pl.Expr:
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

    def seen(self, column: str) -> pl.Expr:
        """The date column, or null when it lies after the as-of date (not yet known then)."""
        return pl.when(pl.col(column) <= self.as_of).then(pl.col(column))

    # --- shared frames --------------------------------------------------------------------

    def _cached(self, name: str, build) -> pl.LazyFrame:
        if name not in self._cache:
            self._cache[name] = build().collect()
        return self._cache[name].lazy()

    @property
    def held(self) -> pl.LazyFrame:
        """Sessions with status `held`, up to the period end (later ones are not seen)."""
        return self.table("sessions").filter(
            (pl.col("status") == "held") & (pl.col("held_on") <= self.end)
        )

    @property
    def coaches(self) -> pl.LazyFrame:
        """Coaches with their yes/no flags; a flag left empty counts as no."""
        return self.table("coaches").with_columns(pl.col(c).fill_null(False) for c in COACH_FLAGS)

    @property
    def active_coaches(self) -> pl.LazyFrame:
        """coach_id of every active coach."""
        return self.coaches.filter(pl.col("active")).select("coach_id")

    @property
    def group_engagements(self) -> pl.LazyFrame:
        """Engagements run for a group (a group_id and no single client)."""
        return self.table("engagements").filter(
            pl.col("group_id").is_not_null() & pl.col("client_id").is_null()
        )

    @property
    def members(self) -> pl.LazyFrame:
        """Group members with the group engagement they belong to.

        Columns: engagement_id, group_id, coach_id (the group's coach), client_id, joined_on,
        left_on. Empty without `group_members` or `engagements`.
        """
        return self.table("group_members").join(
            self.group_engagements.select("engagement_id", "group_id", "coach_id"),
            on="group_id",
            how="inner",
        )

    @property
    def engagement_firsts(self) -> pl.LazyFrame:
        """One pass over held sessions, per engagement: the days several checks start from.

        Columns: engagement_id, client_id (the engagement's; null for a group), first_held,
        first_paid (first session charged a fee), first_in_period.
        """

        def build() -> pl.LazyFrame:
            day = pl.col("held_on")
            firsts = dict(
                first_held=day.min(),
                first_paid=pl.when(pl.col("fee_type").is_in(FEE_PAYING)).then(day).min(),
                first_in_period=pl.when(self.in_period(day)).then(day).min(),
            )
            if not self.has("engagements"):
                return self.held.group_by("engagement_id", "client_id").agg(**firsts)
            # one key is cheaper to group by; the client comes from the engagement
            return (
                self.held.group_by("engagement_id")
                .agg(**firsts)
                .join(
                    self.table("engagements").select("engagement_id", "client_id"),
                    on="engagement_id",
                    how="left",
                )
            )

        return self._cached("engagement_firsts", build)

    @property
    def coach_days(self) -> pl.LazyFrame:
        """One pass over held sessions, per coach and day, from the earliest day a check needs.

        Columns: coach_id, held_on, sessions, affordable (some pro-bono or reduced-fee session),
        triggered (sessions a client left triggered and unsafe).
        """

        def build() -> pl.LazyFrame:
            window = self.policy.probono_window_months
            lo = min(
                self.period.start, add_months(self.period.as_of + dt.timedelta(days=1), -window)
            )
            return (
                self.held.filter(pl.col("held_on") >= date_lit(lo))
                .group_by("coach_id", "held_on")
                .agg(
                    sessions=pl.len().cast(pl.Int64()),
                    affordable=pl.col("fee_type").is_in(AFFORDABLE).any(),
                    triggered=pl.col("left_triggered_unsafe")
                    .fill_null(False)
                    .sum()
                    .cast(pl.Int64()),
                )
            )

        return self._cached("coach_days", build)

    @property
    def group_days(self) -> pl.LazyFrame:
        """One row per day a group engagement held a session, up to the period end.

        Columns: engagement_id, held_on, paid (some session that day charged a fee).
        """

        def build() -> pl.LazyFrame:
            return (
                self.held.filter(pl.col("client_id").is_null())
                .join(
                    self.group_engagements.select("engagement_id"), on="engagement_id", how="semi"
                )
                .group_by("engagement_id", "held_on")
                .agg(paid=pl.col("fee_type").is_in(FEE_PAYING).any())
            )

        return self._cached("group_days", build)

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
        members = self.members.with_columns(_from=start, _until=until).sort("_from")
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
