"""Templates, workbook and data dictionary are generated from the schema and stay in sync."""

from __future__ import annotations

import io
import json
import shutil
import stat
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from workspace_files import TODAY

from trc_analytics import load_workspace, validate_workspace
from trc_analytics.cli import main
from trc_analytics.records.schema import load_schema
from trc_analytics.records.templates import (
    ODS_NAME,
    VALIDATED_ROWS,
    WORKBOOK_NAME,
    data_dictionary_markdown,
    example_frames,
    sheet_cells,
    template_files,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated() -> dict[str, bytes]:
    return template_files()


def test_data_templates_folder_matches_a_fresh_generation(generated):
    folder = REPO / "data_templates"
    on_disk = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert on_disk == set(generated), "run `make templates` and commit data_templates/"
    for name, data in generated.items():
        if name == WORKBOOK_NAME:
            assert sheet_cells((folder / name).read_bytes()) == sheet_cells(data), name
        else:
            assert (folder / name).read_bytes() == data, f"{name} drifted from the schema"


def test_data_dictionary_matches_the_schema():
    path = REPO / "docs" / "data-dictionary.md"
    assert path.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "run `trc templates data_templates --dictionary docs/data-dictionary.md`"
    )


def test_the_workbook_is_byte_for_byte_reproducible(generated):
    assert template_files()[WORKBOOK_NAME] == generated[WORKBOOK_NAME]


def test_every_table_has_a_csv_with_its_columns_and_two_example_rows(generated):
    schema = load_schema()
    for table in schema:
        frame = pl.read_csv(generated[f"{table.name}.csv"], infer_schema=False)
        assert frame.columns == table.columns
        assert frame.height == 2


def test_example_rows_leave_optional_columns_empty_in_the_second_row():
    sessions = example_frames()["sessions"]
    assert sessions["delivery"].to_list() == ["in_person", None]
    assert sessions["status"].to_list() == ["held", "rescheduled_under_influence"]


def test_the_descriptor_resolves_every_vocabulary_for_other_tools(generated):
    descriptor = json.loads(generated["datapackage.json"])
    sessions = next(r for r in descriptor["resources"] if r["name"] == "sessions")
    status = next(f for f in sessions["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"][0] == "held"
    assert [r["path"] for r in descriptor["resources"]] == [f"{n}.csv" for n in load_schema().names]


def test_workbook_has_drop_downs_for_every_vocabulary_column_and_a_dictionary(generated):
    schema = load_schema()
    wb = load_workbook(io.BytesIO(generated[WORKBOOK_NAME]))
    assert wb.sheetnames == ["instructions", *schema.names, "dictionary", "lists"]
    assert wb["lists"].sheet_state == "hidden"
    for table in schema:
        ws = wb[table.name]
        validated = {}
        for dv in ws.data_validations.dataValidation:
            for ref in str(dv.sqref).split():
                validated[ref.split(":")[0].rstrip("0123456789")] = dv
        for i, f in enumerate(table.fields, start=1):
            letter = ws.cell(row=1, column=i).column_letter
            if f.enum:
                dv = validated[letter]
                assert dv.type == "list", (table.name, f.name)
                if len(",".join(f.enum)) > 255:  # Excel's limit for inline lists
                    assert dv.formula1.startswith("lists!")
                else:
                    assert dv.formula1.strip('"').split(",") == list(f.enum)
    dictionary = list(wb["dictionary"].iter_rows(values_only=True))
    assert dictionary[0] == (
        "table",
        "column",
        "type",
        "required",
        "allowed values",
        "meaning",
        "passage of the Code",
    )
    assert len(dictionary) - 1 == sum(len(t.fields) for t in schema)
    area = next(r for r in dictionary if r[:2] == ("sessions", "area"))
    assert "childhood_sexual_abuse" in area[4] and area[6]


def test_round_trip_templates_fill_load_validate(tmp_path, generated):
    """A coach copies the CSV templates, adds a session of their own, and loads the folder."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name, data in generated.items():
        if name.endswith(".csv"):
            (ws / name).write_bytes(data)
    with (ws / "sessions.csv").open("a", encoding="utf-8") as fh:
        fh.write("S-0003,E-0001,C-0001,CL-0001,2025-05-05,55,video,held,paid,80,EUR,")
        fh.write("intimate_partner_violence,false,false,false,false,false\n")
    assert validate_workspace(ws, today=TODAY).is_empty()
    loaded = load_workspace(ws, today=TODAY)
    assert loaded["sessions"]["session_id"].to_list() == ["S-0001", "S-0002", "S-0003"]
    # a mistake while filling in is caught with its row and column
    with (ws / "sessions.csv").open("a", encoding="utf-8") as fh:
        fh.write("S-0004,E-0001,C-0001,CL-0001,2025-05-12,55,video,held,paid,80,EUR,")
        fh.write("astrology,false,false,false,false,false\n")
    problems = validate_workspace(ws, today=TODAY)
    assert problems.select("file", "row", "column", "problem").rows() == [
        ("sessions.csv", 5, "area", "vocabulary")
    ]


def test_round_trip_through_the_workbook(tmp_path, generated):
    (tmp_path / WORKBOOK_NAME).write_bytes(generated[WORKBOOK_NAME])
    loaded = load_workspace(tmp_path / WORKBOOK_NAME, today=TODAY)
    for name, frame in example_frames().items():
        assert loaded[name].equals(frame), name


@pytest.mark.parametrize("name", [WORKBOOK_NAME, ODS_NAME])
def test_round_trip_through_either_workbook_alone_or_in_a_folder(tmp_path, generated, name):
    (tmp_path / name).write_bytes(generated[name])
    for target in (tmp_path / name, tmp_path):
        loaded = load_workspace(target, today=TODAY)
        assert loaded.sources["coaches"] == f"{name}/coaches"
        for table, frame in example_frames().items():
            assert loaded[table].equals(frame), (name, table)


def test_the_ods_template_has_the_same_sheets_and_cells_as_the_xlsx(generated):
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    ods = CalamineWorkbook.from_filelike(io.BytesIO(generated[ODS_NAME]))
    xlsx = load_workbook(io.BytesIO(generated[WORKBOOK_NAME]), read_only=True)
    assert ods.sheet_names == xlsx.sheetnames
    hidden = [m.name for m in ods.sheets_metadata if m.visible == SheetVisibleEnum.Hidden]
    assert hidden == ["lists"]
    for name in ("instructions", "dictionary", "lists"):
        assert ods.get_sheet_by_name(name).to_python() == [
            [v if v is not None else "" for v in row]
            for row in xlsx[name].iter_rows(values_only=True)
        ], name


def test_the_instructions_say_how_many_rows_have_drop_downs(generated):
    wb = load_workbook(io.BytesIO(generated[WORKBOOK_NAME]), read_only=True)
    text = " ".join(str(r[0]) for r in wb["instructions"].iter_rows(values_only=True))
    assert f"rows 2 to {VALIDATED_ROWS + 1:,}" in text and ODS_NAME in text
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"rows 2 to {VALIDATED_ROWS + 1:,}" in readme


def test_trc_templates_writes_owner_only_files(tmp_path):
    out = tmp_path / "templates"
    dictionary = tmp_path / "dictionary.md"
    result = CliRunner().invoke(main, ["templates", str(out), "--dictionary", str(dictionary)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(template_files())
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "coaches.csv").stat().st_mode) == 0o600
    assert dictionary.read_text(encoding="utf-8") == data_dictionary_markdown()
    shutil.rmtree(out)
