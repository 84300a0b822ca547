"""The association report's sentences: takeaways and notes worded from published figures only."""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.policy import Policy
from trc_analytics.reports.display import and_list, format_hours, vocab_label

#: What a table reads when public totals already give a small count of it away.
NOT_SHOWN = "Not shown: too few records to publish safely."


def not_shown_note(table: str | None) -> str:
    """Why a section whose table cannot be protected is left out."""
    what = f" ({table})" if table else ""
    return (
        f"A count in this section{what} is so small that totals published "
        "elsewhere would give it away however the table were hidden, so the "
        "section is left out. A longer period, or wider categories, may allow it."
    )


def _hidden_in(table: Any) -> int:
    """Hidden figures of a released table: cells, row and column totals, grand total."""
    n = sum(
        int(part["suppressed"].sum())
        for part in (table.cells, table.row_totals, table.col_totals)
        if part is not None
    )
    return n + int(table.totals != "none" and table.total is None)


def hidden_note(*tables: Any) -> str:
    """How many figures of a section disclosure control hid (or that none was)."""
    n = sum(_hidden_in(t) for t in tables)
    if not n:
        return "Every figure of this section could be published."
    figures = "1 figure of this section is" if n == 1 else f"{n:,} figures of this section are"
    return (
        f"{figures} hidden. Charts draw nothing for a hidden figure; a bar chart keeps a "
        "category whose figures are all hidden, marked “suppressed”."
    )


def clients_note() -> str:
    """How clients served are counted (a sum over coaches, so each coach's share is known)."""
    return (
        "Clients served are counted per coach and added up: a client two coaches served "
        "counts twice."
    )


def served(total_clients: int | None) -> str:
    """Clients served, or why the total is not given."""
    if total_clients is None:
        return "Clients served by region; the overall total is hidden because a region's count is."
    return (
        f"{total_clients:,} client–coach pairings were served in the period (a client two "
        "coaches served counts once for each)."
    )


def sessions(total: int | None, regions: int) -> str:
    """Sessions held across the regions."""
    if total is None:
        return "Sessions per region and month; totals over hidden counts are hidden too."
    return f"{total:,} sessions were held in the period across {regions} regions."


def demand(table: pl.DataFrame, policy: Policy) -> str:
    """Where training is most needed, judged from published figures."""
    needed = table.filter(pl.col("training_needed").fill_null(False))["area"].to_list()
    unknown = table.filter(pl.col("training_needed").is_null()).height
    if needed:
        return (
            "Among the areas whose figures are published, training is most needed in "
            + and_list([vocab_label(a) for a in needed[:3]])
            + f": sessions were held there and fewer than {policy.min_cell} coaches declare "
            "competence in them"
            + (
                f"; {unknown} more area{'s' if unknown != 1 else ''} cannot be judged"
                if unknown
                else ""
            )
            + "."
        )
    if unknown:
        return (
            "No area is shown to need training; for "
            f"{unknown} area{'s' if unknown != 1 else ''} the counts are too small to judge."
        )
    return "Every area in demand has coaches who declare competence in it."


def demand_note(policy: Policy) -> str:
    """What "training needed" means."""
    return (
        f"Training needed: sessions were held in the area and fewer than {policy.min_cell} "
        "active coaches declare competence in it (none, or a hidden count)."
    )


def _unpublished(n: int, what: str) -> str:
    """The clause naming how many figures were not published (scopes every ranking)."""
    if not n:
        return f"every {what} could be published"
    return (
        f"{n} {what}{'s' if n != 1 else ''} could not be published safely (too few cases, "
        "or too few not kept, or too few coaches behind them)"
    )


def compliance(shown: pl.DataFrame, checks: int) -> str:
    """The rule kept least often among the checks whose rate is published (`shown`), out of
    `checks`: the sentence says how many were not published, so it ranks only what it shows."""
    hidden = checks - shown.height
    if not shown.height:
        scope = _unpublished(hidden, "check")
        return f"No compliance rate could be published for this period; {scope}."
    lowest = shown.sort("kept_pct").head(1)
    return (
        f"Of the {shown.height} check{'s' if shown.height != 1 else ''} with enough cases to "
        f"publish, the rule kept least often: {lowest['rule'][0]} "
        f"({lowest['kept_pct'][0]:.0f}% of cases); {_unpublished(hidden, 'check')}."
    )


def not_evaluated(check_ids: list[str]) -> str:
    """Checks left out for lack of records."""
    return "Not evaluated for lack of records: " + ", ".join(check_ids) + "."


