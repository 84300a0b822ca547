"""Every threshold the checks, metrics and disclosure control use, in one object.

Defaults are those of SPEC section 4 and 6; a TOML file (`trc ... --policy FILE`) and notebook
parameters override single values. Reports print the values used (`Policy.as_rows`). Every value
from outside (file, option, parameter) is checked against its type and range (`ALLOWED`): a
`nan`, `inf`, string or out-of-range value would otherwise switch protection off silently.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from trc_analytics.errors import TrcError

#: The smallest `min_cell` any policy may set (the association report's floor, see
#: `disclosure.release.MIN_CELL_FLOOR`, which must agree).
MIN_CELL_FLOOR = 5
#: Fewest coaches behind a published sum: with two, each could subtract their own share.
MIN_CONTRIBUTORS_FLOOR = 3
#: Upper sanity bound of every day count (ten years) and month count.
MAX_DAYS = 3660
MAX_MONTHS = 120


class PolicyError(TrcError, ValueError):
    """A policy value of the wrong type or out of range; the message names key, value and range."""


@dataclass(frozen=True)
class Allowed:
    """The type and range a policy value must have (`low_open`: the low bound itself is out)."""

    kind: type
    low: float
    high: float | None = None
    low_open: bool = False

    def text(self) -> str:
        """The range in words, e.g. "a whole number from 0 to 3660"."""
        what = "a whole number" if self.kind is int else "a finite number"
        low = f"greater than {self.low:g}" if self.low_open else f"at least {self.low:g}"
        if self.high is None:
            return f"{what}, {low}"
        if self.low_open:
            return f"{what} {low} and at most {self.high:g}"
        return f"{what} from {self.low:g} to {self.high:g}"


_DAYS = Allowed(int, 0, MAX_DAYS)
_MONTHS = Allowed(int, 1, MAX_MONTHS)
#: name -> type and range; `dominance_two` must also be above `dominance_one` (checked jointly).
ALLOWED: dict[str, Allowed] = {
    "sra_days_after_first_session": _DAYS,
    "sra_valid_days": _DAYS,
    "decompensation_referral_days": _DAYS,
    "influence_repeat_days": Allowed(int, 1, MAX_DAYS),
    "competence_supervision_days": _DAYS,
    "competence_supervision_lookback_days": _DAYS,
    "mandatory_report_days": _DAYS,
    "grievance_notice_days": _DAYS,
    "context_explored_days": _DAYS,
    "credential_grace_months": Allowed(int, 0, MAX_MONTHS),
    "lapse_supervision_hours": Allowed(float, 0, 1000),
    "renewal_cycle_months": _MONTHS,
    "credential_due_days": _DAYS,
    "training_window_months": _MONTHS,
    "ce_hours_per_year": Allowed(float, 0, 1000),
    "ce_hours_per_cycle": Allowed(float, 0, 10000),
    "renewal_warning_days": _DAYS,
    "goal_after_sessions": Allowed(int, 1, 1000),
    "probono_window_months": _MONTHS,
    "charge_report_days": _DAYS,
    "silent_engagement_days": Allowed(int, 1, MAX_DAYS),
    "vetting_valid_months": _MONTHS,
    "review_interval_days": Allowed(int, 7, 366),
    "training_need_share": Allowed(float, 0, 1),
    "min_cell": Allowed(int, MIN_CELL_FLOOR),
    "rounding_base": Allowed(int, 0, 100),
    "min_contributors": Allowed(int, MIN_CONTRIBUTORS_FLOOR),
    "dominance_one": Allowed(float, 0, 0.5, low_open=True),
    "dominance_two": Allowed(float, 0, 0.8, low_open=True),
    "icf_max_group_size": Allowed(int, 2, 1000),
}
#: The severities a check may be given (`severity.<CHECK-ID>` policy values).
SEVERITY_VALUES = ("critical", "major", "minor")
#: Prefix of a per-check severity given as one flat name (`severity.SAFE-SRA = "minor"`).
SEVERITY_PREFIX = "severity."


def _shown(value: object) -> str:
    """A value as the user wrote it (strings quoted so `'11'` differs from `11`)."""
    return repr(value) if isinstance(value, str) else str(value)


def checked_value(name: str, value: object) -> int | float:
    """`value` as policy value `name` holds it; `PolicyError` naming key, value and range."""
    allowed = ALLOWED[name]
    must = f"{name} must be {allowed.text()}"
    shown = f"{name} {_shown(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{shown} is not a number: {must}")
    if isinstance(value, float) and not math.isfinite(value):
        raise PolicyError(f"{shown} is not a finite number: {must}")
    if allowed.kind is int and value != int(value):
        raise PolicyError(f"{shown} is not a whole number: {must}")
    if allowed.low_open and value <= allowed.low:
        raise PolicyError(f"{shown} is not above {allowed.low:g}: {must}")
    if value < allowed.low:
        raise PolicyError(f"{shown} is below the floor of {allowed.low:g}: {must}")
    if allowed.high is not None and value > allowed.high:
        raise PolicyError(f"{shown} is above the ceiling of {allowed.high:g}: {must}")
    return allowed.kind(value)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Policy:
    """Thresholds, each with the default the Code or the SPEC gives."""

    #: SAFE-SRA: days an assessment may come after the first held session (0 = on or before).
    sra_days_after_first_session: int = 0
    #: SAFE-SRA: days before the first session an assessment naming no engagement still counts.
    sra_valid_days: int = 90
    #: SAFE-DECOMP: days from observed decompensation to a therapist/psychiatrist/crisis referral.
    decompensation_referral_days: int = 2
    #: SAFE-REASSESS: a second under-influence episode within this many days is a risk event.
    influence_repeat_days: int = 90
    #: SCOPE-COMPETENCE: days after an undeclared-area session within which supervision in that
    #: area counts (issue 14: soon after meeting the issue).
    competence_supervision_days: int = 30
    #: SCOPE-COMPETENCE: days before an undeclared-area session within which supervision in that
    #: area counts (sought when taking the case on).
    competence_supervision_lookback_days: int = 90
    #: CONF-MANDATORY: days from a concern to the report to the agency (jurisdictions differ).
    mandatory_report_days: int = 2
    #: PRACT-GRIEVANCE: days after intake to tell the client of the grievance policy.
    grievance_notice_days: int = 30
    #: PRACT-CONTEXT: days after intake to explore the client's context.
    context_explored_days: int = 60
    #: CERT-LAPSED: months of grace after a credential expires.
    credential_grace_months: int = 6
    #: CERT-LAPSED: one-to-one supervision hours with one Association supervisor after the
    #: grace that open the review of suitability to renew (the credential stays lapsed).
    lapse_supervision_hours: float = 6.0
    #: CERT-ETHICS: length of a certification cycle in months (ethics review needed within it).
    renewal_cycle_months: int = 24
    #: Standing metrics: a credential expiring within this many days is "due".
    credential_due_days: int = 90
    #: DEV-CE: months of the window training is counted in (up to the period end).
    training_window_months: int = 12
    #: DEV-CE: hours of training, other than the ethics review course, asked per window.
    ce_hours_per_year: float = 10.0
    #: Renewal readiness: continuing-education hours (other than the ethics review course)
    #: asked in a whole renewal cycle: `ce_hours_per_year` over the `renewal_cycle_months`
    #: (10 h x 24 months / 12) unless the association sets its own figure.
    ce_hours_per_cycle: float = 20.0
    #: Renewal readiness: a requirement still missing with fewer than this many days to the
    #: expiry puts the renewal "at risk" (more days left: "in progress").
    renewal_warning_days: int = 90
    #: Goals: an engagement with at least this many held sessions and no goal is listed as
    #: "no goal recorded yet".
    goal_after_sessions: int = 4
    #: COMM-PROBONO: months within which some pro-bono or affordable service must be given.
    probono_window_months: int = 6
    #: CONDUCT-CHARGE: days to report a criminal charge to the Professional Standards Committee.
    charge_report_days: int = 10
    #: Caseload and REFER-ABANDON: an open engagement with no session for this many days is
    #: "silent" (REFER-ABANDON: a minor finding, an ending never recorded).
    silent_engagement_days: int = 60
    #: REFER-VETTED: months a coach's vetting of a service stays current (older: minor finding).
    vetting_valid_months: int = 24

    #: Supervision cycle: the next review is proposed this many days after the period end.
    review_interval_days: int = 90
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
    #: Credential progress and the coaching log: a group of more members than this is not
    #: coaching experience the ICF counts (neither its hours nor its members as clients).
    icf_max_group_size: int = 15
    #: Severity per check id, set by the association (`[severity]` table of the policy file,
    #: or `severity.<CHECK-ID>`): replaces the catalogue's severity for every finding of that
    #: check. Empty: every check keeps the severity the catalogue gives it.
    #: Held as sorted (check id, severity) pairs so a policy stays hashable (reports cache on it).
    severity: tuple[tuple[str, str], ...] = ()

    @classmethod
    def names(cls) -> list[str]:
        """Names of every numeric policy value (per-check severities are in `severity`)."""
        return [f.name for f in fields(cls) if f.name != "severity"]

    def severity_of(self, check_id: str, default: str) -> str:
        """The severity a check's findings take: the policy's, else the catalogue's."""
        return dict(self.severity).get(check_id, default)

    def with_overrides(self, **overrides: Any) -> Policy:
        """A copy with some values replaced; an unknown name, a wrong type or a value out of its
        range (`ALLOWED`) raises `PolicyError` naming the key, the value and the range."""
        clean: dict[str, Any] = {}
        severity = dict(self.severity)
        for name, value in overrides.items():
            if value is None:
                continue
            if name == "severity" or name.startswith(SEVERITY_PREFIX):
                severity.update(checked_severities(name, value))
                continue
            if name not in ALLOWED:
                raise PolicyError(
                    f"unknown policy value {name!r}; known: {', '.join(sorted(ALLOWED))}"
                )
            clean[name] = checked_value(name, value)
        policy = replace(self, **clean, severity=tuple(sorted(severity.items())))
        if {"dominance_one", "dominance_two"} & clean.keys():
            policy.check_dominance()
        return policy

    def check_dominance(self) -> None:
        """Raise `PolicyError` unless the two-contributor share is above the one-contributor one."""
        one, two = self.dominance_one, self.dominance_two
        if not two > one:
            raise PolicyError(
                f"dominance_two {two:g} is not above dominance_one {one:g}: dominance_two must "
                f"be greater than dominance_one ({one:g}) and at most "
                f"{ALLOWED['dominance_two'].high:g}"
            )

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        """Defaults overridden by a TOML file of `name = value` lines (a `[policy]` table is
        also accepted)."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PolicyError(f"{p}: cannot read policy file: {exc}") from None
        severity = data.pop("severity", None) if isinstance(data.get("policy"), dict) else None
        data = data.get("policy", data)
        if not isinstance(data, dict):
            raise PolicyError(f"{p}: [policy] must be a table of `name = value` lines")
        if severity is not None:
            data = {**data, "severity": {**severity, **data.get("severity", {})}}
        try:
            return cls().with_overrides(**data)
        except PolicyError as exc:
            raise PolicyError(f"{p}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Policy:
        """The policy a report uses: defaults, then the TOML file, then single overrides."""
        base = cls.from_toml(path) if path else cls()
        return base.with_overrides(**overrides)

    def as_rows(self) -> list[tuple[str, Any, bool]]:
        """(name, value, differs from default) for every value, for the report footer; a
        per-check severity the policy sets is one row `severity.<CHECK-ID>`."""
        default = Policy()
        values = asdict(self)
        values.pop("severity")
        rows = [(k, v, v != getattr(default, k)) for k, v in values.items()]
        return rows + [(f"{SEVERITY_PREFIX}{k}", v, True) for k, v in self.severity]


def checked_severities(name: str, value: object) -> dict[str, str]:
    """check id -> severity from `severity = {ID = "minor"}` or `severity.ID = "minor"`;
    `PolicyError` naming the key and the allowed values. (Whether the id is a check of the
    catalogue is checked when the checks run: `checks.runner`.)"""
    if name == "severity":
        if not isinstance(value, Mapping):
            raise PolicyError(
                'severity must be a table of `CHECK-ID = "critical|major|minor"` lines'
            )
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        pairs = [(name[len(SEVERITY_PREFIX) :], value)]
    out: dict[str, str] = {}
    for check_id, sev in pairs:
        if sev not in SEVERITY_VALUES:
            raise PolicyError(
                f"{SEVERITY_PREFIX}{check_id} {_shown(sev)} is not a severity: "
                f"{SEVERITY_PREFIX}{check_id} must be one of {'|'.join(SEVERITY_VALUES)}"
            )
        out[check_id] = str(sev)
    return out
