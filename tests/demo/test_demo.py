"""The synthetic demo workspace: complete, typed, valid, reproducible, realistic, and carrying a
planted case of every ethics check (plus near-misses that must not be findings).

The planted-case tests read the records directly (not through the check catalogue), so they show
that each case is really in the data; the catalogue tests at the end show the checks find them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import stat
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import SMALL_DEMO

from trc_analytics.cli import main
from trc_analytics.demo import (
    PLANTED_CHECKS,
    SHOWCASE_CHECKS,
    SHOWCASE_COACH,
    SHOWCASE_PERIOD,
    Demo,
    DemoConfig,
    DemoError,
    build_demo,
    generate_demo,
    make_demo,
    write_demo,
)
from trc_analytics.demo.writing import WORKBOOK_NAME, write_frames
from trc_analytics.policy import Policy
from trc_analytics.records.schema import load_schema

TODAY = dt.date(2026, 11, 30)
POLICY = Policy()
SPEC_CHECKS = [
    "SAFE-SRA",
    "SAFE-EXCLUDED",
    "SAFE-INFLUENCE",
    "SAFE-TRIGGERED",
    "SAFE-DECOMP",
    "SAFE-REASSESS",
    "SCOPE-PRACTICE",
    "SCOPE-COMPETENCE",
    "SCOPE-POPULATION",
    "SCOPE-PSYCHOACTIVE",
    "SUPERVISOR-QUALIFIED",
    "REFER-VETTED",
    "REFER-ABANDON",
    "CONF-DISCLOSURE",
    "CONF-MANDATORY",
    "PRACT-REFUND",
    "PRACT-REFUND-POLICY",
    "PRACT-GRIEVANCE",
    "PRACT-CONTEXT",
    "CERT-LAPSED",
    "CERT-ETHICS",
    "DEV-CE",
    "COMM-PROBONO",
    "CONDUCT-CHARGE",
    "CONDUCT-DUAL",
    "CONDUCT-IMPAIRED",
]


@pytest.fixture(scope="module")
def default_demo() -> Demo:
    """The demo `trc demo` writes with no options (40 coaches, 24 months, seed 7)."""
    return make_demo(today=TODAY)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _days(n: int) -> pl.Expr:
    return pl.duration(days=n)


# --- complete, typed, reproducible -----------------------------------------------------------


def test_every_table_of_the_schema_is_present_non_empty_typed_and_in_column_order(demo_frames):
    schema = load_schema()
    assert list(demo_frames) == schema.names
    for name, frame in demo_frames.items():
        assert frame.height > 0, name
        assert frame.schema == pl.Schema(schema[name].polars_schema), name


def test_primary_keys_are_unique_and_references_hold(demo_frames):
    schema = load_schema()
    for table in schema:
        frame = demo_frames[table.name]
        assert not frame.select(table.primary_key).is_duplicated().any(), table.name
        for fk in table.foreign_keys:
            refs = frame[fk.fields].drop_nulls().unique()
            known = demo_frames[fk.resource][fk.reference_fields]
            assert refs.is_in(known.implode()).all(), f"{table.name}.{fk.fields}"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path, fmt):
    small = {"coaches": 8, "months": 6, "start": dt.date(2025, 7, 1)}
    write_frames(build_demo(DemoConfig(seed=3, **small)).frames, tmp_path / "a", format=fmt)
    write_frames(build_demo(DemoConfig(seed=3, **small)).frames, tmp_path / "b", format=fmt)
    write_frames(build_demo(DemoConfig(seed=4, **small)).frames, tmp_path / "c", format=fmt)
    first, again, other = (_bytes(tmp_path / x) for x in "abc")
    assert len(first) == 19  # the 17 tables of the spec, supervision_actions, measures
    assert first == again
    assert first["sessions." + fmt] != other["sessions." + fmt]


@pytest.mark.slow
def test_the_bytes_do_not_depend_on_the_number_of_threads(tmp_path):
    """Another machine (one core, or many) writes the same files: run `trc demo` in a process
    limited to one polars thread and compare with this process."""
    import subprocess
    import sys

    args = ["--coaches", "20", "--months", "12", "--start", "2025-07-01", "--format", "parquet"]
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "trc_analytics",
            "demo",
            str(tmp_path / "one"),
            *args,
            "--today",
            "2026-11-30",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    cfg = DemoConfig(coaches=20, months=12, start=dt.date(2025, 7, 1))
    write_frames(build_demo(cfg).frames, tmp_path / "many", format="parquet")
    assert _bytes(tmp_path / "one") == _bytes(tmp_path / "many")


def test_ids_carry_their_table_prefix_and_no_free_text(default_demo):
    f = default_demo.frames
    patterns = {
        ("coaches", "coach_id"): r"^C-\d{4}$",
        ("clients", "client_id"): r"^CL-\d{6}$",
        ("engagements", "engagement_id"): r"^E-\d{6}$",
        ("engagements", "group_id"): r"^G-\d{4}$",
        ("sessions", "session_id"): r"^S-\d{8}$",
        ("referrals", "service_id"): r"^V-\d{4}$",
        ("supervision", "supervisor_id"): r"^(C|XS)-\d{4}$",
    }
    for (table, column), pattern in patterns.items():
        assert f[table][column].drop_nulls().str.contains(pattern).all(), (table, column)
    assert f["sessions"]["currency"].unique().to_list() == ["USD"]
    assert f["coaches"]["coach_id"][0] == SHOWCASE_COACH


# --- valid ------------------------------------------------------------------------------------


def test_the_small_demo_passes_validation(demo_dir):
    from trc_analytics.records.validate import validate_workspace

    assert validate_workspace(demo_dir, today=SMALL_DEMO.end).is_empty()


def test_the_small_demo_loads_as_a_workspace(demo_workspace, demo_frames):
    assert demo_workspace.present == list(demo_frames)
    assert demo_workspace["sessions"].equals(demo_frames["sessions"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "fmt"),
    [
        ({}, "csv"),  # the default demo
        ({"coaches": 8, "months": 6, "start": dt.date(2026, 1, 1), "seed": 1}, "parquet"),
        ({"coaches": 25, "months": 18, "start": dt.date(2020, 3, 1), "seed": 11}, "csv"),
        ({"coaches": 60, "months": 36, "start": dt.date(2023, 7, 1), "seed": 5}, "parquet"),
        ({"coaches": 40, "months": 24, "seed": 2, "finding_rate": 0.15}, "parquet"),
    ],
)
def test_demos_of_several_seeds_and_sizes_pass_validation(tmp_path, options, fmt):
    from trc_analytics.records.validate import validate_workspace

    cfg = DemoConfig(**options)
    write_frames(build_demo(cfg).frames, tmp_path, format=fmt)
    problems = validate_workspace(tmp_path, today=cfg.end)
    assert problems.is_empty(), problems.head(10)


@pytest.mark.slow
def test_the_workbook_is_one_valid_reproducible_xlsx_with_a_sheet_per_table(tmp_path):
    from openpyxl import load_workbook

    from trc_analytics.records.validate import validate_workspace

    cfg = DemoConfig(coaches=8, months=6, start=dt.date(2025, 7, 1), seed=3)
    frames = build_demo(cfg).frames
    write_frames(frames, tmp_path / "a", format="xlsx")
    write_frames(frames, tmp_path / "b", format="xlsx")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert [p.name for p in (tmp_path / "a").iterdir()] == [WORKBOOK_NAME]
    workbook = load_workbook(tmp_path / "a" / WORKBOOK_NAME, read_only=True)
    assert workbook.sheetnames == list(frames)
    assert validate_workspace(tmp_path / "a", today=cfg.end).is_empty()


# --- realistic --------------------------------------------------------------------------------


def test_regions_differ_in_size_and_the_islands_have_one_or_two_coaches(default_demo, demo_frames):
    for frames in (default_demo.frames, demo_frames):
        sizes = dict(frames["coaches"].group_by("region").len().iter_rows())
        assert set(sizes) == {"north", "south", "east", "west", "islands"}
        assert 1 <= sizes["islands"] <= 2
        assert sizes["north"] >= 3 * sizes["islands"]


def test_supervisors_are_coaches_with_the_credential_each_guiding_three_to_eight(default_demo):
    f = default_demo.frames
    coaches = f["coaches"]
    portfolio = (
        coaches.filter(pl.col("supervisor_id").is_in(coaches["coach_id"].implode()))
        .group_by("supervisor_id")
        .len()
    )
    assert portfolio["len"].min() >= 3 and portfolio["len"].max() <= 8
    holders = f["credentials"].filter(pl.col("credential") == "supervisor")["coach_id"]
    assert portfolio["supervisor_id"].is_in(holders.implode()).all()


def test_the_small_demo_keeps_what_the_fixtures_promise(demo_frames):
    coaches = demo_frames["coaches"]
    showcase_supervisor = coaches.filter(pl.col("coach_id") == SHOWCASE_COACH)["supervisor_id"][0]
    assert (coaches["supervisor_id"] == showcase_supervisor).sum() >= 2
    sessions = demo_frames["sessions"].filter(
        (pl.col("coach_id") == SHOWCASE_COACH)
        & pl.col("held_on").is_between(SHOWCASE_PERIOD.start, SHOWCASE_PERIOD.end)
    )
    assert sessions.filter(pl.col("status") == "held")["client_id"].n_unique() >= 5


def test_credentials_show_every_state_at_the_end_of_the_records(default_demo):
    end = default_demo.config.end
    due = POLICY.credential_due_days
    latest = (
        default_demo.frames["credentials"]
        .group_by("coach_id", "credential")
        .agg(pl.col("expires_on").max())
    )
    state = latest.select(
        pl.when(pl.col("expires_on") > pl.lit(end) + _days(due))
        .then(pl.lit("current"))
        .when(pl.col("expires_on") > pl.lit(end))
        .then(pl.lit("due"))
        .when(pl.col("expires_on").dt.offset_by(f"{POLICY.credential_grace_months}mo") > end)
        .then(pl.lit("in grace"))
        .otherwise(pl.lit("lapsed"))
        .alias("state")
    )["state"]
    counts = state.value_counts().to_dict(as_series=False)
    counts = dict(zip(counts["state"], counts["count"], strict=True))
    assert set(counts) == {"current", "due", "in grace", "lapsed"}
    assert counts["current"] > counts["due"] > 0


def test_intake_is_seasonal_and_the_caseload_is_steady_from_the_first_month(default_demo):
    f = default_demo.frames
    one_to_one = f["engagements"].filter(pl.col("format") == "one_to_one").select("client_id")
    new_clients = (
        f["clients"]
        .join(one_to_one, on="client_id")
        .filter(pl.col("intake_on") >= default_demo.config.start)
    )
    by_month = dict(new_clients.group_by(pl.col("intake_on").dt.month()).len().iter_rows())
    assert by_month[1] > 1.3 * by_month[7]
    monthly = (
        f["sessions"].group_by(pl.col("held_on").dt.truncate("1mo")).len().sort("held_on")["len"]
    )
    assert monthly[0] > 0.75 * monthly.median()


def test_engagements_mostly_last_months_with_a_long_tail(default_demo):
    one = default_demo.frames["engagements"].filter(
        (pl.col("format") == "one_to_one")
        & pl.col("end_reason").ne_missing("excluded_after_assessment")
    )
    days = one.select((pl.col("ended_on") - pl.col("started_on")).dt.total_days()).to_series()
    assert 40 <= days.median() <= 150
    assert days.quantile(0.99) > 365
    assert one["end_reason"].null_count() > 0  # some are still open
    reasons = set(one["end_reason"].drop_nulls())
    assert {"completed", "client_withdrew", "referred_out", "transferred_to_therapy"} <= reasons


def test_group_work_has_members_and_psychoeducation_is_no_coaching_relationship(default_demo):
    f = default_demo.frames
    e = f["engagements"]
    assert {"group", "retreat", "psychoeducation", "course"} <= set(e["format"])
    groupish = e.filter(pl.col("format") != "one_to_one")
    assert groupish["client_id"].is_null().all() and groupish["group_id"].is_not_null().all()
    assert not e.filter(pl.col("format").is_in(["psychoeducation", "course"]))[
        "coaching_relationship"
    ].any()
    sizes = f["group_members"].group_by("group_id").len()["len"]
    assert sizes.min() >= 5
    group_sessions = f["sessions"].join(groupish.select("engagement_id"), on="engagement_id")
    assert group_sessions.height > 0 and group_sessions["client_id"].is_null().all()


def test_pro_bono_shares_differ_a_lot_between_coaches(default_demo):
    held = default_demo.frames["sessions"].filter(pl.col("status") == "held")
    share = held.group_by("coach_id").agg((pl.col("fee_type") != "paid").mean().alias("share"))
    assert share["share"].min() == 0.0
    assert share["share"].max() > 0.3
    statuses = set(default_demo.frames["sessions"]["status"])
    assert {"held", "no_show", "cancelled", "rescheduled_other"} <= statuses


def test_assessments_come_first_and_referrals_go_to_vetted_services_mostly(default_demo):
    f = default_demo.frames
    first = (
        f["sessions"]
        .filter((pl.col("status") == "held") & pl.col("client_id").is_not_null())
        .group_by("engagement_id")
        .agg(pl.col("held_on").min().alias("first"))
    )
    assessed = first.join(
        f["safety_assessments"].select("engagement_id", "assessed_on"),
        on="engagement_id",
        how="left",
    )
    on_time = (pl.col("assessed_on") <= pl.col("first")).fill_null(False)
    assert 0.9 < assessed.select(on_time.mean()).item() < 1.0
    first_vetting = (
        f["vetted_services"].group_by("coach_id", "service_id").agg(pl.col("vetted_on").min())
    )
    vetted = f["referrals"].join(
        first_vetting, on=["coach_id", "service_id"], how="left", suffix="_v"
    )
    share = vetted.select((pl.col("vetted_on") <= pl.col("referred_on")).fill_null(False).mean())
    assert 0.9 < share.item() < 1.0


# --- planted cases ----------------------------------------------------------------------------


def _sessions_on(f, m) -> pl.DataFrame:
    """Held sessions of the planted engagement on the planted day."""
    return (
        f["sessions"]
        .join(
            m.select("engagement_id", pl.col("on").alias("held_on")),
            on=["engagement_id", "held_on"],
        )
        .filter(pl.col("status") == "held")
    )


def _sra(f, m):
    a = f["safety_assessments"].select("client_id", "engagement_id", "assessed_on")
    ok = m.join(a, on=["client_id", "engagement_id"]).filter(pl.col("assessed_on") <= pl.col("on"))
    unassessed = m.join(ok, on=["client_id", "engagement_id"], how="anti")
    # A coaching format marked not a coaching relationship (classification to confirm).
    marked = f["engagements"].filter(
        ~pl.col("coaching_relationship")
        & pl.col("format").is_in(["one_to_one", "group", "retreat"])
    )
    return pl.concat([unassessed, m.join(marked.select("engagement_id"), on="engagement_id")])


RISK_REFERRALS = ["addiction", "self_harm", "suicidality"]


def _excluded(f, m):
    a = f["safety_assessments"].filter(pl.col("outcome") == "excluded")
    r = f["referrals"].filter(pl.col("reason").is_in(RISK_REFERRALS))
    starts = pl.concat(
        [
            a.select("client_id", "assessed_on"),
            r.select("client_id", assessed_on="referred_on"),
        ]
    )
    s = f["sessions"].filter(pl.col("status") == "held").select("client_id", "held_on")
    hits = m.join(starts, on="client_id").join(s, on="client_id")
    return hits.filter(pl.col("held_on") > pl.col("assessed_on"))


def _flag(column: str) -> Callable:
    return lambda f, m: _sessions_on(f, m).filter(pl.col(column))


def _influence(f, m):
    """A session of the case with the client under the influence, not rescheduled for it."""
    return (
        f["sessions"]
        .join(
            m.select("engagement_id", pl.col("on").alias("held_on")),
            on=["engagement_id", "held_on"],
        )
        .filter(
            pl.col("client_under_influence") & (pl.col("status") != "rescheduled_under_influence")
        )
    )


def _decomp(f, m):
    observed = _sessions_on(f, m).filter(pl.col("decompensation_observed"))
    therapy = f["referrals"].filter(
        pl.col("service_type").is_in(["therapist", "psychiatrist", "crisis_service"])
    )
    referred = observed.join(therapy.select("client_id", "referred_on"), on="client_id").filter(
        (pl.col("referred_on") >= pl.col("held_on"))
        & (pl.col("referred_on") <= pl.col("held_on") + _days(POLICY.decompensation_referral_days))
    )
    return observed.join(referred, on="session_id", how="anti")


def _reassess(f, m):
    """The held session of the case, after a risk event (two under-influence episodes of the
    client within 90 days, or a referral for addiction, self-harm or suicidality), with no
    safety assessment of the client between the event and it."""
    s = f["sessions"].join(m.select("client_id", "on"), on="client_id")
    episodes = s.filter(pl.col("client_under_influence") & (pl.col("held_on") < pl.col("on")))
    days = episodes["held_on"].sort().to_list()
    events = [b for a, b in itertools.pairwise(days) if (b - a).days <= 90]
    referrals = f["referrals"].join(m.select("client_id", "on"), on="client_id")
    events += referrals.filter(
        pl.col("reason").is_in(RISK_REFERRALS) & (pl.col("referred_on") < pl.col("on"))
    )["referred_on"].to_list()
    if not events:
        return s.head(0)
    second = max(events)
    assessed = f["safety_assessments"].join(m.select("client_id"), on="client_id")
    if assessed.filter(
        pl.col("assessed_on").is_between(second + dt.timedelta(days=1), m["on"][0])
    ).height:
        return s.head(0)
    return s.filter((pl.col("held_on") == pl.col("on")) & (pl.col("status") == "held"))


def _out_of_scope(f, m):
    oos = sorted(load_schema().out_of_scope_areas)
    s = _sessions_on(f, m).filter(pl.col("area").is_in(oos))
    s = s.join(f["coaches"].filter(~pl.col("therapy_licensed")).select("coach_id"), on="coach_id")
    return s.join(f["trainings"].select("coach_id", "area"), on=["coach_id", "area"], how="anti")


def _competence(f, m):
    days = POLICY.competence_supervision_days
    first = m.with_columns(held_on=pl.col("on") - _days(days))
    s = f["sessions"].join(
        first.select("engagement_id", "held_on"), on=["engagement_id", "held_on"]
    )
    declared = f["competencies"].filter(pl.col("basis") != "lived_experience")
    s = s.join(declared.select("coach_id", "area"), on=["coach_id", "area"], how="anti")
    sup = f["supervision"].select("coach_id", "area", "met_on")
    after = (pl.col("met_on") - pl.col("held_on")).dt.total_days()
    covered = s.join(sup, on=["coach_id", "area"]).filter(
        after.is_between(-POLICY.competence_supervision_lookback_days, days)
    )
    return s.join(covered, on="session_id", how="anti")


def _population(f, m):
    c = m.select("client_id").join(f["clients"], on="client_id").join(f["coaches"], on="coach_id")
    return c.filter(
        ((pl.col("age_band") == "under_18") & ~pl.col("trained_minors"))
        | (pl.col("client_type").is_in(["couple", "family"]) & ~pl.col("trained_couples_families"))
    )


def _unqualified_supervisor(f, m):
    """The planted meeting's supervisor is a coach of the workspace with no supervisor
    credential covering that day."""
    meeting = f["supervision"].join(
        m.select("coach_id", pl.col("on").alias("met_on")), on=["coach_id", "met_on"]
    )
    inside = meeting.join(f["coaches"].select(supervisor_id="coach_id"), on="supervisor_id")
    current = f["credentials"].filter(pl.col("credential") == "supervisor")
    covered = inside.join(
        current.select(supervisor_id="coach_id", c_from="certified_on", c_to="expires_on"),
        on="supervisor_id",
    ).filter(pl.col("met_on").is_between(pl.col("c_from"), pl.col("c_to")))
    return inside.join(covered.select("supervision_id"), on="supervision_id", how="anti")


def _psychoactive(f, m):
    s = _sessions_on(f, m).filter(pl.col("psychoactive_used")).join(f["coaches"], on="coach_id")
    notified = pl.col("psychoactive_psc_notified_on") <= pl.col("held_on")
    trained = pl.col("psychoactive_trained_on") <= pl.col("held_on")
    insured = (pl.col("psychoactive_insured_from") <= pl.col("held_on")) & (
        pl.col("psychoactive_insured_to").is_null()
        | (pl.col("psychoactive_insured_to") >= pl.col("held_on"))
    )
    complete = trained & insured & notified
    return s.filter(~complete.fill_null(False))


def _unvetted(f, m):
    """Referred to a service the coach had not vetted by then, or vetted too long before."""
    r = f["referrals"].join(
        m.select("coach_id", "client_id", pl.col("on").alias("referred_on")),
        on=["coach_id", "client_id", "referred_on"],
    )
    valid = f"{POLICY.vetting_valid_months}mo"
    vetted = r.join(f["vetted_services"], on=["coach_id", "service_id"]).filter(
        (pl.col("vetted_on") <= pl.col("referred_on"))
        & (pl.col("vetted_on").dt.offset_by(valid) >= pl.col("referred_on"))
    )
    return r.join(vetted, on="referral_id", how="anti")


def _abandoned(f, m):
    """Ended by the coach or the assessment without explanation and referral, or left open with
    no held session for more than the silent days before the planted day."""
    e = f["engagements"].join(m.select("engagement_id", "on"), on="engagement_id")
    ended_by_coach = pl.col("end_reason").is_in(
        ["coach_released_client", "coach_closed_practice", "excluded_after_assessment"]
    )
    handed_over = (
        pl.col("exit_explained").fill_null(False) & pl.col("exit_referral_id").is_not_null()
    )
    held = f["sessions"].filter(pl.col("status") == "held")
    last = held.group_by("engagement_id").agg(pl.col("held_on").max().alias("last"))
    silent = pl.col("ended_on").is_null() & (
        pl.col("last") + _days(POLICY.silent_engagement_days) < pl.col("on")
    )
    e = e.join(last, on="engagement_id", how="left")
    return e.filter((ended_by_coach & ~handed_over) | silent)


def _disclosure(f, m):
    d = f["disclosures"].filter(pl.col("basis") == "none")
    return d.join(
        m.select("client_id", pl.col("on").alias("disclosed_on")), on=["client_id", "disclosed_on"]
    )


def _mandatory(f, m):
    r = f["mandatory_reports"].join(
        m.select("client_id", pl.col("on").alias("concern_on")), on=["client_id", "concern_on"]
    )
    deadline = pl.col("concern_on") + _days(POLICY.mandatory_report_days)
    return r.filter(pl.col("reported_on").is_null() | (pl.col("reported_on") > deadline))


def _refund(f, m):
    c = f["clients"].join(m.select("client_id", "on"), on="client_id")
    return c.filter(
        (pl.col("fee_basis") == "paying")
        & (
            pl.col("refund_policy_given_on").is_null()
            | (pl.col("refund_policy_given_on") > pl.col("on"))
        )
    )


def _notice(column: str, days: int) -> Callable:
    def evidence(f, m):
        c = f["clients"].join(m.select("client_id"), on="client_id")
        late = pl.col(column) > pl.col("intake_on") + _days(days)
        return c.filter(pl.col(column).is_null() | late)

    return evidence


def _lapsed(f, m):
    """The latest credential of a kind expired on the day (in grace) or six months before it
    (grace over), and was never renewed."""
    latest = f["credentials"].group_by("coach_id", "credential").agg(pl.col("expires_on").max())
    grace = f"-{POLICY.credential_grace_months}mo"
    return latest.join(m.select("coach_id", "on"), on="coach_id").filter(
        (pl.col("expires_on") == pl.col("on"))
        | (pl.col("expires_on") == pl.col("on").dt.offset_by(grace))
    )


def _ethics(f, m):
    cycle = f"-{POLICY.renewal_cycle_months}mo"
    cred = f["credentials"].join(
        m.select("coach_id", pl.col("on").alias("certified_on")), on=["coach_id", "certified_on"]
    )
    earlier = f["credentials"].select(
        "coach_id", "credential", pl.col("certified_on").alias("before")
    )
    renewals = cred.join(earlier, on=["coach_id", "credential"]).filter(
        pl.col("before") < pl.col("certified_on")
    )
    reviews = (
        f["trainings"].filter(pl.col("kind") == "ethics_review").select("coach_id", "completed_on")
    )
    reviewed = renewals.join(reviews, on="coach_id").filter(
        pl.col("completed_on").is_between(
            pl.col("certified_on").dt.offset_by(cycle), pl.col("certified_on")
        )
    )
    bare = renewals.filter(pl.col("ethics_review_on").is_null())
    return bare.join(reviewed.select("coach_id").unique(), on="coach_id", how="anti")


def _no_training(f, m):
    window = f"-{POLICY.training_window_months}mo"
    recent = (
        f["trainings"]
        .join(m.select("coach_id", "on"), on="coach_id")
        .filter(pl.col("completed_on").is_between(pl.col("on").dt.offset_by(window), pl.col("on")))
    )
    return m.join(recent.select("coach_id").unique(), on="coach_id", how="anti")


def _no_giving(f, m):
    affordable = f["sessions"].filter(pl.col("fee_type") != "paid")["coach_id"]
    served = f["community_service"]["coach_id"]
    return m.filter(
        ~pl.col("coach_id").is_in(affordable.implode())
        & ~pl.col("coach_id").is_in(served.implode())
    )


def _unpublished_refund_policy(f, m):
    """The coach has no published refund policy and took a fee in the six months before."""
    unpublished = f["coaches"].filter(~pl.col("refund_policy_published"))
    fees = f["sessions"].filter(
        (pl.col("status") == "held") & pl.col("fee_type").is_in(["paid", "reduced"])
    )
    return (
        m.join(unpublished.select("coach_id"), on="coach_id")
        .join(fees.select("coach_id", "held_on"), on="coach_id")
        .filter(pl.col("held_on").is_between(pl.col("on").dt.offset_by("-6mo"), pl.col("on")))
    )


def _conduct(kind: str, days: int | None) -> Callable:
    def evidence(f, m):
        e = (
            f["conduct_events"]
            .filter(pl.col("kind") == kind)
            .join(
                m.select("coach_id", pl.col("on").alias("occurred_on")),
                on=["coach_id", "occurred_on"],
            )
        )
        if days is None:
            return e
        late = pl.col("reported_on") > pl.col("occurred_on") + _days(days)
        return e.filter(pl.col("reported_on").is_null() | late)

    return evidence


#: For each check: the records that show a planted case is there (one row or more per case).
EVIDENCE: dict[str, Callable[[dict, pl.DataFrame], pl.DataFrame]] = {
    "SAFE-SRA": _sra,
    "SAFE-EXCLUDED": _excluded,
    "SAFE-INFLUENCE": _influence,
    "SAFE-TRIGGERED": _flag("left_triggered_unsafe"),
    "SAFE-DECOMP": _decomp,
    "SAFE-REASSESS": _reassess,
    "SCOPE-PRACTICE": _out_of_scope,
    "SCOPE-COMPETENCE": _competence,
    "SCOPE-POPULATION": _population,
    "SCOPE-PSYCHOACTIVE": _psychoactive,
    "SUPERVISOR-QUALIFIED": _unqualified_supervisor,
    "REFER-VETTED": _unvetted,
    "REFER-ABANDON": _abandoned,
    "CONF-DISCLOSURE": _disclosure,
    "CONF-MANDATORY": _mandatory,
    "PRACT-REFUND": _refund,
    "PRACT-REFUND-POLICY": _unpublished_refund_policy,
    "PRACT-GRIEVANCE": _notice("grievance_policy_given_on", POLICY.grievance_notice_days),
    "PRACT-CONTEXT": _notice("context_explored_on", POLICY.context_explored_days),
    "CERT-LAPSED": _lapsed,
    "CERT-ETHICS": _ethics,
    "DEV-CE": _no_training,
    "COMM-PROBONO": _no_giving,
    "CONDUCT-CHARGE": _conduct("criminal_charge", POLICY.charge_report_days),
    "CONDUCT-DUAL": _conduct("dual_relationship", None),
    "CONDUCT-IMPAIRED": _conduct("impaired_session", None),
}


def test_the_planted_checks_are_the_whole_catalogue_of_spec_section_4():
    assert list(PLANTED_CHECKS) == SPEC_CHECKS
    assert set(EVIDENCE) == set(PLANTED_CHECKS)
    assert set(SHOWCASE_CHECKS) < set(PLANTED_CHECKS)


@pytest.mark.parametrize("check_id", PLANTED_CHECKS)
def test_every_check_is_planted_in_the_records_and_first_in_the_showcase_period(
    default_demo, demo, check_id
):
    for built in (default_demo, demo):
        cases = built.planted.filter(pl.col("check_id") == check_id)
        assert cases.height >= 1
        first = cases.filter(pl.col("first"))
        assert 1 <= first.height <= 2  # CERT-LAPSED: one in grace, one past grace
        assert first["on"].is_between(SHOWCASE_PERIOD.start, SHOWCASE_PERIOD.end).all()
        evidence = EVIDENCE[check_id]
        for case in cases.iter_slices(1):
            assert evidence(built.frames, case).height >= 1, case.to_dicts()


def test_the_showcase_coach_has_a_few_findings_and_mostly_good_practice(default_demo):
    mine = default_demo.planted.filter(pl.col("coach_id") == SHOWCASE_COACH)
    assert sorted(set(mine["check_id"])) == sorted(SHOWCASE_CHECKS)
    assert mine.filter(
        pl.col("on").is_between(SHOWCASE_PERIOD.start, SHOWCASE_PERIOD.end)
    ).height == len(mine)
    held = default_demo.frames["sessions"].filter(
        (pl.col("coach_id") == SHOWCASE_COACH) & (pl.col("status") == "held")
    )
    assert held.height > 20 * mine.height
    # Two competence gaps: one unsupervised (planted), one worked under supervision.
    gap_supervision = default_demo.frames["supervision"].filter(
        (pl.col("coach_id") == SHOWCASE_COACH) & (pl.col("reason") == "competence_gap")
    )
    assert gap_supervision.height >= 1
    assert gap_supervision["area"][0] not in mine["note"].str.extract(r": (\w+)$").to_list()


def test_a_higher_finding_rate_plants_more_cases_and_zero_plants_none():
    small = {"coaches": 20, "months": 12, "start": dt.date(2025, 7, 1)}
    counts = [
        build_demo(DemoConfig(finding_rate=rate, **small)).planted.height for rate in (0, 0.03, 0.2)
    ]
    assert counts[0] == 0 < counts[1] < counts[2]


def test_near_misses_are_in_the_records(default_demo):
    f = default_demo.frames
    s = f["sessions"]
    # An under-influence session rescheduled, as the Code asks.
    assert s.filter(pl.col("status") == "rescheduled_under_influence")[
        "client_under_influence"
    ].all()
    # Decompensation followed by a transfer to therapy within days.
    decomp = s.filter(pl.col("decompensation_observed"))
    transfers = f["referrals"].filter(pl.col("reason") == "decompensation")
    quick = decomp.join(transfers, on="client_id").filter(
        (pl.col("referred_on") - pl.col("held_on"))
        .dt.total_days()
        .is_between(0, POLICY.decompensation_referral_days)
    )
    assert quick.height >= 1
    # A new safety assessment (trigger risk_event) on the day a client left triggered and unsafe.
    reassessed = (
        s.filter(pl.col("left_triggered_unsafe"))
        .select("client_id", assessed_on="held_on")
        .join(f["safety_assessments"], on=["client_id", "assessed_on"])
        .filter(pl.col("trigger") == "risk_event")
    )
    assert reassessed.height >= 1
    # Lapse past grace remediated by 6 hours one-to-one with one supervisor.
    remedial = f["supervision"].filter(
        (pl.col("reason") == "renewal_lapse") & (pl.col("format") == "one_to_one")
    )
    hours = remedial.group_by("coach_id", "supervisor_id").agg(pl.col("hours").sum())
    assert (hours["hours"] >= POLICY.lapse_supervision_hours).any()
    # Psychoactive practice meeting every criterion; hypnosis backed by training.
    coaches = f["coaches"]
    assert (
        coaches.filter(
            pl.col("psychoactive_practice")
            & pl.col("psychoactive_trained_on").is_not_null()
            & pl.col("psychoactive_insured_from").is_not_null()
            & pl.col("psychoactive_psc_notified_on").is_not_null()
        ).height
        >= 1
    )
    hypnosis = s.filter(pl.col("area") == "hypnosis")["coach_id"].unique()
    trained = f["trainings"].filter(pl.col("area") == "hypnosis")["coach_id"]
    assert hypnosis.len() >= 1 and hypnosis.is_in(trained.implode()).all()
    # A criminal charge reported within the 10 days.
    charges = f["conduct_events"].filter(pl.col("kind") == "criminal_charge")
    in_time = pl.col("reported_on") <= pl.col("occurred_on") + _days(POLICY.charge_report_days)
    assert charges.filter(in_time).height >= 1
    # A charge of another kind, never reported: no duty to report it.
    other = charges.filter(pl.col("charge_kind") == "other")
    assert other.height >= 1 and other["reported_on"].is_null().all()
    # A client met in the community and not acknowledged.
    met = f["conduct_events"].filter(pl.col("dual_kind") == "incidental_community")
    assert (~met["client_acknowledged"]).any()
    # Past abuse a client tells of, never reported: only current abuse must be.
    past = f["mandatory_reports"].filter(~pl.col("abuse_current"))
    assert past.height >= 1 and past["reported_on"].is_null().all()
    # Every referral rests on a vetting renewed within the months allowed (re-vetting rows).
    assert f["vetted_services"].group_by("coach_id", "service_id").len()["len"].max() > 1


# --- the check catalogue finds them -----------------------------------------------------------


def _run_checks():
    return pytest.importorskip(
        "trc_analytics.checks", reason="the check catalogue (trc_analytics.checks) is not there yet"
    ).run_checks


def test_every_planted_case_is_found_by_the_checks_on_the_small_demo(demo, demo_workspace):
    run_checks = _run_checks()
    for period, planted in (
        (SHOWCASE_PERIOD, demo.planted.filter(pl.col("first"))),
        (SMALL_DEMO.window, demo.planted),
    ):
        findings = run_checks(demo_workspace, period).findings
        assert set(findings["check_id"]) == set(PLANTED_CHECKS)
        pairs = planted.select("check_id", "coach_id").unique()
        missed = pairs.join(findings, on=["check_id", "coach_id"], how="anti")
        assert missed.is_empty(), missed


def test_the_default_demo_fires_every_check_over_its_whole_window(default_demo):
    from trc_analytics.records.workspace import Workspace

    findings = _run_checks()(
        Workspace.from_frames(default_demo.frames), default_demo.config.window
    ).findings
    assert set(findings["check_id"]) == set(PLANTED_CHECKS)


def test_without_planted_cases_no_check_fires_so_the_near_misses_are_not_findings():
    from trc_analytics.records.workspace import Workspace

    run_checks = _run_checks()
    built = build_demo(DemoConfig(finding_rate=0))
    ws = Workspace.from_frames(built.frames)
    assert built.planted.is_empty()
    for period in (SHOWCASE_PERIOD, built.config.window):
        findings = run_checks(ws, period).findings
        assert findings.is_empty(), findings.head(5)


# --- parameters and the command ----------------------------------------------------------------


def test_generate_demo_returns_the_frames_and_refuses_records_after_today():
    frames = generate_demo(coaches=8, months=6, start="2025-07-01", today=TODAY)
    assert frames["coaches"].height == 8
    with pytest.raises(DemoError, match="after today"):
        generate_demo(start=dt.date(2026, 6, 1), months=24, today=TODAY)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"coaches": 3}, "--coaches must be at least"),
        ({"months": 2}, "--months must be at least"),
        ({"coaches": 20_000, "months": 24}, "at most 250,000"),
        ({"finding_rate": 0.9}, "finding_rate"),
        ({"start": "2025-02-30"}, "not a date"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(options, message):
    with pytest.raises(DemoError, match=message):
        make_demo(today=TODAY, **options)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_trc_demo_writes_an_owner_only_workspace_and_says_what_it_holds(tmp_path):
    target = tmp_path / "demo"
    result = CliRunner().invoke(
        main,
        [
            "demo",
            str(target),
            "--coaches",
            "8",
            "--months",
            "6",
            "--start",
            "2025-07-01",
            "--today",
            "2026-11-30",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "8 coaches" in result.output and f"{len(PLANTED_CHECKS)} ethics checks" in result.output
    files = sorted(p.name for p in target.iterdir())
    assert files == sorted(f"{name}.csv" for name in load_schema().names)
    assert _mode(target) == 0o700
    assert {_mode(p) for p in target.iterdir()} == {0o600}


def test_trc_demo_refuses_a_folder_with_table_files_unless_forced(tmp_path):
    target = tmp_path / "ws"
    target.mkdir()
    (target / "coaches.csv").write_text("coach_id,region,active\nC-9,north,true\n")
    args = [
        "demo",
        str(target),
        "--coaches",
        "8",
        "--months",
        "6",
        "--start",
        "2025-07-01",
        "--today",
        "2026-11-30",
    ]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert "already holds table files" in refused.output and "--force" in refused.output
    assert (target / "coaches.csv").read_text().startswith("coach_id,region,active\nC-9")

    forced = CliRunner().invoke(main, [*args, "--force", "--format", "parquet"])
    assert forced.exit_code == 0, forced.output
    names = {p.name for p in target.iterdir()}
    assert "coaches.parquet" in names and "coaches.csv" not in names


def test_trc_demo_refuses_records_that_would_end_after_today(tmp_path):
    result = CliRunner().invoke(
        main, ["demo", str(tmp_path / "x"), "--start", "2026-06-01", "--today", "2026-11-30"]
    )
    assert result.exit_code == 2
    assert "ends on 2028-05-31, after today (2026-11-30)" in result.output
    assert not (tmp_path / "x").exists()


def test_write_demo_returns_the_files_and_the_planted_cases(tmp_path):
    built = write_demo(
        tmp_path / "w", format="parquet", coaches=8, months=6, start="2025-07-01", today=TODAY
    )
    assert len(built.files) == 19 and all(p.suffix == ".parquet" for p in built.files)
    assert set(built.planted["check_id"]) == set(PLANTED_CHECKS)
