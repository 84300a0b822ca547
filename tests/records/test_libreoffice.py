"""Workbooks saved by LibreOffice read like the originals, and the templates keep their drop-downs.

The fixtures in fixtures/libreoffice/ were saved by LibreOffice 7.4 (`python tests/libreoffice.py`
remakes them): `planted.xlsx` is the .xlsx template with a few synthetic rows and planted
mistakes, `planted.lo.ods` and `planted.lo.xlsx` are LibreOffice's saves of it, and
`template.lo.ods` is LibreOffice's save of the .ods template.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from libreoffice import FIXTURES, PLANTED_ROWS, SOFFICE, convert
from openpyxl import load_workbook
from workspace_files import TODAY

from trc_analytics import validate_workspace
from trc_analytics.records.read import RawTable, read_workspace_files
from trc_analytics.records.schema import load_schema
from trc_analytics.records.templates import (
    LIBREOFFICE_XLSX_ROWS,
    VALIDATED_ROWS,
    ods_template_bytes,
    workbook_bytes,
)

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _t(name: str) -> str:
    return f"{{{TABLE_NS}}}{name}"


def _alone(path: Path, tmp_path: Path) -> Path:
    """`path` copied alone into a fresh folder (a workspace of that one workbook)."""
    folder = tmp_path / path.name.replace(".", "-")
    folder.mkdir()
    return Path(shutil.copyfile(path, folder / path.name))


def _booleans_as_words(table: RawTable) -> pl.DataFrame:
    """The text frame with LibreOffice's stored booleans ("1"/"0" in an .ods, where TRUE is a
    number shown as TRUE) as an .xlsx gives them ("true"/"false"); validation reads both as
    true and false, so only the text differs."""
    fields = load_schema()[table.table].fields
    booleans = {f.name for f in fields if f.type == "boolean"}
    columns = [f"__c{i}" for i, h in enumerate(table.raw.header) if h in booleans]
    return table.raw.frame.with_columns(
        pl.col(c).replace({"1": "true", "0": "false"}) for c in columns
    )


def _problems(path: Path) -> list[tuple]:
    problems = validate_workspace(path, today=TODAY)
    return problems.select("sheet", "row", "column", "problem", "value").rows()


# -- reading LibreOffice's saves -----------------------------------------------------------------


@pytest.mark.parametrize("saved", ["planted.lo.ods", "planted.lo.xlsx"])
def test_a_libreoffice_save_reads_cell_for_cell_like_the_original(saved, tmp_path):
    original = read_workspace_files(_alone(FIXTURES / "planted.xlsx", tmp_path))
    resaved = read_workspace_files(_alone(FIXTURES / saved, tmp_path))
    assert resaved.problems.is_empty() and original.problems.is_empty()
    assert list(resaved.tables) == list(original.tables)
    for name, table in original.tables.items():
        again = resaved.tables[name]
        assert again.raw.header == table.raw.header, name
        # every text value and every row number (blank row 5 of sessions included)
        assert _booleans_as_words(again).equals(table.raw.frame), name
    sessions = resaved.tables["sessions"].raw
    rows = dict(zip(sessions.frame["__row"], sessions.frame["__c5"], strict=True))
    assert rows == {2: "60", 3: "50", 4: "45", 6: "3.5", 7: "60"}  # 45.0 is read as 45
    assert sessions.frame["__c4"].to_list()[:3] == ["2025-03-03", "2025-04-07", "2025-05-05"]


@pytest.mark.parametrize("saved", ["planted.lo.ods", "planted.lo.xlsx"])
def test_a_libreoffice_save_reports_the_same_problems_at_the_same_cells(saved, tmp_path):
    expected = [
        ("sessions", 6, "held_on", "impossible_date", "2025-02-30"),
        ("sessions", 6, "duration_min", "type", "3.5"),
        ("sessions", 6, "status", "vocabulary", "finished"),
        ("sessions", 6, "client_under_influence", "type", "maybe"),
        ("sessions", 7, "coach_id", "required", None),
    ]
    assert _problems(_alone(FIXTURES / "planted.xlsx", tmp_path)) == expected
    assert _problems(_alone(FIXTURES / saved, tmp_path)) == expected
    assert {r[0] for r in PLANTED_ROWS} == {"sessions", "coaches"}  # coaches row 4 is valid


def test_a_libreoffice_save_of_the_ods_template_is_a_valid_workspace(tmp_path):
    path = _alone(FIXTURES / "template.lo.ods", tmp_path)
    assert _problems(path) == []
    raw = read_workspace_files(path)
    assert list(raw.tables) == [t.name for t in load_schema() if t.name in raw.tables]
    assert all(t.raw.frame.height == 2 for t in raw.tables.values())
    coaches = raw.tables["coaches"].raw
    active = coaches.frame[f"__c{coaches.header.index('active')}"].to_list()
    assert active == ["true", "false"]


# -- drop-downs ----------------------------------------------------------------------------------


def ods_validations(data: bytes) -> dict[str, dict[str, tuple[str, list[int]]]]:
    """sheet -> column name -> (validation condition, [first, last] row of the cells carrying
    it), read from an .ods's content.xml (repeated rows and cells counted)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = ElementTree.fromstring(z.read("content.xml"))
    conditions = {
        v.get(_t("name")): v.get(_t("condition")) for v in root.iter(_t("content-validation"))
    }
    out: dict[str, dict[str, tuple[str, list[int]]]] = {}
    for table in root.iter(_t("table")):
        header: list[str] = []
        spans: dict[str, tuple[str, list[int]]] = {}
        row = 1
        for tr in table.iter(_t("table-row")):
            repeat = int(tr.get(_t("number-rows-repeated"), "1"))
            col = 0
            for cell in tr.iter(_t("table-cell")):
                width = int(cell.get(_t("number-columns-repeated"), "1"))
                if row == 1:  # the cell's own paragraphs, not its comment's
                    paragraphs = cell.findall(f"{{{TEXT_NS}}}p")
                    header += ["".join("".join(p.itertext()) for p in paragraphs)] * width
                name = cell.get(_t("content-validation-name"))
                for c in range(col, col + width):
                    if name and c < len(header):
                        _, rows = spans.setdefault(header[c], (conditions[name], []))
                        rows.append([row, row + repeat - 1])
                col += width
            row += repeat
        out[table.get(_t("name"))] = {k: (c, _merged(r)) for k, (c, r) in spans.items()}
    return out


