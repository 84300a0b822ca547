"""Awkward but valid files load; unreadable ones are reported, never a traceback."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from workspace_files import TODAY, csv_lines, only, valid_workspace

from trc_analytics import load_workspace, validate_workspace
from trc_analytics.records.templates import example_frames


@pytest.fixture(scope="module")
def reference() -> dict[str, pl.DataFrame]:
    """The example workspace, loaded from plain UTF-8 CSV: what every other form must give."""
    return example_frames()


def test_utf8_with_bom_and_crlf_line_ends(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    text = "\r\n".join(csv_lines(ws, "coaches")) + "\r\n"
    (ws / "coaches.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["coaches"].equals(reference["coaches"])


def test_windows_1252(tmp_path):
    ws = valid_workspace(tmp_path)
    lines = csv_lines(ws, "coaches")
    lines[1] = lines[1].replace("north_west", "île_de_france")
    (ws / "coaches.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["coaches"]["region"][0] == "île_de_france"


def test_utf16_with_bom_as_excel_unicode_text_saves_it(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    text = "\r\n".join(csv_lines(ws, "goals")) + "\r\n"
    (ws / "goals.csv").write_bytes(text.encode("utf-16"))
    assert load_workspace(ws, today=TODAY)["goals"].equals(reference["goals"])


def test_blank_lines_are_skipped_but_row_numbers_stay_honest(tmp_path):
    ws = valid_workspace(tmp_path)
    lines = csv_lines(ws, "goals")
    bad = lines[2].replace("achieved", "won")
    (ws / "goals.csv").write_text("\n".join([lines[0], lines[1], "", bad]) + "\n")
    p = only(validate_workspace(ws, today=TODAY), problem="vocabulary")
    assert (p["file"], p["row"], p["column"]) == ("goals.csv", 4, "status")


def test_trailing_empty_columns_are_not_data_but_a_nameless_column_with_values_is_refused(
    tmp_path,
):
    ws = valid_workspace(tmp_path)
    lines = csv_lines(ws, "goals")
    (ws / "goals.csv").write_text("\n".join(line + ",," for line in lines) + "\n")
    assert validate_workspace(ws, today=TODAY).is_empty()
    (ws / "goals.csv").write_text(
        "\n".join([lines[0] + ",", lines[1] + ",x", lines[2] + ","]) + "\n"
    )
    p = only(validate_workspace(ws, today=TODAY), problem="unknown_column")
    assert (p["file"], p["column"]) == ("goals.csv", "(column K, no name)")


def test_parquet_with_native_types(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    (ws / "sessions.csv").unlink()
    reference["sessions"].write_parquet(ws / "sessions.parquet")
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["sessions"].equals(reference["sessions"])
    assert loaded.sources["sessions"] == "sessions.parquet"


def test_parquet_rows_are_numbered_as_if_a_header_were_row_1(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    (ws / "sessions.csv").unlink()
    reference["sessions"].with_columns(
        pl.Series("duration_min", [60, -5], dtype=pl.Int64)
    ).write_parquet(ws / "sessions.parquet")
    p = only(validate_workspace(ws, today=TODAY), problem="minimum")
    assert (p["file"], p["row"], p["column"]) == ("sessions.parquet", 3, "duration_min")


def _excel_sessions_sheet(wb: Workbook, reference: dict[str, pl.DataFrame]):
    """The sessions examples written the ways Excel users do: date cells, serial numbers,
    text dates, whole numbers stored as floats, real booleans and yes/no text."""
    ws = wb.create_sheet("sessions")
    frame = reference["sessions"]
    ws.append(frame.columns)
    for i, row in enumerate(frame.iter_rows(named=True)):
        cells = dict(row)
        held = cells["held_on"]
        cells["held_on"] = (
            dt.datetime.combine(held, dt.time())  # a date cell
            if i == 0
            else (held - dt.date(1899, 12, 30)).days  # an unformatted serial number
        )
        cells["duration_min"] = float(cells["duration_min"])  # 60.0
        if cells["client_under_influence"] is not None:  # yes/no text instead of a boolean
            cells["client_under_influence"] = "Yes" if cells["client_under_influence"] else "No"
        ws.append(list(cells.values()))
    return ws


def test_excel_date_cells_serials_floats_and_booleans(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    (ws / "sessions.csv").unlink()
    wb = Workbook()
    wb.remove(wb.active)
    _excel_sessions_sheet(wb, reference)
    wb.save(ws / "sessions.xlsx")
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["sessions"].equals(reference["sessions"])
    assert loaded.sources["sessions"] == "sessions.xlsx/sessions"


def test_one_workbook_with_a_sheet_per_table_and_text_dates(tmp_path, reference):
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in reference.items():
        sheet = wb.create_sheet(name)
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            # dates typed as text, as when a column is formatted as text in Excel
            sheet.append([v.isoformat() if isinstance(v, dt.date) else v for v in row])
    wb.create_sheet("dictionary").append(["table", "column"])
    wb.create_sheet("lists").append(["area"])
    path = tmp_path / "records.xlsx"
    wb.save(path)
    for target in (tmp_path, path):  # the folder, or the workbook itself
        loaded = load_workspace(target, today=TODAY)
        assert loaded.present == list(reference)
        for name, frame in reference.items():
            assert loaded[name].equals(frame), name


def test_workbook_problems_name_the_sheet_and_the_real_sheet_row(tmp_path, reference):
    wb = Workbook()
    wb.remove(wb.active)
    sheet = wb.create_sheet("coaches")
    frame = reference["coaches"]
    sheet.append(frame.columns)
    sheet.append(list(frame.row(0)))
    sheet.append([])  # a blank row 3
    sheet.append(["C-0002", "south_east", None, None, None, None, None, None, None, None, None])
    sheet.cell(row=4, column=frame.columns.index("active") + 1, value=3.5)
    wb.create_sheet("Notes").append(["anything"])
    wb.save(tmp_path / "records.xlsx")
    problems = validate_workspace(tmp_path, today=TODAY)
    p = only(problems, problem="type")
    assert (p["file"], p["sheet"], p["row"], p["column"], p["value"]) == (
        "records.xlsx",
        "coaches",
        4,
        "active",
        "3.5",
    )
    assert only(problems, problem="unknown_table_file")["sheet"] == "Notes"


LIBREOFFICE_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>coach_id</t></is></c>
<c r="B1" t="inlineStr"><is><t>region</t></is></c>
<c r="C1" t="inlineStr"><is><t>joined_on</t></is></c>
<c r="D1" t="inlineStr"><is><t>active</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>C-0001</t></is></c>
<c r="B2" t="inlineStr"><is><t>north_west</t></is></c>
<c r="C2" s="1"><v>45719</v></c><c r="D2" t="b"><v>1</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>C-0002</t></is></c>
<c r="B4" t="inlineStr"><is><t>south_east</t></is></c>
<c r="C4" t="inlineStr"><is><t>2025-03-31</t></is></c><c r="D4" t="b"><v>0</v></c></row>
</sheetData>
</worksheet>"""


