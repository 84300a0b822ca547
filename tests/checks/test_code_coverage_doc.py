"""docs/code-coverage.md against the catalogue: every check id it names as covering a sentence
of the Code exists (or is one of the duties issue 14 plans, in a row marked planned), every check
of the catalogue covers at least one sentence, the summary counts are the rows' own, and the
Code's words are quoted verbatim."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from trc_analytics.checks import CHECKS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "code-coverage.md"

#: Duties issue 14 adds; no check exists for them yet.
PLANNED: frozenset[str] = frozenset()
PLANNED_MARK = "planned, not yet checked"
HEADER = ["The Code's words", "Kind of duty", "Covered by", "Note"]
CHECK_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z]{2,})+\b")
KINDS = ("checked", "reported", "planned", "not measurable")


@dataclass(frozen=True)
class Row:
    """One sentence of the Code and what covers it."""

    section: str
    line: int
    words: str
    kind_of_duty: str
    covered_by: str
    note: str

    @property
    def text(self) -> str:
        return " | ".join((self.words, self.kind_of_duty, self.covered_by, self.note))

    @property
    def kind(self) -> str | None:
        """checked, reported, planned or not measurable (None: the cell says none of them)."""
        cell = self.covered_by
        if cell.startswith("check "):
            return "checked"
        if cell.startswith("report:"):
            return "reported"
        if cell.startswith(PLANNED_MARK):
            return "planned"
        if cell.startswith("not measurable"):
            return "not measurable"
        return None

    @property
    def verdict(self) -> str:
        """How the check reads the sentence today: corrected, misread, in part or faithful."""
        cell = self.covered_by
        if "corrected by issue 14" in cell:
            return "corrected"
        if "misreads" in cell:
            return "misread"
        if "faithful in part" in cell:
            return "in part"
        return "faithful" if "faithful" in cell else "unstated"

    def where(self) -> str:
        return f"docs/code-coverage.md line {self.line} ({self.section})"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def table_rows(text: str) -> list[Row]:
    """The data rows of every table whose header is HEADER."""
    rows: list[Row] = []
    section, in_table = "", False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].strip()
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells == HEADER:
            in_table = True
            continue
        if not in_table or all(set(c) <= set("-: ") for c in cells):
            continue
        assert len(cells) == len(HEADER), f"line {number}: {len(cells)} cells, expected 4"
        rows.append(Row(section, number, *cells))
    return rows


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return table_rows(doc_text())


def covering_ids(rows: list[Row]) -> set[str]:
    """Check ids named as covering a sentence (in the covered-by cell of a checked row)."""
    return {i for r in rows if r.kind == "checked" for i in CHECK_ID.findall(r.covered_by)}


def test_every_row_is_covered_by_one_of_the_four_kinds(rows):
    assert len(rows) > 50
    for row in rows:
        assert row.words, row.where()
        assert row.kind in KINDS, f"{row.where()}: covered by {row.covered_by!r}"


def test_a_checked_row_names_checks_of_the_catalogue_and_how_they_read_the_sentence(rows):
    """Usually one check per sentence; a sentence with two duties (the refund policy: had, and
    given) names both."""
    catalogue = {c.id for c in CHECKS}
    for row in (r for r in rows if r.kind == "checked"):
        named = set(CHECK_ID.findall(row.covered_by))
        assert named, f"{row.where()}: a checked row names its check"
        assert named <= catalogue, f"{row.where()}: {named - catalogue} not in the catalogue"
        assert row.verdict != "unstated", f"{row.where()}: say how {sorted(named)} read it"


def test_planned_ids_only_in_rows_marked_planned(rows):
    for row in rows:
        named = set(CHECK_ID.findall(row.covered_by))
        if row.kind == "planned":
            assert named, f"{row.where()}: a planned row names the planned check"
            assert named <= PLANNED, f"{row.where()}: not planned by issue 14: {named - PLANNED}"
        for planned in PLANNED & set(CHECK_ID.findall(row.text)):
            assert PLANNED_MARK in row.text, f"{row.where()}: {planned} in a row not marked planned"
    outside = "\n".join(line for line in doc_text().splitlines() if not line.startswith("|"))
    assert not PLANNED & set(CHECK_ID.findall(outside)), "planned ids belong in planned rows"


def test_every_id_named_anywhere_is_a_check_or_planned():
    catalogue = {c.id for c in CHECKS}
    unknown = set(CHECK_ID.findall(doc_text())) - catalogue - PLANNED
    assert not unknown, f"ids that are neither in the catalogue nor planned: {sorted(unknown)}"


def test_every_check_of_the_catalogue_covers_a_sentence(rows):
    missing = [c.id for c in CHECKS if c.id not in covering_ids(rows)]
    assert not missing, f"checks not named as covering any sentence of the Code: {missing}"


def test_the_summary_counts_are_the_rows_own(rows):
    text = re.sub(r"\s+", " ", doc_text())
    summary = re.search(
        r"Summary: (\d+) sentences\. Checked (\d+) · reported (\d+) · planned (\d+) · "
        r"not measurable (\d+)\.",
        text,
    )
    assert summary, "the preface states the summary counts"
    counts = [sum(r.kind == k for r in rows) for k in KINDS]
    assert [int(n) for n in summary.groups()] == [len(rows), *counts]
    readings = re.search(
        r"Of the (\d+) checked sentences: read faithfully (\d+) · faithfully in part (\d+) · "
        r"by a rule issue 14 corrects (\d+) · misread, and not in issue 14, (\d+)\. "
        r"Rows with a misreading issue 14 does not list \(some also corrected by it\): (\d+)\.",
        text,
    )
    assert readings, "the preface states how the checked sentences are read"
    checked = [r for r in rows if r.kind == "checked"]
    expected = [
        len(checked),
        *(sum(r.verdict == v for r in checked) for v in ("faithful", "in part", "corrected")),
        sum(r.verdict == "misread" for r in checked),
        sum("misreads" in r.covered_by for r in checked),
    ]
    assert [int(n) for n in readings.groups()] == expected


def test_the_doc_holds_no_contact_details():
    text = doc_text()
    assert "@" not in text
    assert not re.search(r"\+?\d[\d ().-]{8,}\d", text), "something like a phone number"


def code_of_ethics() -> str | None:
    """The seed text of the Code: beside the repository (../shared/seed) or named by env."""
    named = os.environ.get("TRC_CODE_OF_ETHICS")
    path = Path(named) if named else ROOT.parent / "shared/seed/code-of-ethics-and-principles.txt"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif(code_of_ethics() is None, reason="the Code's seed text is not beside the repo")
def test_the_codes_words_are_quoted_verbatim_in_order(rows):
    code = normalised(code_of_ethics() or "")
    for row in rows:
        at = 0
        for fragment in (normalised(f) for f in row.words.split("…")):
            if not fragment:
                continue
            found = code.find(fragment, at)
            assert found >= 0, f"{row.where()}: not in the Code (in order): {fragment!r}"
            at = found + len(fragment)


@pytest.mark.skipif(code_of_ethics() is None, reason="the Code's seed text is not beside the repo")
def test_rows_follow_the_codes_order(rows):
    code = normalised(code_of_ethics() or "")
    starts = [code.find(normalised(r.words.split("…")[0])) for r in rows]
    late = [r.where() for r, a, b in zip(rows[1:], starts, starts[1:], strict=False) if b < a]
    assert not late, f"rows out of the Code's order: {late}"
