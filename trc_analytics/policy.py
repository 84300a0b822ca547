"""Every threshold the checks, metrics and disclosure control use, in one object.

Defaults are those of SPEC section 4 and 6; a TOML file (`trc ... --policy FILE`) and notebook
parameters override single values. Reports print the values used (`Policy.as_rows`).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Policy:
    """Thresholds, each with the default the Code or the SPEC gives."""

    #: SAFE-SRA: days an assessment may come after the first held session (0 = on or before).
    sra_days_after_first_session: int = 0
    #: SAFE-DECOMP: days from observed decompensation to a therapist/psychiatrist/crisis referral.
    decompensation_referral_days: int = 7
    #: SCOPE-COMPETENCE: days around undeclared-area sessions within which supervision counts.
    competence_supervision_days: int = 90
    #: CONF-MANDATORY: days from a concern to the report to the agency (jurisdictions differ).
    mandatory_report_days: int = 2
    #: PRACT-GRIEVANCE: days after intake to tell the client of the grievance policy.
    grievance_notice_days: int = 30
    #: PRACT-CONTEXT: days after intake to explore the client's context.
    context_explored_days: int = 60
    #: CERT-LAPSED: months of grace after a credential expires.
    credential_grace_months: int = 6
    #: CERT-LAPSED: one-to-one supervision hours with one supervisor needed past the grace.
    lapse_supervision_hours: float = 6.0
    #: CERT-ETHICS: length of a certification cycle in months (ethics review needed within it).
    renewal_cycle_months: int = 24
    #: Standing metrics: a credential expiring within this many days is "due".
    credential_due_days: int = 90
    #: DEV-CE: months within which some training must be completed.
    training_window_months: int = 12
    #: COMM-PROBONO: months within which some pro-bono or affordable service must be given.
    probono_window_months: int = 6
    #: CONDUCT-CHARGE: days to report a criminal charge to the Professional Standards Committee.
    charge_report_days: int = 10
    #: Caseload: an open engagement with no session for this many days is "silent".
    silent_engagement_days: int = 60
    #: Demand vs supply: an area "needs training" in a region when at least this share of its
    #: sessions were held outside declared competence (or no coach there declares it).
    training_need_share: float = 0.2
    #: Disclosure control: smallest count that may be published (1..min_cell-1 suppressed).
    min_cell: int = 11
    #: Disclosure control: round published counts to this base (0 = no rounding).
    rounding_base: int = 0
    #: Disclosure control: fewest distinct coaches behind a published sum or mean.
    min_contributors: int = 3
    #: Disclosure control: largest share of a sum one contributor may hold.
    dominance_one: float = 0.5
    #: Disclosure control: largest share of a sum the two largest contributors may hold.
    dominance_two: float = 0.67

    @classmethod
    def names(cls) -> list[str]:
        """Names of every policy value."""
        return [f.name for f in fields(cls)]

    def with_overrides(self, **overrides: Any) -> Policy:
        """A copy with some values replaced; unknown names and wrong types raise ValueError."""
        clean: dict[str, Any] = {}
        defaults = {f.name: f.default for f in fields(self)}
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in defaults:
                raise ValueError(
                    f"unknown policy value {name!r}; known: {', '.join(sorted(defaults))}"
                )
            kind = type(defaults[name])
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"policy value {name!r} must be a number, got {value!r}")
            if kind is int and float(value) != int(value):
                raise ValueError(f"policy value {name!r} must be a whole number, got {value!r}")
            if value < 0:
                raise ValueError(f"policy value {name!r} must not be negative, got {value!r}")
            clean[name] = kind(value)
        return replace(self, **clean)

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Defaults overridden by a TOML file of `name = value` lines (a `[policy]` table is
        also accepted)."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{p}: cannot read policy file: {exc}") from exc
        data = data.get("policy", data)
        try:
            return cls().with_overrides(**data)
        except ValueError as exc:
            raise ValueError(f"{p}: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Policy:
        """The policy a report uses: defaults, then the TOML file, then single overrides."""
        base = cls.from_toml(path) if path else cls()
        return base.with_overrides(**overrides)

    def as_rows(self) -> list[tuple[str, Any, bool]]:
        """(name, value, differs from default) for every value, for the report footer."""
        default = Policy()
        return [(k, v, v != getattr(default, k)) for k, v in asdict(self).items()]
