"""The identifier scan refuses values that look like personal identifiers, and only those.

Every identifier-looking value below is synthetic (example.org, 555 numbers, Jane Roe).
"""

from __future__ import annotations

import polars as pl
import pytest

from trc_analytics.records.identifiers import DATE_LABEL, ROW, is_phone_number, scan_identifiers


def scan(values: list[str | None], column: str = "client_id", exempt: tuple[str, ...] = ()):
    frame = pl.DataFrame(
        {ROW: list(range(2, len(values) + 2)), column: values},
        schema={ROW: pl.Int64, column: pl.String},
    )
    return scan_identifiers(frame, [column], name_rule_exempt=exempt)


@pytest.mark.parametrize(
    ("value", "looks_like"),
    [
        ("jane.roe@example.org", "an e-mail address"),
        ("contact: j.roe+coach@mail.example.co.uk", "an e-mail address"),
        ("https://example.org/jane", "a web address (URL)"),
        ("www.example.org", "a web address (URL)"),
        ("example.com", "a web address (URL)"),
        ("12 Example Street", "a street address"),
        ("221b Baker St", "a street address"),
        ("4 Elm Tree Road, Springfield", "a street address"),
        ("1985-03-02", "a date (of birth?)"),
        ("02/03/1985", "a date (of birth?)"),
        ("2 March 1985", "a date (of birth?)"),
        ("March 2, 1985", "a date (of birth?)"),
        ("+1 202 555 0147", "a phone number"),
        ("(202) 555-0147", "a phone number"),
        ("+44 20 7946 0958", "a phone number"),
        ("Jane Roe", "a person's full name"),
        ("client Jane Roe", "a person's full name"),
    ],
)
def test_identifier_looking_values_are_flagged(value, looks_like):
    found = scan(["CL-0001", value])
    assert found.rows() == [(3, "client_id", None, looks_like)]


def test_demo_style_ids_and_codes_pass():
    values = [
        "C-0001",
        "CL-000123",
        "E-000045",
        "S-00001234",
        "G-0002",
        "RE-0001",
        "SV-12",
        "EUR",
        "1000001",  # a numeric id is not a valid phone number
        "north_west",
        None,
    ]
    assert scan(values).is_empty()


def test_place_names_are_capitalised_words_so_region_skips_the_full_name_rule():
    assert scan(["North West", "Greater Manchester"], "region", exempt=("region",)).is_empty()
    # ...but every other identifier rule still applies to regions
    flagged = scan(["jane.roe@example.org"], "region", exempt=("region",))
    assert flagged["looks_like"].to_list() == ["an e-mail address"]


def test_bare_digits_are_confirmed_with_phonenumbers():
    assert is_phone_number("+1 202 555 0147")
    assert is_phone_number("020 7946 0958")  # a national number, tried in known regions
    assert not is_phone_number("1234567")
    assert not is_phone_number("20260115")
    assert scan(["1234567", "20260115"]).is_empty()  # bare digits that are no phone number


def test_phone_shaped_values_are_flagged_whether_or_not_the_number_exists():
    # 555 numbers, the UK drama range, numbers phonenumbers calls invalid (issue 9, item 12)
    shaped = ["202-555-0147", "(202) 555-0100", "07700 900123", "+44 7700 900 461",
              "000-0000-00", "555 0147", "+1 (555) 010-9999"]  # fmt: skip
    assert not is_phone_number("000-0000-00")
    found = scan(shaped, "engagement_id")
    assert found["looks_like"].to_list() == ["a phone number"] * len(shaped)
    # ids with letters, and more than 15 digits, are not phones; a date is a date
    fine = ["C-0001", "ENG-2024-000123", "S-00000001", "CL-000123", "1234-5678-9012-3456"]
    assert scan(fine, "engagement_id").is_empty()
    assert scan(["2026-03-08"], "engagement_id")["looks_like"].to_list() == [DATE_LABEL]


def test_the_identifier_value_is_never_repeated():
    found = scan(["jane.roe@example.org"])
    assert found["value"].to_list() == [None]


def test_many_rows_are_scanned_and_only_flagged_cells_returned():
    values = [f"S-{i:08d}" for i in range(50_000)]
    values[31_337] = "+1 202 555 0147"
    found = scan(values, "session_id")
    assert found.select(ROW, "looks_like").rows() == [(31_339, "a phone number")]
