"""Tiny builders for hand-made test workspaces: give only the values a test is about.

    ws = build(
        clients=[client()],
        engagements=[engagement()],
        sessions=[session("S-1", held_on="2026-03-04", client_under_influence=True)],
    )

Every table gets plausible defaults for its required columns (one coach C-1 in region north,
client K-1, one-to-one engagement E-1, ...). Dates may be given as ISO text. `build` adds the
default coach unless `coaches` is given; other tables are present only when passed, so a test
can leave a table out on purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from trc_analytics.period import Period
from trc_analytics.policy import Policy
from trc_analytics.records.schema import load_schema
from trc_analytics.records.workspace import Workspace

#: Defaults for the required columns of each table.
DEFAULTS: dict[str, dict[str, Any]] = {
    "coaches": {"coach_id": "C-1", "region": "north", "active": True},
    "credentials": {
        "coach_id": "C-1",
        "credential": "initial",
        "certified_on": "2025-01-01",
        "expires_on": "2027-01-01",
    },
    "competencies": {
        "coach_id": "C-1",
        "area": "complex_trauma_general",
        "basis": "training",
        "declared_on": "2024-01-01",
    },
    "clients": {
        "client_id": "K-1",
        "coach_id": "C-1",
        "intake_on": "2026-01-05",
        "age_band": "25_34",
        "client_type": "individual",
        "fee_basis": "paying",
    },
    "engagements": {
        "engagement_id": "E-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "format": "one_to_one",
        "coaching_relationship": True,
        "started_on": "2026-01-05",
    },
    "group_members": {"group_id": "G-1", "client_id": "K-1", "joined_on": "2026-01-05"},
    "safety_assessments": {
        "assessment_id": "A-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "assessed_on": "2026-01-05",
        "outcome": "cleared",
    },
    "sessions": {
        "session_id": "S-1",
        "engagement_id": "E-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "held_on": "2026-01-05",
        "duration_min": 60,
        "status": "held",
        "fee_type": "paid",
        "area": "complex_trauma_general",
    },
    "referrals": {
        "referral_id": "R-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "referred_on": "2026-02-01",
        "service_id": "V-1",
        "service_type": "therapist",
        "reason": "decompensation",
    },
    "vetted_services": {
        "service_id": "V-1",
        "coach_id": "C-1",
        "service_type": "therapist",
        "vetted_on": "2025-06-01",
    },
    "supervision": {
        "supervision_id": "SV-1",
        "coach_id": "C-1",
        "supervisor_id": "SUP-1",
        "met_on": "2026-02-01",
        "hours": 1.0,
        "format": "one_to_one",
        "reason": "routine",
    },
    "trainings": {
        "training_id": "T-1",
        "coach_id": "C-1",
        "completed_on": "2026-02-01",
        "hours": 6.0,
        "kind": "trauma_area",
    },
    "disclosures": {
        "disclosure_id": "D-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "disclosed_on": "2026-02-01",
        "basis": "written_consent",
    },
    "mandatory_reports": {
        "report_id": "M-1",
        "coach_id": "C-1",
        "client_id": "K-1",
        "concern_on": "2026-02-01",
        "concern_group": "minor",
        "abuse_current": True,
    },
    "community_service": {
        "activity_id": "CS-1",
        "coach_id": "C-1",
        "held_on": "2026-02-01",
        "kind": "free_workshop",
        "hours": 2.0,
    },
    "conduct_events": {
        "event_id": "CE-1",
        "coach_id": "C-1",
        "kind": "grievance_received",
        "occurred_on": "2026-02-01",
    },
    "goals": {
        "goal_id": "GL-1",
        "client_id": "K-1",
        "coach_id": "C-1",
        "set_on": "2026-01-05",
        "status": "active",
    },
    "measures": {
        "client_id": "K-1",
        "coach_id": "C-1",
        "measured_on": "2026-02-01",
        "instrument": "wellbeing",
        "score": 20.0,
        "direction": "higher_better",
    },
    "supervision_actions": {
        "action_id": "SA-1",
        "coach_id": "C-1",
        "agreed_on": "2026-02-01",
        "check_id": "SAFE-SRA",
        "action": "complete the safety risk assessment before the first session",
        "owner": "coach",
        "due_on": "2026-03-01",
    },
}


def row(table: str, **values: Any) -> dict[str, Any]:
    """One row of `table`: the defaults, overridden by `values`."""
    unknown = set(values) - set(load_schema()[table].columns)
    if unknown:
        raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
    return {**DEFAULTS[table], **values}


# Short names for the rows tests write most.
def coach(coach_id: str = "C-1", **values: Any) -> dict[str, Any]:
    return row("coaches", coach_id=coach_id, **values)


def client(client_id: str = "K-1", **values: Any) -> dict[str, Any]:
    return row("clients", client_id=client_id, **values)


def engagement(engagement_id: str = "E-1", **values: Any) -> dict[str, Any]:
    return row("engagements", engagement_id=engagement_id, **values)


def session(session_id: str = "S-1", **values: Any) -> dict[str, Any]:
    return row("sessions", session_id=session_id, **values)


def _frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows (defaults filled) as a frame typed by the schema; ISO date text becomes dates."""
    fields = load_schema()[table].fields
    if not rows:
        return pl.DataFrame(schema={f.name: f.dtype for f in fields})
    full = [{**DEFAULTS[table], **r} for r in rows]
    present = [f for f in fields if any(f.name in r for r in full)]
    columns = {}
    for f in present:
        values = [r.get(f.name) for r in full]
        if f.type == "date":
            values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
        columns[f.name] = pl.Series(f.name, values, dtype=f.dtype)
    return pl.DataFrame(columns)


def build(**tables: list[dict[str, Any]]) -> Workspace:
    """A workspace of the given tables (lists of partial rows); one default coach if none given."""
    tables.setdefault("coaches", [{}])
    return Workspace.from_frames({name: _frame(name, rows) for name, rows in tables.items()})


def period(start: str = "2026-01-01", end: str = "2026-06-30") -> Period:
    """The reporting period, first half of 2026 unless told."""
    return Period.parse(start, end)


def findings_for(
    check_id: str,
    ws: Workspace,
    start: str = "2026-01-01",
    end: str = "2026-06-30",
    coaches: list[str] | None = None,
    **policy: Any,
) -> pl.DataFrame:
    """The findings of one check for the period, with policy values overridden by keyword."""
    from trc_analytics.checks import run_checks

    return run_checks(
        ws,
        period(start, end),
        Policy().with_overrides(**policy),
        coaches=coaches,
        checks=[check_id],
    ).findings


def write_workspace(ws: Workspace, folder) -> Any:
    """Write every table of `ws` as `<table>.csv` into `folder` (created); returns the folder."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in ws.tables.items():
        frame.write_csv(folder / f"{name}.csv", date_format="%Y-%m-%d")
    return folder
