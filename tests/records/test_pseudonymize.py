"""`trc pseudonymize`: a coach's identifying export becomes a workspace of keyed pseudonyms.

All names, e-mails and phone numbers below are placeholders (example.org, 555 numbers).
"""

import datetime as dt
import errno
import hashlib
import os
import re
import stat
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from trc_analytics.cli import main
from trc_analytics.records.keys import (
    KeyFileError,
    is_pseudonym,
    load_or_create_key,
    normalize,
    pseudonym,
)
from trc_analytics.records.load import load_workspace
from trc_analytics.records.pseudonymize import PseudonymizeError, pseudonymize

TODAY = dt.date(2026, 11, 30)
IDENTIFIERS = [
    "Jane Roe",
    "John Doe",
    "jane.roe@example.org",
    "john.doe@example.org",
    "+1 202 555 0147",
    "+1 202 555 0178",
    "1990-05-20",
    "2009-01-15",
    "12 Example Street",
]

EXPORT = {
    "coaches.csv": "coach_id,region,active\nC-0007,North,true\n",
    "clients.csv": (
        "client_id,Client Name,E-mail,phone,date_of_birth,address,coach_id,intake_on,"
        "client_type,fee_basis,favourite_colour\n"
        "Jane Roe,Jane Roe,jane.roe@example.org,+1 202 555 0147,1990-05-20,12 Example Street,"
        "C-0007,2026-03-01,individual,paying,green\n"
        "jdoe-17,John Doe,john.doe@example.org,+1 202 555 0178,2009-01-15,,"
        "C-0007,2026-02-01,individual,reduced,blue\n"
    ),
    "engagements.csv": (
        "engagement_id,coach_id,client_id,format,coaching_relationship,started_on\n"
        "Jane Roe 2026,C-0007,Jane Roe,one_to_one,true,2026-03-01\n"
        "E-0002,C-0007,jdoe-17,one_to_one,true,2026-02-01\n"
    ),
    "sessions.csv": (
        "session_id,engagement_id,coach_id,client_id,held_on,duration_min,status,fee_type,"
        "area,currency\n"
        "S-0001,Jane Roe 2026,C-0007,JANE ROE ,2026-03-08,60,held,paid,"
        "intimate_partner_violence,USD\n"
        "S-0002,E-0002,C-0007,jdoe-17,2026-02-08,60,held,reduced,medical_trauma,USD\n"
    ),
}


def write_export(folder: Path, **changes: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**EXPORT, **changes}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def export(tmp_path):
    return write_export(tmp_path / "export")