def _merged(spans: list[list[int]]) -> list[int]:
    """[first, last] row of contiguous spans; any gap is kept as a further pair."""
    merged: list[int] = []
    for first, last in spans:
        if merged and first == merged[-1] + 1:
            merged[-1] = last
        else:
            merged += [first, last]
    return merged


def _checked_columns(table) -> list[str]:
    return [f.name for f in table.fields if f.enum or f.type in ("boolean", "date")]


def test_both_templates_check_every_coded_column_for_the_documented_rows():
    schema = load_schema()
    wb = load_workbook(io.BytesIO(workbook_bytes()))
    ods = ods_validations(ods_template_bytes())
    for table in schema:
        ranges = {str(dv.sqref) for dv in wb[table.name].data_validations.dataValidation}
        assert all(r.endswith(str(VALIDATED_ROWS + 1)) for r in ranges), table.name
        assert len(ranges) == len(_checked_columns(table)), table.name
        for column in _checked_columns(table):
            assert ods[table.name][column][1] == [2, VALIDATED_ROWS + 1], (table.name, column)
    assert ods["sessions"]["status"][0].startswith('of:cell-content-is-in-list("held";')
    assert ods["sessions"]["area"][0] == "of:cell-content-is-in-list([$'lists'.$A$2:.$A$26])"
    assert "coach_id" not in ods["sessions"]  # free text: no check


def test_a_libreoffice_ods_save_keeps_every_drop_down():
    saved = ods_validations((FIXTURES / "template.lo.ods").read_bytes())
    for table in load_schema():
        for column in _checked_columns(table):
            if column in saved.get(table.name, {}):  # a column added since the save is absent
                assert saved[table.name][column][1] == [2, VALIDATED_ROWS + 1], column
    assert saved["sessions"]["status"][0].startswith("of:cell-content-is-in-list(")


def test_a_libreoffice_xlsx_save_keeps_drop_downs_a_thousand_rows_below_the_last_row():
    """What the instructions sheet and the README say: LibreOffice's .xlsx export cuts every
    drop-down to LIBREOFFICE_XLSX_ROWS rows below the last filled row."""
    wb = load_workbook(FIXTURES / "planted.lo.xlsx")
    last_filled = {"sessions": 7, "coaches": 4}
    for name in ("sessions", "coaches", "goals"):
        ranges = {str(dv.sqref) for dv in wb[name].data_validations.dataValidation}
        assert ranges, name
        end = last_filled.get(name, 3) + LIBREOFFICE_XLSX_ROWS
        assert all(r.endswith(f"2:{r.split(':')[1].rstrip('0123456789')}{end}") for r in ranges)


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_and_saves_todays_ods_template(tmp_path):
    """The template as generated now (not the committed fixture), saved by LibreOffice as .ods
    and as .xlsx: both are valid workspaces with the template's rows and keep the drop-downs."""
    source = tmp_path / "trc-templates.ods"
    source.write_bytes(ods_template_bytes())
    as_ods = convert(source, "ods", tmp_path / "ods")
    as_xlsx = convert(source, "xlsx", tmp_path / "xlsx")
    for saved in (as_ods, as_xlsx):
        assert _problems(saved) == []
        assert {t: r.raw.frame.height for t, r in read_workspace_files(saved).tables.items()} == {
            t.name: 2 for t in load_schema()
        }
    kept = ods_validations(as_ods.read_bytes())
    for table in load_schema():
        for column in _checked_columns(table):
            assert kept[table.name][column][1] == [2, VALIDATED_ROWS + 1], column
    ws = load_workbook(as_xlsx)["sessions"]
    ranges = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    assert len(ranges) == len(_checked_columns(load_schema()["sessions"]))
    assert all(r.endswith(str(3 + LIBREOFFICE_XLSX_ROWS)) for r in ranges)


def test_a_formula_error_cell_reads_as_the_error_shown_not_as_empty(tmp_path):
    """LibreOffice stores a failed formula's value as "" (calamine reads it so); the reader
    puts back the error LibreOffice shows, as an .xlsx gives it, so validation refuses it
    where a value of a type is expected instead of taking it for a missing value."""
    path = _alone(FIXTURES / "coaches.lo.ods", tmp_path)
    assert _problems(path) == [
        ("coaches", 2, "supervision_hours_per_quarter", "type", "#DIV/0!"),
    ]
    raw = read_workspace_files(path).tables["coaches"].raw
    assert raw.frame.row(1) == (3, "C-0002", "#N/A", "false", "2")  # row 3, as in the file
