"""The ethics check catalogue: every check of SPEC section 4, in the SPEC's order."""

from __future__ import annotations

from trc_analytics.checks.certification import CERTIFICATION_CHECKS, DEVELOPMENT_CHECKS
from trc_analytics.checks.check import Check
from trc_analytics.checks.conduct import CONDUCT_CHECKS
from trc_analytics.checks.confidentiality import CONFIDENTIALITY_CHECKS
from trc_analytics.checks.practice import COMMUNITY_CHECKS, PRACTICE_CHECKS
from trc_analytics.checks.referral import REFERRAL_CHECKS
from trc_analytics.checks.safety import SAFETY_CHECKS
from trc_analytics.checks.scope import SCOPE_CHECKS

#: Every check, in the order of SPEC section 4.
CHECKS: tuple[Check, ...] = (
    *SAFETY_CHECKS,
    *SCOPE_CHECKS,
    *REFERRAL_CHECKS,
    *CONFIDENTIALITY_CHECKS,
    *PRACTICE_CHECKS,
    *CERTIFICATION_CHECKS,
    *DEVELOPMENT_CHECKS,
    *COMMUNITY_CHECKS,
    *CONDUCT_CHECKS,
)

_BY_ID = {c.id: c for c in CHECKS}


def get_check(check_id: str) -> Check:
    """The check with this id (case-insensitive); ValueError names the known ids otherwise."""
    try:
        return _BY_ID[check_id.upper()]
    except KeyError:
        raise ValueError(f"unknown check {check_id!r}; known: {', '.join(_BY_ID)}") from None
