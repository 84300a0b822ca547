"""Trauma areas with how often clients bring them and how often coaches declare them.

Demand and supply differ on purpose, so the association report has training needs to show.
"""

from __future__ import annotations

import numpy as np

from trc_analytics.records.schema import load_schema

#: Relative demand (share of clients) and supply (share of declared competencies) per area.
_WEIGHTS: dict[str, tuple[float, float]] = {
    "complex_trauma_general": (14, 16),
    "childhood_sexual_abuse": (12, 12),
    "childhood_emotional_abuse_neglect": (12, 12),
    "intimate_partner_violence": (11, 10),
    "narcissistic_abuse": (10, 6),
    "childhood_physical_abuse": (8, 8),
    "adult_sexual_assault": (7, 6),
    "traumatic_grief": (6, 7),
    "intergenerational_trauma": (5, 5),
    "religious_spiritual_abuse": (4, 3),
    "medical_trauma": (4, 3),
    "workplace_abuse": (3, 3),
    "coercive_control_cult": (3, 2),
    "community_racial_trauma": (3, 2),
    "accident_disaster": (3, 3),
    "combat_military": (2, 2),
    "adoption_trauma": (2, 1),
    "npe_misattributed_parentage": (2, 1),
    "human_trafficking": (1, 1),
}


def in_scope_areas() -> tuple[str, ...]:
    """Areas inside the scope of practice, in vocabulary order."""
    schema = load_schema()
    return tuple(a for a in schema.vocabulary("area") if a not in schema.out_of_scope_areas)


IN_SCOPE: np.ndarray = np.array(in_scope_areas(), dtype=object)
DEMAND: np.ndarray = np.array([_WEIGHTS.get(a, (1, 1))[0] for a in IN_SCOPE], dtype=float)
SUPPLY: np.ndarray = np.array([_WEIGHTS.get(a, (1, 1))[1] for a in IN_SCOPE], dtype=float)

#: Out-of-scope areas a planted SCOPE-PRACTICE session works on (never diagnosis: too loud).
OUT_OF_SCOPE_PLANTED = ("weight_loss", "career_performance", "hypnosis")
