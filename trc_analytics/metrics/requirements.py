"""Credential levels and their coaching-experience requirements, read from TOML files.

The package ships the International Coaching Federation's published figures
(`icf_credentials.toml`: ACC, PCC, MCC, with their source and the date they were recorded); an
association adds its own levels (its Supervisor level, say) in a file of the same form, given
with `trc progress --requirements FILE`. Every value is checked when the file is read: a bad
file stops with a message naming the file, the level and the key, never a traceback or a
silently ignored requirement.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from trc_analytics.errors import TrcError

#: The requirements file shipped with the package.
ICF_FILE = "icf_credentials.toml"
#: Keys of a `[[level]]` table that hold a requirement (a number), in display order.
AMOUNTS = ("hours", "paid_hours", "clients", "recent_hours", "recent_months")
#: Every key a `[[level]]` table may hold.
LEVEL_KEYS = frozenset({"name", "title", *AMOUNTS})
#: Every key the `[source]` table may hold.
SOURCE_KEYS = frozenset({"name", "url", "recorded_on", "note"})


class RequirementsError(TrcError, ValueError):
    """A requirements file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Level:
    """One credential level: what it asks of a coach's coaching experience (None: not asked)."""

    name: str
    title: str
    hours: float
    paid_hours: float | None = None
    clients: int | None = None
    recent_hours: float | None = None
    recent_months: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Requirements:
    """Levels in order (the ICF's first, then an association's), and where each file came from."""

    levels: tuple[Level, ...]
    sources: tuple[str, ...]
    source_urls: tuple[str, ...] = ()

    def with_file(self, path: str | Path) -> Requirements:
        """These levels and those of `path` after them; a name already used is refused."""
        extra = read_requirements(path)
        known = {lv.name.casefold() for lv in self.levels}
        for lv in extra.levels:
            if lv.name.casefold() in known:
                raise RequirementsError(
                    f"{path}: level {lv.name!r} is already defined ({', '.join(self.names)}); "
                    "give your level another name"
                )
        return Requirements(
            self.levels + extra.levels,
            self.sources + extra.sources,
            self.source_urls + extra.source_urls,
        )

    @property
    def names(self) -> list[str]:
        """The level names, in order."""
        return [lv.name for lv in self.levels]


def icf_requirements() -> Requirements:
    """The ICF's levels, from the file shipped in the package."""
    ref = resources.files("trc_analytics.metrics") / ICF_FILE
    with resources.as_file(ref) as path:
        return read_requirements(path, shown=f"{ICF_FILE} (shipped with trc-analytics)")


def load_requirements(path: str | Path | None = None) -> Requirements:
    """The ICF's levels, plus those of an association's file when `path` is given."""
    base = icf_requirements()
    return base.with_file(path) if path is not None else base


def read_requirements(path: str | Path, *, shown: str | None = None) -> Requirements:
    """The levels of one TOML file; `RequirementsError` naming file, level and key."""
    where = shown or str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RequirementsError(f"{where}: cannot read the file ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RequirementsError(f"{where}: not a TOML file: {exc}") from None
    unknown = sorted(set(data) - {"source", "level"})
    if unknown:
        raise RequirementsError(
            f"{where}: unknown key {unknown[0]!r}; a requirements file holds [source] and "
            "[[level]] tables"
        )
    source = _source(data.get("source"), where)
    raw_levels = data.get("level")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise RequirementsError(f"{where}: no [[level]] table: give at least one level")
    levels = tuple(_level(raw, i, where, source) for i, raw in enumerate(raw_levels, start=1))
    names = [lv.name.casefold() for lv in levels]
    twice = next((lv.name for lv in levels if names.count(lv.name.casefold()) > 1), None)
    if twice is not None:
        raise RequirementsError(f"{where}: level {twice!r} is defined twice")
    url = data["source"].get("url")
    return Requirements(levels, (source,), (url,) if url else ())


def _source(raw: Any, where: str) -> str:
    """`name (recorded DATE)` of the `[source]` table, which must name the source. The url is
    checked but not part of the text: an offline report holds no link (`trc progress` prints
    it, `source_urls`)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise RequirementsError(
            f'{where}: [source] name is missing: say where the figures come from (name = "...")'
        )
    unknown = sorted(set(raw) - SOURCE_KEYS)
    if unknown:
        raise RequirementsError(
            f"{where}: [source] {unknown[0]}: unknown key; known: {', '.join(sorted(SOURCE_KEYS))}"
        )
    recorded = raw.get("recorded_on")
    if recorded is not None and not isinstance(recorded, dt.date):
        raise RequirementsError(
            f"{where}: [source] recorded_on {recorded!r} is not a date (write it as 2026-01-31)"
        )
    url = raw.get("url")
    if url is not None and not isinstance(url, str):
        raise RequirementsError(f"{where}: [source] url must be text")
    return raw["name"] + (f" (recorded {recorded.isoformat()})" if recorded else "")


def _level(raw: Any, i: int, where: str, source: str) -> Level:
    """One `[[level]]` table, every value checked."""
    if not isinstance(raw, dict):
        raise RequirementsError(f"{where}: [[level]] {i} is not a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RequirementsError(f'{where}: [[level]] {i}: name is missing (name = "ACC")')
    at = f"{where}: [[level]] {i} ({name})"
    unknown = sorted(set(raw) - LEVEL_KEYS)
    if unknown:
        raise RequirementsError(
            f"{at}: {unknown[0]}: unknown key; known: {', '.join(sorted(LEVEL_KEYS))}"
        )
    if "hours" not in raw:
        raise RequirementsError(f"{at}: hours is missing (the coaching hours the level asks)")
    values = {key: _amount(raw[key], key, at) for key in AMOUNTS if key in raw}
    if ("recent_hours" in values) != ("recent_months" in values):
        raise RequirementsError(
            f"{at}: recent_hours and recent_months go together (hours within that many months)"
        )
    paid = values.get("paid_hours")
    if paid is not None and paid > values["hours"]:
        raise RequirementsError(f"{at}: paid_hours {paid:g} is more than hours {values['hours']:g}")
    title = raw.get("title", name)
    if not isinstance(title, str):
        raise RequirementsError(f"{at}: title must be text")
    return Level(
        name=name.strip(),
        title=title,
        hours=values["hours"],
        paid_hours=paid,
        clients=_whole(values.get("clients"), "clients", at),
        recent_hours=values.get("recent_hours"),
        recent_months=_whole(values.get("recent_months"), "recent_months", at),
        source=source,
    )


def _amount(value: Any, key: str, at: str) -> float:
    """A requirement's number: finite and above zero."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RequirementsError(f"{at}: {key} {value!r} is not a number")
    if value <= 0:
        raise RequirementsError(f"{at}: {key} {value!r} must be above 0 (leave the key out)")
    if key.endswith("hours") and abs(value * 10 - round(value * 10)) > 1e-9:
        # hours print to the tenth (held rounded down, still needed up): a requirement of
        # 600.05 would print as 600.1 while held and needed added up to 600.05
        raise RequirementsError(
            f"{at}: {key} {value!r} has more than one decimal; hours are asked in tenths"
        )
    return float(value)


def _whole(value: float | None, key: str, at: str) -> int | None:
    """A count (clients, months) as a whole number."""
    if value is None:
        return None
    if value != int(value):
        raise RequirementsError(f"{at}: {key} {value:g} is not a whole number")
    return int(value)
