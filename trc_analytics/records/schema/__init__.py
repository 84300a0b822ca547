"""The record schema: one Frictionless-style data package plus the vocabularies it names.

Everything that knows about tables and columns (validation, templates, data dictionary, demo
generator) reads it from here; nothing restates the columns by hand.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

#: Polars dtype for each Table Schema type used by the records.
POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
}

#: Text accepted for booleans (case-insensitive), as Frictionless `trueValues`/`falseValues`.
TRUE_VALUES = ("true", "yes", "y", "1")
FALSE_VALUES = ("false", "no", "n", "0")


@dataclass(frozen=True)
class Field:
    """One column of a table: its type, whether it is required and its vocabulary, if any."""

    name: str
    type: str
    description: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    vocabulary: str | None = None
    enum: tuple[str, ...] | None = None
    not_future: bool = False
    code: str = ""

    @property
    def dtype(self) -> pl.DataType:
        """The polars dtype a loaded column of this field has. A vocabulary field is an `Enum`
        of its values (grouping and joining on it then costs a fraction of text), categories in
        alphabetical order so that sorting on it gives the same order as sorting the text."""
        if self.enum is not None:
            return pl.Enum(sorted(self.enum))
        return POLARS_TYPES[self.type]


@dataclass(frozen=True)
class ForeignKey:
    """`fields` of this table must name an existing row of `resource`.`reference_fields`."""

    fields: str
    resource: str
    reference_fields: str


@dataclass(frozen=True)
class Table:
    """One record table: its columns, keys, date-order rules and the Code passage it serves."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    order: tuple[tuple[str, str], ...] = ()  # (earlier, later) date pairs
    required: bool = False
    code: str = ""

    @property
    def columns(self) -> list[str]:
        """Column names in template order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called `name` (KeyError when the table has none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        """Column name -> polars dtype, in template order."""
        return {f.name: f.dtype for f in self.fields}


@dataclass(frozen=True)
class Schema:
    """All tables of a workspace, in dependency-friendly template order, plus vocabularies."""

    tables: dict[str, Table]
    vocabularies: dict[str, dict[str, Any]] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    def __iter__(self):
        return iter(self.tables.values())

    @property
    def names(self) -> list[str]:
        """Table names in template order."""
        return list(self.tables)

    def vocabulary(self, name: str) -> tuple[str, ...]:
        """Allowed values of a vocabulary."""
        return tuple(self.vocabularies[name]["values"])

    def display_labels(self) -> dict[str, str]:
        """value -> the words reports print for it, from every vocabulary's `labels` table
        (a value without a label prints with its underscores as spaces)."""
        out: dict[str, str] = {}
        for voc in self.vocabularies.values():
            out.update(voc.get("labels", {}))
        return out

    @property
    def out_of_scope_areas(self) -> frozenset[str]:
        """Areas outside the scope of practice (SPEC 3) unless outside training says otherwise."""
        return frozenset(self.vocabularies["area"].get("out_of_scope", ()))

    def table_schema_descriptor(self) -> dict[str, Any]:
        """The data package with every vocabulary resolved into `constraints.enum`.

        This is the standard Frictionless form other tools read (published with the templates).
        """
        out = json.loads(json.dumps(self.descriptor))
        for res in out["resources"]:
            for f in res["schema"]["fields"]:
                voc = f.get("trc:vocabulary")
                if voc:
                    f.setdefault("constraints", {})["enum"] = list(self.vocabulary(voc))
                if f["type"] == "boolean":
                    f["trueValues"] = list(TRUE_VALUES)
                    f["falseValues"] = list(FALSE_VALUES)
        return out


def _read_package_file(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _merge_vocabularies(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Add the values of `extra` to `base` (an association extends, never removes)."""
    merged = {k: dict(v) for k, v in base.items()}
    for name, voc in extra.items():
        target = merged.setdefault(name, {"description": voc.get("description", ""), "values": []})
        for key in ("values", "out_of_scope"):
            if key in voc:
                target[key] = list(dict.fromkeys([*target.get(key, []), *voc[key]]))
        if "labels" in voc:  # an association may word its values its own way
            target["labels"] = {**target.get("labels", {}), **voc["labels"]}
    return merged


def build_schema(descriptor: dict[str, Any], vocabularies: dict[str, Any]) -> Schema:
    """Turn a data-package descriptor and vocabularies into typed `Table` objects."""
    tables: dict[str, Table] = {}
    for res in descriptor["resources"]:
        s = res["schema"]
        fields = []
        for f in s["fields"]:
            cons = f.get("constraints", {})
            voc = f.get("trc:vocabulary")
            fields.append(
                Field(
                    name=f["name"],
                    type=f["type"],
                    description=f.get("description", ""),
                    required=bool(cons.get("required", False)),
                    minimum=cons.get("minimum"),
                    maximum=cons.get("maximum"),
                    vocabulary=voc,
                    enum=tuple(vocabularies[voc]["values"]) if voc else None,
                    not_future=bool(f.get("trc:notFuture", False)),
                    code=f.get("trc:code", ""),
                )
            )
        tables[res["name"]] = Table(
            name=res["name"],
            title=res.get("title", res["name"]),
            description=res.get("description", ""),
            fields=tuple(fields),
            primary_key=tuple(s["primaryKey"]),
            foreign_keys=tuple(
                ForeignKey(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                for fk in s.get("foreignKeys", [])
            ),
            order=tuple((o["before"], o["after"]) for o in s.get("trc:order", [])),
            required=bool(res.get("trc:required", False)),
            code=res.get("trc:code", ""),
        )
    return Schema(tables=tables, vocabularies=vocabularies, descriptor=descriptor)


@cache
def _default_schema() -> Schema:
    descriptor = json.loads(_read_package_file("datapackage.json"))
    vocabularies = tomllib.loads(_read_package_file("vocabularies.toml"))
    return build_schema(descriptor, vocabularies)


def load_schema(extra_vocabularies: Path | None = None) -> Schema:
    """The package's schema, optionally with an association's `vocabularies.toml` merged in."""
    base = _default_schema()
    if extra_vocabularies is None:
        return base
    extra = tomllib.loads(Path(extra_vocabularies).read_text(encoding="utf-8"))
    return build_schema(base.descriptor, _merge_vocabularies(base.vocabularies, extra))
