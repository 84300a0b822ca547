"""`trc coaching-log`: the log's rows and totals against figures worked out by hand
(`progress_world`), names filled in from the coach's own export by recomputing pseudonyms, the
workbook read back by LibreOffice, and the command's refusals."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess

import polars as pl
import pytest
from click.testing import CliRunner
from progress_world import AS_OF, POLICY, world, write_policy, write_world

from trc_analytics.cli import main
from trc_analytics.records.pseudonymize import pseudonymize
from trc_analytics.reports.coaching_log import TOTAL, build_log, write_log

HEADER = [
    "Client", "Individual or group", "Number in group", "Start date", "End date", "Paid hours",
    "Pro-bono hours",
]  # fmt: skip
#: The rows of C-1's log, by hand (module doc of progress_world): K-3 did not consent and G-2
#: is above the cap, so both are left out and the totals are 2 + 2.5 + 1 = 5.5 paid, 1 pro bono.
ROWS = [
    ["group G-1", "group", "3", "2026-02-10", "2026-02-10", "2", "0"],
    ["K-1", "individual", "", "2025-03-01", "2026-02-01", "2.5", "0"],
    ["K-2", "individual", "", "2026-04-01", "2026-06-01", "1", "1"],
    [TOTAL, "", "", "", "", "5.5", "1"],
]
LEFT_OUT = [
    "Left out: 1 client who did not agree to appear in the log (icf_log_consent = false), 2 hours.",
    "Left out: 1 group of more than 3 members, 3 hours (not counted as coaching experience).",
]
#: Synthetic names and contacts of the coach's own export (never real-looking details).
NAMES = {
    "K-1": ("Client Avery Example", "avery@example.org", "555-0101"),
    "K-2": ("Client Blake Example", "blake@example.org", "555-0102"),
    "K-3": ("Client Casey Example", "casey@example.org", "555-0103"),
    "K-4": ("Client Devon Example", "devon@example.org", "555-0104"),
    "K-5": ("Client Emery Example", "emery@example.org", "555-0105"),
}


def _numbers(rows: list[list[str]]) -> list[list[str]]:
    """Cells as written by any tool: `2.0` and `2` alike."""
    out = []
    for r in rows:
        out.append(
            [f"{float(c):g}" if c.replace(".", "").isdigit() and "-" not in c else c for c in r]
        )
    return out


def _read_csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_rows_and_totals_by_hand(tmp_path):
    log = build_log(world(), "C-1", as_of=AS_OF, policy=POLICY)
    path = write_log(log, tmp_path / "out" / "log.csv")
    lines = _read_csv(path)
    assert lines[0] == HEADER
    assert _numbers(lines[1:5]) == ROWS
    notes = [r[0] for r in lines[5:] if r[0]]
    assert notes[0].startswith("Held coaching sessions from 2025-01-01")
    assert notes[1:] == LEFT_OUT
    assert (log.clients, log.groups, log.left_out_clients, log.left_out_groups) == (2, 1, 1, 1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_hours_brought_forward_are_a_line_under_the_totals_not_rows(tmp_path):
    """C-1's earlier log (100 h, 80 paid, 7 clients, to 2026-02-01) holds K-1's own sessions:
    no K-1 row, the same K-2, G-1 rows, and one line for what was brought forward."""
    prior = {
        "prior_coaching_hours": 100.0,
        "prior_paid_hours": 80.0,
        "prior_clients": 7,
        "prior_hours_until": "2026-02-01",
    }
    log = build_log(world(prior=prior), "C-1", as_of=AS_OF, policy=POLICY)
    lines = _read_csv(write_log(log, tmp_path / "out" / "log.csv"))
    assert [r[0] for r in lines[1:3]] == ["group G-1", "K-2"]
    assert lines[3][0] == TOTAL
    assert log.lines[1] == (
        "Brought forward from the earlier log to 2026-02-01: 100 hours (80 paid, 20 pro bono) "
        "and 7 clients, not listed client by client (no records here); sessions on or before "
        "2026-02-01 are not listed above."
    )
    assert log.lines[2:] == tuple(LEFT_OUT)
    assert not any(
        "Brought forward" in line
        for line in build_log(world(), "C-1", as_of=AS_OF, policy=POLICY).lines
    )


def test_a_group_at_the_cap_is_listed_near_miss(tmp_path):
    from trc_analytics.policy import Policy

    log = build_log(
        world(), "C-1", as_of=AS_OF, policy=Policy().with_overrides(icf_max_group_size=4)
    )
    assert "group G-2" in log.table["Client"].to_list()
    assert log.left_out_groups == 0 and log.pro_bono_hours == 4.0


def test_a_formula_in_a_name_is_written_as_text(tmp_path):
    names = pl.DataFrame(
        {"client_id": ["K-1"], "name": ['=HYPERLINK("http://x.example.org")'], "contact": [None]},
        schema={"client_id": pl.String, "name": pl.String, "contact": pl.String},
    )
    log = build_log(world(), "C-1", as_of=AS_OF, policy=POLICY, names=names)
    text = write_log(log, tmp_path / "log.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_the_workbook_opens_in_libreoffice_with_the_same_rows_and_totals(tmp_path):
    log = build_log(world(), "C-1", as_of=AS_OF, policy=POLICY)
    xlsx = write_log(log, tmp_path / "log.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv",
         "--outdir", str(tmp_path / "converted"), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    lines = _read_csv(tmp_path / "converted" / "log.csv")
    assert lines[0] == HEADER
    assert _numbers(lines[1:5]) == ROWS
    assert [r[0] for r in lines[5:] if r[0]][1:] == LEFT_OUT


def _export(tmp_path):
    """The coach's own export: the workspace with original ids and names, e-mails, phones."""
    export = write_world(tmp_path / "export")
    clients = pl.read_csv(export / "clients.csv", infer_schema=False)
    name = [NAMES.get(k, (None,) * 3) for k in clients["client_id"]]
    clients.with_columns(
        client_name=pl.Series([n[0] for n in name]),
        email=pl.Series([n[1] for n in name]),
        phone=pl.Series([n[2] for n in name]),
    ).write_csv(export / "clients.csv")
    return export