def _libreoffice_style_workbook(path: Path) -> None:
    """A minimal workbook the way LibreOffice and other tools write them: no <dimension>, inline
    strings instead of a shared-string table, a date as a styled serial, a skipped row."""
    ns = "http://schemas.openxmlformats.org/"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}spreadsheetml/2006/main" '
            f'xmlns:r="{ns}officeDocument/2006/relationships">'
            '<sheets><sheet name="coaches" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{ns}spreadsheetml/2006/main">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="YYYY\\-MM\\-DD"/></numFmts>'
            '<fonts count="1"><font/></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
            "</cellXfs></styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": LIBREOFFICE_SHEET,
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)


def test_a_libreoffice_style_workbook(tmp_path):
    _libreoffice_style_workbook(tmp_path / "workspace.xlsx")
    loaded = load_workspace(tmp_path, today=TODAY)
    coaches = loaded["coaches"]
    assert coaches["coach_id"].to_list() == ["C-0001", "C-0002"]
    assert coaches["joined_on"].to_list() == [dt.date(2025, 3, 3), dt.date(2025, 3, 31)]
    assert coaches["active"].to_list() == [True, False]


def test_corrupt_workbook_and_parquet_files_are_reported(tmp_path):
    ws = valid_workspace(tmp_path, ["coaches"])
    (ws / "sessions.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (ws / "goals.parquet").write_bytes(b"PAR1 nonsense")
    problems = validate_workspace(ws, today=TODAY)
    assert problems.select("file", "problem").rows() == [
        ("goals.parquet", "unreadable_file"),
        ("sessions.xlsx", "unreadable_file"),
    ]


def test_a_parquet_column_with_no_text_form_is_reported(tmp_path, reference):
    ws = valid_workspace(tmp_path, ["coaches"])
    reference["goals"].with_columns(pl.lit([1, 2]).alias("status")).write_parquet(
        ws / "goals.parquet"
    )
    p = only(validate_workspace(ws, today=TODAY), problem="unreadable_file")
    assert (p["file"], p["column"]) == ("goals.parquet", "status")


def test_hidden_files_lock_files_and_companions_are_not_tables(tmp_path):
    ws = valid_workspace(tmp_path, ["coaches"])
    (ws / ".DS_Store").write_bytes(b"\x00")
    (ws / "~$records.xlsx").write_bytes(b"lock")
    (ws / "datapackage.json").write_text("{}")
    (ws / "reports").mkdir()
    assert validate_workspace(ws, today=TODAY).is_empty()


# -- property: arbitrary bytes never crash the loader ------------------------------------------

CSV_ALPHABET = st.sampled_from(
    [",", '"', "\n", "\r\n", "\r", " ", "\t", "a", "é", "\x00", "\ufeff", "1", "-", ";"]
)
CSV_HEADS = st.sampled_from(["", "coach_id,region,active\n", "goal_id,client_id,coach_id\n"])


def _assert_reports_or_loads(folder: Path, data: bytes) -> None:
    (folder / "coaches.csv").write_bytes(data)
    problems = validate_workspace(folder, today=TODAY)  # must not raise
    assert set(problems.columns) == {
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "problem",
        "expected",
    }
    if problems.is_empty():
        load_workspace(folder, today=TODAY)
    else:
        assert problems["problem"].null_count() == 0


@pytest.mark.parametrize(
    "data",
    [b"x\x01\x06\x00", b"\x1f\x8b\x08\x00broken", b"\x28\xb5\x2f\xfd", b'a,"b\n1,2'],
    ids=["zlib-like", "gzip-like", "zstd-like", "open-quote"],
)
def test_bytes_polars_refuses_outright_are_reported(tmp_path, data):
    _assert_reports_or_loads(tmp_path, data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_a_csv_load_or_are_reported(tmp_path, data):
    _assert_reports_or_loads(tmp_path, data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    head=CSV_HEADS,
    body=st.lists(CSV_ALPHABET, max_size=60).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_arbitrary_csv_like_text_loads_or_is_reported(tmp_path, head, body, encoding):
    try:
        data = (head + body).encode(encoding)
    except UnicodeEncodeError:
        data = (head + body).encode("utf-8")
    _assert_reports_or_loads(tmp_path, data)


# -- OpenDocument (.ods), LibreOffice's own format -------------------------------------------


def _ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .ods with one sheet per entry (first row the header), written by the template's
    OpenDocument writer: typed cells as LibreOffice stores them (dates, floats, booleans)."""
    from trc_analytics.records import ods

    path.write_bytes(
        ods.ods_bytes(
            [
                ods.Sheet(name, rows[0], [ods.Column(2.5)] * len(rows[0]), rows[1:])
                for name, rows in sheets.items()
            ],
            {"title": "test"},
        )
    )
    return path


def _ods_rows(frame: pl.DataFrame) -> list[list]:
    rows: list[list] = [frame.columns]
    for row in frame.iter_rows():
        rows.append(
            [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row]
        )
    return rows


def test_one_ods_file_per_table_with_date_cells_floats_and_booleans(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    (ws / "sessions.csv").unlink()
    (ws / "coaches.csv").unlink()
    rows = _ods_rows(reference["sessions"])
    held = rows[0].index("held_on")
    rows[2][held] = float((rows[2][held] - dt.date(1899, 12, 30)).days)  # a serial number
    _ods(ws / "sessions.ods", {"sessions": rows})
    _ods(ws / "coaches.ods", {"Sheet1": _ods_rows(reference["coaches"])})  # LibreOffice's name
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["sessions"].equals(reference["sessions"])
    assert loaded["coaches"].equals(reference["coaches"])
    assert loaded.sources["coaches"] == "coaches.ods/Sheet1"


def test_ods_problems_name_the_file_sheet_and_real_row(tmp_path, reference):
    ws = valid_workspace(tmp_path)
    (ws / "coaches.csv").unlink()
    rows = _ods_rows(reference["coaches"])
    rows.insert(2, [None] * len(rows[0]))  # a blank row 3
    rows[3][rows[0].index("active")] = 3.5
    _ods(ws / "records.ods", {"coaches": rows, "Notes": [["anything"]]})
    problems = validate_workspace(ws, today=TODAY)
    p = only(problems, problem="type")
    assert (p["file"], p["sheet"], p["row"], p["column"], p["value"]) == (
        "records.ods",
        "coaches",
        4,
        "active",
        "3.5",
    )
    assert only(problems, problem="unknown_table_file")["sheet"] == "Notes"


def test_one_ods_workbook_with_a_sheet_per_table(tmp_path, reference):
    path = _ods(tmp_path / "records.ods", {n: _ods_rows(f) for n, f in reference.items()})
    for target in (tmp_path, path):
        loaded = load_workspace(target, today=TODAY)
        assert loaded.present == list(reference)
        for name, frame in reference.items():
            assert loaded[name].equals(frame), name


def test_a_corrupt_or_oversized_ods_is_reported_not_raised(tmp_path):
    ws = valid_workspace(tmp_path, ["coaches"])
    (ws / "sessions.ods").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(ws / "goals.ods", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("content.xml", b"<" + b" " * (8 * 1024**2))  # inflates 8 MiB ~ 1000:1
    problems = validate_workspace(ws, today=TODAY)
    assert problems.select("file", "problem").rows() == [
        ("goals.ods", "workbook_limit"),
        ("sessions.ods", "unreadable_file"),
    ]
    assert "OpenDocument" in only(problems, problem="unreadable_file")["expected"]


def test_an_unreadable_file_type_is_named_with_the_types_that_are_read(tmp_path):
    ws = valid_workspace(tmp_path, ["coaches"])
    (ws / "sessions.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    p = only(validate_workspace(ws, today=TODAY), problem="unknown_table_file")
    assert p["file"] == "sessions.xls" and ".ods" in p["expected"] and ".xlsx" in p["expected"]


def test_an_ods_with_column_a_empty_keeps_error_cells_in_their_column(tmp_path, reference):
    """calamine starts a sheet's rows at its first used column; the reader pads them back, so
    a formula error cell (LibreOffice's markup, planted in the XML) lands in its own column."""
    frame = reference["coaches"]
    rows = [[None, *r] for r in _ods_rows(frame)]
    hours = rows[0].index("supervision_hours_per_quarter")
    rows[1][hours] = "PLANTED"
    path = _ods(tmp_path / "coaches.ods", {"coaches": rows})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["content.xml"] = parts["content.xml"].replace(
        b'<table:table-cell office:value-type="string"><text:p>PLANTED</text:p></table:table-cell>',
        b'<table:table-cell table:formula="of:=1/0" office:value-type="string" '
        b'office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
        b"</table:table-cell>",
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    p = only(validate_workspace(tmp_path, today=TODAY), problem="type")
    assert (p["row"], p["column"], p["value"]) == (2, "supervision_hours_per_quarter", "#DIV/0!")
