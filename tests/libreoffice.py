"""Workbooks saved by LibreOffice, for the tests that check they read like the originals.

The committed fixtures in `tests/records/fixtures/libreoffice/` were made by this module:

    python tests/libreoffice.py

It fills the .xlsx template with a few synthetic rows and planted mistakes (`planted.xlsx`, an
openpyxl save, the "original"), then has LibreOffice open and save it as .ods and as .xlsx
(`planted.lo.ods`, `planted.lo.xlsx`); it also has LibreOffice save the .ods template as .ods
(`template.lo.ods`), as a user who opens it and saves it would. (Its .xlsx save is 400 kB, so
it is made afresh by the test that runs LibreOffice, not committed.) `coaches.lo.ods` is a
coaches table whose cells hold formulas that fail (#DIV/0!, #N/A), as LibreOffice stores them.
`soffice --convert-to` loads the file and stores it with LibreOffice's own export filters, the
same code as File > Save As. Every value is synthetic.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "records" / "fixtures" / "libreoffice"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: Rows appended to the template's sheets: (sheet, row number, {column: value}). Row 5 of
#: sessions is left blank, so later rows must keep their numbers; the planted mistakes are a
#: non-date typed as text, a fraction in a whole-number column, a value outside a vocabulary,
#: a non-boolean, and an empty required cell.
PLANTED_ROWS = (
    (
        "sessions",
        4,
        {
            "session_id": "S-0003",
            "engagement_id": "E-0001",
            "coach_id": "C-0001",
            "client_id": "CL-0001",
            "held_on": dt.datetime(2025, 5, 5),
            "duration_min": 45.0,  # a whole number stored as a float
            "delivery": "video",
            "status": "held",
            "fee_type": "paid",
            "fee_amount": 80.5,
            "currency": "EUR",
            "area": "intimate_partner_violence",
            "client_under_influence": False,
            "left_triggered_unsafe": False,
        },
    ),
    (
        "sessions",
        6,
        {
            "session_id": "S-0004",
            "engagement_id": "E-0001",
            "coach_id": "C-0001",
            "client_id": "CL-0001",
            "held_on": "2025-02-30",  # not a date
            "duration_min": 3.5,  # not a whole number
            "status": "finished",  # not in the vocabulary
            "fee_type": "paid",
            "area": "intimate_partner_violence",
            "client_under_influence": "maybe",  # not true/false
        },
    ),
    (
        "sessions",
        7,
        {
            "session_id": "S-0005",
            "engagement_id": "E-0001",
            # coach_id left empty: required
            "client_id": "CL-0001",
            "held_on": dt.datetime(2025, 5, 19),
            "duration_min": 60,
            "status": "held",
            "fee_type": "pro_bono",
            "area": "intimate_partner_violence",
            "client_under_influence": True,
        },
    ),
    (
        "coaches",
        4,
        {
            "coach_id": "C-0003",
            "region": "north_west",
            "joined_on": dt.datetime(2025, 6, 2),
            "therapy_licensed": False,
            "active": True,
            "supervision_hours_per_quarter": 3.0,
        },
    ),
)


#: A coaches table with two formula error cells (LibreOffice computes them when it opens the CSV).
FORMULA_ERRORS_CSV = (
    "coach_id,region,active,supervision_hours_per_quarter\n"
    "C-0001,north_west,true,=1/0\n"
    "C-0002,=NA(),false,2\n"
)


def planted_workbook() -> bytes:
    """The .xlsx template with `PLANTED_ROWS` written into it (by openpyxl)."""
    from openpyxl import load_workbook

    from trc_analytics.records.templates import workbook_bytes

    wb = load_workbook(io.BytesIO(workbook_bytes()))
    for sheet, row, values in PLANTED_ROWS:
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        for column, value in values.items():
            cell = ws.cell(row=row, column=header.index(column) + 1, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def convert(source: Path, suffix: str, out_dir: Path) -> Path:
    """Have LibreOffice open `source` and save it as `suffix` ("ods" or "xlsx") in `out_dir`."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: make system-tools")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        filters = {"ods": "ods", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
        subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                filters[suffix],
                "--outdir",
                str(out_dir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return out_dir / f"{source.stem}.{suffix}"


def main() -> None:
    """Write the fixtures: the planted original and LibreOffice's saves of it and the template."""
    from trc_analytics.records.templates import ods_template_bytes

    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / "planted.xlsx").write_bytes(planted_workbook())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "planted.xlsx").write_bytes(planted_workbook())
        (work / "template.ods").write_bytes(ods_template_bytes())
        (work / "coaches.csv").write_text(FORMULA_ERRORS_CSV, encoding="utf-8")
        saved = convert(work / "coaches.csv", "ods", work / "out-csv")
        shutil.copyfile(saved, FIXTURES / "coaches.lo.ods")
        saves = (("planted.xlsx", "ods"), ("planted.xlsx", "xlsx"), ("template.ods", "ods"))
        for source, suffix in saves:
            saved = convert(work / source, suffix, work / f"out-{suffix}")
            shutil.copyfile(saved, FIXTURES / f"{Path(source).stem}.lo.{suffix}")
    for p in sorted(FIXTURES.iterdir()):
        print(f"{p.name}: {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