def referrals(shown: pl.DataFrame, reasons: int) -> str:
    """The most common reason among those whose total is published (`shown`), out of
    `reasons` used: the sentence says how many totals were not published."""
    hidden = reasons - shown.height
    top = shown.sort("referrals", descending=True).head(1)
    if not top.height or not top["referrals"][0]:
        return (
            "No referral total by reason could be published for this period; "
            f"{hidden} reason{'s' if hidden != 1 else ''} could not be published safely."
        )
    scope = (
        "every reason's total could be published"
        if not hidden
        else f"{hidden} reason{'s' if hidden != 1 else ''} could not be published safely (too "
        "few referrals or too few coaches behind them), and any of them may be larger"
    )
    return (
        f"Of the {shown.height} reason{'s' if shown.height != 1 else ''} whose total could be "
        f"published, the most common was {top['reason'][0].replace('_', ' ')} "
        f"({top['referrals'][0]:,} referrals); {scope}."
    )


def pipeline(by_status: pl.DataFrame, shown: pl.DataFrame, as_of: str, policy: Policy) -> str:
    """Credentials due or in grace, when every status total is published."""
    if shown.height == by_status.height:
        due = shown.filter(pl.col("status").is_in(["due", "grace"]))["credentials"].sum()
        return f"{due:,} credentials are due for renewal or in their grace period as of {as_of}."
    return (
        f"Credentials by status as of {as_of}; a status held by "
        f"fewer than {policy.min_cell} credentials of a kind is hidden."
    )


def pipeline_note(policy: Policy) -> str:
    """What due, grace and lapsed mean."""
    return (
        f"Due: expires within {policy.credential_due_days} days; grace: expired less "
        f"than {policy.credential_grace_months} months ago; lapsed: past the grace."
    )


def giving(affordable_hours: float | None, community_hours: float | None) -> str:
    """Hours given pro bono or at a reduced fee to clients marked low income, and of community
    service of every kind (None: hidden). The published total includes advocacy, which the
    coach reports do not count as service to survivors, so it is not called that here."""
    parts = []
    if affordable_hours is not None:
        parts.append(
            f"{format_hours(affordable_hours)} hours of coaching were given pro bono or at a "
            "reduced fee to clients with few financial resources"
        )
    if community_hours is not None:
        parts.append(f"{format_hours(community_hours)} hours of community service of every kind")
    if not parts:
        return "Pro-bono and community-service hours are too concentrated to publish this period."
    return "In the period, " + " and ".join(parts) + "."


def renewals(by_readiness: pl.DataFrame, total: float | None, policy: Policy) -> str:
    """How many renewals are due soon and how many of them are ready (when published)."""
    window = f"the next {policy.renewal_warning_days} days"
    shown = by_readiness.filter(pl.col("renewals").is_not_null())
    if total is None:
        return f"Renewals due in {window} are too few to publish this period."
    if shown.height < by_readiness.height:
        return (
            f"{int(total):,} renewals are due in {window}; how many are ready is hidden (a "
            f"readiness held by fewer than {policy.min_cell} is not shown)."
        )
    ready = int(shown.filter(pl.col("readiness") == "ready")["renewals"].sum())  # "at risk": rest
    return (
        f"{int(total):,} renewals are due in {window}: {ready:,} ready, "
        f"{int(total) - ready:,} at risk (a requirement of the cycle still to do)."
    )


def renewals_note(policy: Policy) -> str:
    """What ready and at risk mean."""
    return (
        f"Due soon: a credential of an active coach expiring in the next "
        f"{policy.renewal_warning_days} days. Ready: the ethics review course, "
        f"{policy.ce_hours_per_cycle:g} hours of continuing education, the supervision agreed "
        "and some affordable service, all since the credential was certified; at risk: one of "
        "them still to do."
    )


def attainment(rates: pl.DataFrame) -> str:
    """The share of scored goals at or above expectation, over the regions published."""
    shown = rates.filter(pl.col("at_or_above").is_not_null() & pl.col("scored").is_not_null())
    if not shown.height:
        return "Scored goals are too few in every region to publish a share this period."
    at, scored = int(shown["at_or_above"].sum()), int(shown["scored"].sum())
    scope = "every region" if shown.height == rates.height else "the regions shown"
    return (
        f"{at / scored:.0%} of {scored:,} scored goals in {scope} reached the expected outcome "
        "or more."
    )


def attainment_note() -> str:
    """What a scored goal is."""
    return (
        "Goal Attainment Scaling (Kiresuk & Sherman): each goal is scored with the client from "
        "−2 to +2, 0 being the expected outcome; goals of engagements open in the period."
    )
