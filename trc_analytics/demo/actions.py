"""The supervision cycle of the demo: agreed supervision hours per coach, and the actions a coach
and supervisor agreed after real planted findings (some done, some still open, some overdue).

Drawn from their own random stream (seeded by the demo seed), so adding them leaves every
other table exactly as it was. Action texts are plain lower-case sentences: no names, dates or
contact details, so the identifier scan passes them like any careful user's text.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

#: The stream of this module (mixed with the demo seed), apart from the main generator's.
STREAM = 10
#: Agreed supervision hours per quarter a coach may have on record (None: nothing agreed).
AGREED_HOURS = (None, 3.0, 4.5, 6.0)
#: What is agreed after a finding of each check family (by the check id's prefix).
ACTION_TEXT = {
    "SAFE": "review the safety plan for this client and book a consultation on the case",
    "SCOPE": "stop work outside declared competence until supervision or training covers it",
    "REFER": "refer on to a vetted service and record the referral",
    "CONF": "revisit confidentiality limits and record the basis of each disclosure",
    "PRACT": "give the client the written policy and record the date it was given",
    "CERT": "renew the credential and book the ethics review course",
    "DEV": "complete continuing education in the areas practised this year",
    "COMM": "offer reduced-fee or pro-bono places this quarter",
    "CONDUCT": "report to the standards committee and keep the report on file",
    "SUPERVISOR": "take these cases to a supervisor who holds a current supervisor credential",
}

#: Checks whose family's action would not fit them.
CHECK_ACTION_TEXT = {
    "PRACT-CONTEXT": "explore the client's context at the next session and record the date",
    "PRACT-REFUND-POLICY": "publish a refund policy and record the date",
    "SAFE-SRA": "complete a safety risk assessment before the next session",
    "REFER-ABANDON": "give the client an explanation and a referral and record both",
    "CONF-MANDATORY": "make the report to the local agency and record the date",
}


def agreed_hours(seed: int, coaches: pl.DataFrame) -> pl.DataFrame:
    """The coaches table with `supervision_hours_per_quarter` drawn for every coach."""
    rng = np.random.default_rng([seed, STREAM])
    picks = rng.integers(0, len(AGREED_HOURS), coaches.height)
    hours = [AGREED_HOURS[int(i)] for i in picks]
    return coaches.with_columns(supervision_hours_per_quarter=pl.Series(hours, dtype=pl.Float64))


def build_actions(seed: int, planted: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """One agreed action for most planted findings: agreed 2-6 weeks after the finding, due 1-3
    months later; about two in three done by the records' end, the rest open (overdue when
    past due).

    `planted` has the demo manifest's columns with readable ids (check_id, coach_id,
    client_id, engagement_id, on). Actions agreed after `end` are not recorded (not yet held).
    """
    rng = np.random.default_rng([seed, STREAM + 1])
    cases = planted.filter(pl.col("on").is_not_null()).sort("on", "check_id", "coach_id")
    n = cases.height
    agreed_after = rng.integers(14, 43, n)
    due_after = rng.integers(30, 91, n)
    done_after = rng.integers(7, 120, n)
    keep = rng.random(n) < 0.8
    finished = rng.random(n) < 0.7
    rows = []
    for i, case in enumerate(cases.iter_rows(named=True)):
        agreed = case["on"] + dt.timedelta(days=int(agreed_after[i]))
        if not keep[i] or agreed > end:
            continue
        done = agreed + dt.timedelta(days=int(done_after[i]))
        check = str(case["check_id"])
        rows.append(
            {
                "coach_id": case["coach_id"],
                "agreed_on": agreed,
                "check_id": check,
                "client_id": case["client_id"],
                "engagement_id": case["engagement_id"],
                "action": CHECK_ACTION_TEXT.get(check, ACTION_TEXT[check.split("-")[0]]),
                "owner": "supervisor" if i % 5 == 0 else "coach",
                "due_on": agreed + dt.timedelta(days=int(due_after[i])),
                "done_on": done if finished[i] and done <= end else None,
            }
        )
    return _with_ids(rows)


def _with_ids(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Rows in agreed order with ids `SA-00001`..., schema columns and order."""
    schema = {
        "coach_id": pl.String(),
        "agreed_on": pl.Date(),
        "check_id": pl.String(),
        "client_id": pl.String(),
        "engagement_id": pl.String(),
        "action": pl.String(),
        "owner": pl.String(),
        "due_on": pl.Date(),
        "done_on": pl.Date(),
    }
    df = pl.DataFrame(rows, schema=schema).sort("agreed_on", "coach_id", "check_id")
    ids = [f"SA-{i:05d}" for i in range(1, df.height + 1)]
    return df.with_columns(action_id=pl.Series(ids, dtype=pl.String)).select("action_id", *schema)