def test_names_come_from_the_coachs_own_export_through_the_key(tmp_path):
    export, key = _export(tmp_path), tmp_path / "keys" / "coach.key"
    ws = tmp_path / "workspace"
    pseudonymize(export, ws, key)
    assert "Avery" not in (ws / "clients.csv").read_text(encoding="utf-8")
    out = tmp_path / "private" / "log.csv"
    result = CliRunner().invoke(
        main,
        ["coaching-log", str(ws), "--coach", "C-1", "--out", str(out), "--as-of", "2026-06-30",
         "--policy", str(write_policy(tmp_path)), "--names-from", str(export), "--key-file",
         str(key)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 clients and 1 group, 5.5 paid and 1 pro-bono hours" in result.output
    assert LEFT_OUT[0] in result.output
    assert f"Names found in {export} for 2 of 2 clients." in result.output
    rows = {r[1]: r for r in _read_csv(out)[1:5]}
    assert rows["Client Avery Example"][2] == "avery@example.org; 555-0101"
    assert rows["Client Blake Example"][7:9] == ["1.0", "1.0"]
    group = rows["Client Avery Example; Client Devon Example; Client Emery Example"]
    assert group[3:5] == ["group", "3"]
    assert rows[""][0] == TOTAL
    assert "Casey" not in out.read_text(encoding="utf-8")  # K-3 did not consent
    assert all(r[0].startswith(("P-", "group P-")) for r in _read_csv(out)[1:4])
    assert not list(ws.glob("*map*")) and not list(ws.parent.glob("*.map*"))


def _run(*args: str):
    return CliRunner().invoke(main, ["coaching-log", *args], catch_exceptions=False)


@pytest.fixture
def folder(tmp_path):
    return write_world(tmp_path / "ws")


def test_refusals_are_usage_errors(folder, tmp_path):
    out = str(tmp_path / "p" / "log.txt")
    bad = _run(str(folder), "--coach", "C-1", "--out", out)
    assert bad.exit_code == 2 and "give a .xlsx or .csv file" in bad.output
    out = str(tmp_path / "p" / "log.csv")
    half = _run(str(folder), "--coach", "C-1", "--out", out, "--names-from", str(folder))
    assert half.exit_code == 2 and "--names-from and --key-file go together" in half.output
    unknown = _run(str(folder), "--coach", "c-1", "--out", out, "--as-of", "2026-06-30")
    assert unknown.exit_code == 2 and "did you mean C-1" in unknown.output
    future = _run(str(folder), "--coach", "C-1", "--out", out, "--as-of", "2999-01-01")
    assert future.exit_code == 2 and "--as-of: 2999-01-01 is after today" in future.output


def test_an_export_that_matches_no_client_says_so(tmp_path):
    export, key = _export(tmp_path), tmp_path / "keys" / "coach.key"
    ws = tmp_path / "workspace"
    pseudonymize(export, ws, key)
    other = tmp_path / "keys" / "other.key"
    pseudonymize(export, tmp_path / "other-ws", other)  # a second key: other pseudonyms
    out = tmp_path / "private" / "log.csv"
    result = CliRunner().invoke(
        main,
        ["coaching-log", str(ws), "--coach", "C-1", "--out", str(out), "--as-of", "2026-06-30",
         "--names-from", str(export), "--key-file", str(other)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "for 0 of 2 clients" in result.stdout
    assert "No client of that export matched" in result.stderr


def test_a_missing_key_is_never_created(folder, tmp_path):
    key = tmp_path / "none.key"
    out = tmp_path / "p" / "log.csv"
    result = _run(str(folder), "--coach", "C-1", "--out", str(out), "--names-from", str(folder),
                  "--key-file", str(key))  # fmt: skip
    assert result.exit_code == 1
    assert "no key file there" in result.output and not key.exists() and not out.exists()


def test_a_shared_output_folder_is_refused(folder, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    result = _run(str(folder), "--coach", "C-1", "--out", str(shared / "log.xlsx"))
    assert result.exit_code == 1 and "can be read or written by others" in result.output
    assert not (shared / "log.xlsx").exists()
