"""The record schema is the one source of truth: these tests pin what it promises."""

import polars as pl

from trc_analytics.records.schema import load_schema


def test_the_seventeen_tables_of_the_spec_supervision_actions_and_measures_are_declared():
    schema = load_schema()
    assert schema.names == [
        "coaches",
        "credentials",
        "competencies",
        "clients",
        "engagements",
        "group_members",
        "safety_assessments",
        "sessions",
        "referrals",
        "vetted_services",
        "supervision",
        "trainings",
        "disclosures",
        "mandatory_reports",
        "community_service",
        "conduct_events",
        "goals",
        "measures",  # issue 12: outcome measures, any instrument an association licenses
        "supervision_actions",  # issue 10: actions agreed in supervision
    ]
    assert [t.name for t in schema if t.required] == ["coaches"]


def test_every_vocabulary_named_by_a_field_exists_and_enums_resolve():
    schema = load_schema()
    for table in schema:
        for f in table.fields:
            if f.vocabulary:
                assert f.enum == schema.vocabulary(f.vocabulary)
    assert "diagnosis" in schema.out_of_scope_areas
    assert schema["sessions"].field("area").enum[0] == "childhood_sexual_abuse"


def test_keys_name_real_columns_and_tables():
    schema = load_schema()
    for table in schema:
        assert set(table.primary_key) <= set(table.columns)
        for fk in table.foreign_keys:
            assert fk.fields in table.columns
            assert fk.reference_fields in schema[fk.resource].columns


def test_exported_descriptor_carries_enum_constraints():
    desc = load_schema().table_schema_descriptor()
    sessions = next(r for r in desc["resources"] if r["name"] == "sessions")
    status = next(f for f in sessions["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"][0] == "held"


def test_association_can_extend_a_vocabulary(tmp_path):
    extra = tmp_path / "vocabularies.toml"
    extra.write_text('[area]\nvalues = ["sports_abuse"]\n')
    schema = load_schema(extra)
    assert "sports_abuse" in schema["sessions"].field("area").enum
    assert "childhood_sexual_abuse" in schema["sessions"].field("area").enum
    assert schema["sessions"].polars_schema["held_on"] == pl.Date()