def every_output_byte(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_output_is_a_workspace_that_loads_with_no_identifier_left(export, tmp_path):
    out, key = tmp_path / "ws", tmp_path / "keys" / "coach.key"
    result, created = pseudonymize(export, out, key, today=TODAY)
    assert created
    ws = load_workspace(out, today=TODAY)
    clients = ws["clients"].sort("intake_on")
    assert clients["age_band"].to_list() == ["under_18", "35_44"]  # as of intake
    assert all(is_pseudonym(c) for c in clients["client_id"])
    assert clients.columns == ws.schema["clients"].columns  # extra columns are gone
    assert "favourite_colour" in result.dropped["clients"]
    assert "Client Name" not in every_output_byte(out).decode()
    text = every_output_byte(out).decode().lower()
    for value in IDENTIFIERS:
        assert value.lower() not in text, value
    assert "roe" not in text and "doe" not in text


def test_references_still_join_after_pseudonymization(export, tmp_path):
    pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    ws = load_workspace(tmp_path / "ws", today=TODAY)
    sessions = ws["sessions"].join(ws["engagements"], on="engagement_id", suffix="_e")
    assert sessions.height == 2
    assert (sessions["client_id"] == sessions["client_id_e"]).all()  # "JANE ROE " = "Jane Roe"
    # every id of a client-level table is re-keyed, even one that looks like a code
    assert "E-0002" not in ws["engagements"]["engagement_id"].to_list()
    assert ws["coaches"]["coach_id"].to_list() == ["C-0007"]
    assert all(is_pseudonym(e) for e in ws["engagements"]["engagement_id"])


def test_same_key_same_pseudonyms_next_month_other_key_unlinkable(export, tmp_path):
    key = tmp_path / "coach.key"
    pseudonymize(export, tmp_path / "march", key, today=TODAY)
    pseudonymize(export, tmp_path / "april", key, today=TODAY)
    pseudonymize(export, tmp_path / "other", tmp_path / "other.key", today=TODAY)

    def client_ids(folder):
        return set(pl.read_csv(folder / "clients.csv")["client_id"])

    assert client_ids(tmp_path / "march") == client_ids(tmp_path / "april")
    assert client_ids(tmp_path / "march").isdisjoint(client_ids(tmp_path / "other"))


def test_pseudonyms_are_keyed_excel_safe_and_normalized():
    key = bytes(range(32))
    p = pseudonym(key, "client", "Zoë Roe")
    assert re.fullmatch(r"P-[0-9A-HJKMNP-TV-Z]{10}", p)
    assert not p.replace("-", "").isdigit()
    assert p == pseudonym(key, "client", "  ZOË   roe ")  # NFC, case-folded, trimmed
    assert p == pseudonym(key, "client", "Zoe\u0308 Roe")  # decomposed e + diaeresis
    assert p != pseudonym(bytes(32), "client", "Zoë Roe")  # another key
    assert p != pseudonym(key, "engagement", "Zoë Roe")  # another kind of id
    # not a plain hash of the name: guessing names without the key gives nothing
    plain = hashlib.sha256(normalize("Zoë Roe").encode()).hexdigest().upper()
    assert p[2:] not in plain
    assert normalize("Ǆ ") == "ǆ"


def test_a_new_key_file_is_random_private_and_never_in_outputs_or_messages(export, tmp_path):
    key_path = tmp_path / "coach.key"
    result = CliRunner().invoke(
        main, ["pseudonymize", str(export), str(tmp_path / "ws"), "--key-file", str(key_path)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    key_text = key_path.read_text().strip()
    assert len(bytes.fromhex(key_text)) >= 32
    assert key_text not in result.output
    data = every_output_byte(tmp_path / "ws")
    assert key_text.encode() not in data and bytes.fromhex(key_text) not in data
    assert not any("key" in p.name for p in (tmp_path / "ws").iterdir())
    assert "Created a new key" in result.output


def test_output_files_are_owner_only(export, tmp_path):
    pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700
    for p in (tmp_path / "ws").iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_a_key_file_others_can_read_or_a_short_key_is_refused(tmp_path):
    key_path = tmp_path / "coach.key"
    load_or_create_key(key_path)
    os.chmod(key_path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_key(key_path)
    short = tmp_path / "short.key"
    short.write_text("00ff\n")
    os.chmod(short, 0o600)
    with pytest.raises(KeyFileError, match="shorter than 32 bytes"):
        load_or_create_key(short)


def test_the_key_may_not_live_inside_the_workspace_it_writes(export, tmp_path):
    with pytest.raises(PseudonymizeError, match="outside the workspace"):
        pseudonymize(export, tmp_path / "ws", tmp_path / "ws" / "coach.key", today=TODAY)
    assert not (tmp_path / "ws").exists()


def test_a_name_surviving_in_a_cell_stops_the_run_and_writes_nothing(tmp_path):
    sessions = EXPORT["sessions.csv"].replace("intimate_partner_violence,USD", "x,Roe")
    export = write_export(tmp_path / "export", **{"sessions.csv": sessions})
    with pytest.raises(PseudonymizeError, match=r"sessions.csv: row 2, column currency"):
        pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert not (tmp_path / "ws").exists()


def test_an_email_surviving_in_a_cell_stops_the_cli_with_exit_1(tmp_path):
    sessions = EXPORT["sessions.csv"].replace(
        "medical_trauma,USD", "medical_trauma,JOHN.DOE@example.org"
    )
    export = write_export(tmp_path / "export", **{"sessions.csv": sessions})
    result = CliRunner().invoke(
        main,
        ["pseudonymize", str(export), str(tmp_path / "ws"), "--key-file", str(tmp_path / "k")],
    )
    assert result.exit_code == 1
    assert "row 3, column currency" in result.output
    assert "john.doe" not in result.output.lower()  # the identifier is not repeated
    assert not (tmp_path / "ws").exists()


def test_an_unreadable_birth_date_is_named_by_row_and_column_not_repeated(tmp_path):
    clients = EXPORT["clients.csv"].replace("2009-01-15", "15/01/2009")
    export = write_export(tmp_path / "export", **{"clients.csv": clients})
    with pytest.raises(PseudonymizeError, match=r"row 3, column date_of_birth") as info:
        pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert "2009" not in str(info.value)


def test_a_non_empty_output_folder_needs_overwrite(export, tmp_path):
    key = tmp_path / "coach.key"
    pseudonymize(export, tmp_path / "ws", key, today=TODAY)
    with pytest.raises(PseudonymizeError, match="--overwrite"):
        pseudonymize(export, tmp_path / "ws", key, today=TODAY)
    (tmp_path / "ws" / "goals.parquet").write_bytes(b"stale table of an older run")
    (tmp_path / "ws" / "vocabularies.toml").write_text("# the association's extra values\n")
    pseudonymize(export, tmp_path / "ws", key, overwrite=True, today=TODAY)
    names = sorted(p.name for p in (tmp_path / "ws").iterdir())
    assert "goals.parquet" not in names  # the folder is replaced as a whole
    assert (tmp_path / "ws" / "vocabularies.toml").read_text().startswith("# the association")
    assert stat.S_IMODE((tmp_path / "ws").stat().st_mode) == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coach.key", "export", "ws"]


def test_overwrite_never_deletes_a_folder_that_is_not_a_workspace(export, tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "letters.docx").write_text("not a table")
    with pytest.raises(PseudonymizeError, match=r"'letters.docx' is not a table file"):
        pseudonymize(export, home, tmp_path / "coach.key", overwrite=True, today=TODAY)
    assert (home / "letters.docx").read_text() == "not a table"
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PseudonymizeError, match="is a link"):
        pseudonymize(export, link, tmp_path / "coach.key", today=TODAY)
    assert not (tmp_path / "elsewhere").exists()


# -- all or nothing (issue 9, item 8) ----------------------------------------------------------


def _disk_full_after(monkeypatch, n: int) -> list[Path]:
    """Make the n+1-th file write fail as a full disk would; returns the paths written."""
    import trc_analytics.records.pseudonymize as module

    written: list[Path] = []
    real = module.write_private

    def write(path, data, *args, **kwargs):
        if len(written) >= n:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(Path(path))
        return real(path, data, *args, **kwargs)

    monkeypatch.setattr(module, "write_private", write)
    return written


def test_a_full_disk_mid_run_leaves_no_workspace_and_no_temporary_folder(
    export, tmp_path, monkeypatch
):
    written = _disk_full_after(monkeypatch, 3)
    out = tmp_path / "ws"
    result = CliRunner().invoke(
        main, ["pseudonymize", str(export), str(out), "--key-file", str(tmp_path / "k")]
    )
    assert len(written) == 3  # three tables were written before the disk was full
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "k"]  # no temporary folder


def test_a_failed_overwrite_keeps_the_previous_workspace_whole(export, tmp_path, monkeypatch):
    key, out = tmp_path / "coach.key", tmp_path / "ws"
    pseudonymize(export, out, key, today=TODAY)
    before = every_output_byte(out)
    _disk_full_after(monkeypatch, 2)
    with pytest.raises(PseudonymizeError, match="nothing was written"):
        pseudonymize(export, out, key, overwrite=True, today=TODAY)
    assert every_output_byte(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coach.key", "export", "ws"]


def test_the_temporary_folder_is_private_while_it_is_written(export, tmp_path, monkeypatch):
    import trc_analytics.records.pseudonymize as module

    modes = []
    real = module.write_private

    def write(path, data, *args, **kwargs):
        modes.append((Path(path).parent.name, stat.S_IMODE(Path(path).parent.stat().st_mode)))
        return real(path, data, *args, **kwargs)

    monkeypatch.setattr(module, "write_private", write)
    pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert modes and all(mode == 0o700 for _, mode in modes)
    assert all(name.startswith(".ws.") for name, _ in modes)  # a sibling, not the output


def test_the_cli_needs_a_key_file():
    result = CliRunner().invoke(main, ["pseudonymize", ".", "out"])
    assert result.exit_code == 2
    assert "--key-file" in result.output


def test_numeric_client_numbers_are_replaced_without_stopping_on_durations(tmp_path):
    replace = {"Jane Roe,Jane Roe": "60,Jane Roe", "jdoe-17,John": "12,John"}
    clients = EXPORT["clients.csv"]
    for old, new in replace.items():
        clients = clients.replace(old, new)
    engagements = EXPORT["engagements.csv"].replace(",Jane Roe,", ",60,").replace("jdoe-17", "12")
    sessions = EXPORT["sessions.csv"].replace("JANE ROE ", "60").replace("jdoe-17", "12")
    export = write_export(
        tmp_path / "export",
        **{"clients.csv": clients, "engagements.csv": engagements, "sessions.csv": sessions},
    )
    result, _ = pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert result.replaced["client"] == 2
    ws = load_workspace(tmp_path / "ws", today=TODAY)
    assert all(is_pseudonym(c) for c in ws["sessions"]["client_id"])
    assert ws["sessions"]["duration_min"].to_list() == [60, 60]


def test_a_workbook_export_with_excel_dates_is_pseudonymized(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in ("coaches", "clients"):
        ws = wb.create_sheet(name)
        rows = [line.split(",") for line in EXPORT[f"{name}.csv"].strip().splitlines()]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                header = rows[0][c]
                if r and header in ("date_of_birth", "intake_on") and value:
                    value = dt.date.fromisoformat(value)  # a real Excel date cell
                ws.cell(row=r + 1, column=c + 1, value=value)
    wb.save(tmp_path / "export.xlsx")
    pseudonymize(tmp_path / "export.xlsx", tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    ws = load_workspace(tmp_path / "ws", today=TODAY)
    assert sorted(ws["clients"]["age_band"]) == ["35_44", "under_18"]
    assert "Roe" not in every_output_byte(tmp_path / "ws").decode()


# -- every id of a client-level table is re-keyed (issue 9, item 3) -----------------------------

FIRST = ["Jane", "John", "Maria", "Ahmed", "Wei", "Ann", "Tom", "Sara", "Wes", "Art"]
LAST = ["Roe", "Doe", "Smith", "Garcia", "Chen", "Okafor", "Novak", "Haddad"]


def _demo_export(folder: Path) -> dict[str, pl.DataFrame]:
    """A small demo workspace with client names beside it, and engagement ids typed by hand
    from the client's surname (ENG-SMITH01, shaped like a code), as in a coach's own export."""
    from trc_analytics.demo import generate_demo

    frames = generate_demo(coaches=8, months=6, today=TODAY)
    clients = frames["clients"]
    names = [f"{FIRST[i % 10]} {LAST[(i // 10) % 8]}" for i in range(clients.height)]
    surname = dict(zip(clients["client_id"], [n.split()[1].upper() for n in names], strict=True))
    eng = frames["engagements"]
    typed = {
        e: f"ENG-{surname.get(c, 'GROUP')}{i:02d}"
        for i, (e, c) in enumerate(zip(eng["engagement_id"], eng["client_id"], strict=True))
    }
    for name, frame in frames.items():
        for column in ("engagement_id", "group_id"):
            if column in frame.columns:
                frame = frame.with_columns(pl.col(column).replace(typed))
        frames[name] = frame
    frames["clients"] = clients.with_columns(pl.Series("client_name", names))
    folder.mkdir()
    for name, frame in frames.items():
        frame.write_csv(folder / f"{name}.csv")
    return frames


def test_no_id_of_a_client_level_table_reaches_the_output_and_it_still_validates(tmp_path):
    from trc_analytics.records.pseudonymize import CLIENT_TABLES
    from trc_analytics.records.validate import validate_workspace

    frames = _demo_export(tmp_path / "export")
    assert frames["engagements"]["engagement_id"].str.contains("^ENG-SMITH[0-9]+$").any()
    pseudonymize(tmp_path / "export", tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert validate_workspace(tmp_path / "ws", today=TODAY).is_empty()
    out_text = every_output_byte(tmp_path / "ws").decode()
    coach_ids = set(frames["coaches"]["coach_id"])
    checked = 0
    for name in CLIENT_TABLES:
        for column in frames[name].columns:
            if not column.endswith("_id") or column == "coach_id":
                continue
            for value in frames[name][column].drop_nulls().unique():
                assert value not in out_text, (name, column, value)
                checked += 1
    assert checked > 1000
    assert "smith" not in out_text.lower()
    out = load_workspace(tmp_path / "ws", today=TODAY)
    # coach and supervisor ids stay: they name coaches
    assert set(out["coaches"]["coach_id"]) == coach_ids
    assert set(out["supervision"]["supervisor_id"]) == set(frames["supervision"]["supervisor_id"])
    # references keyed alike: group members, exit referrals and services still join
    groups = out["engagements"]["group_id"].drop_nulls()
    assert set(out["group_members"]["group_id"]) <= set(groups) and groups.len() > 0
    exits = out["engagements"]["exit_referral_id"].drop_nulls()
    assert set(exits) <= set(out["referrals"]["referral_id"]) and exits.len() > 0
    assert set(out["referrals"]["service_id"]) <= set(out["vetted_services"]["service_id"])
    assert set(frames["referrals"]["service_id"]) <= set(frames["vetted_services"]["service_id"])


def test_a_name_inside_a_kept_id_stops_the_run_without_repeating_it(tmp_path):
    coaches = "coach_id,region,active\nC-0007,North,true\nCSMITH-2,North,true\n"
    sessions = EXPORT["sessions.csv"].replace("S-0002,E-0002,C-0007", "S-0002,E-0002,CSMITH-2")
    clients = EXPORT["clients.csv"].replace("John Doe,", "John Smith,")
    export = write_export(
        tmp_path / "export",
        **{"coaches.csv": coaches, "sessions.csv": sessions, "clients.csv": clients},
    )
    result = CliRunner().invoke(
        main, ["pseudonymize", str(export), str(tmp_path / "ws"), "--key-file", str(tmp_path / "k")]
    )
    assert result.exit_code == 1
    assert "coaches.csv: row 3, column coach_id holds a name" in result.output
    assert "smith" not in result.output.lower()
    assert not (tmp_path / "ws").exists()


def test_name_tokens_found_inside_words_of_vocabularies_or_regions_do_not_stop_the_run(tmp_path):
    # "Art" is inside "intimate_partner_violence", "Wes" inside "North West"
    clients = EXPORT["clients.csv"].replace("Jane Roe,Jane Roe,", "Jane Roe,Art Wes,")
    coaches = "coach_id,region,active\nC-0007,North West,true\n"
    export = write_export(tmp_path / "export", **{"clients.csv": clients, "coaches.csv": coaches})
    pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    sessions = pl.read_csv(tmp_path / "ws" / "sessions.csv")
    assert "intimate_partner_violence" in sessions["area"].to_list()


def test_a_read_problem_stops_the_run_naming_the_row(tmp_path):
    coaches = EXPORT["coaches.csv"].encode() + "C-0008,Nörth,true\n".encode("cp1252")
    export = write_export(tmp_path / "export")
    (export / "coaches.csv").write_bytes(
        "coach_id,region,active\nC-0007,Nörth,true\n".encode()
        + coaches.splitlines(keepends=True)[-1]
    )
    with pytest.raises(PseudonymizeError, match=r"coaches.csv, row 3: unreadable encoding"):
        pseudonymize(export, tmp_path / "ws", tmp_path / "coach.key", today=TODAY)
    assert not (tmp_path / "ws").exists()
