"""The linear-program solver of the attacker audits, imported when a program is first solved.

Every report imports the disclosure package (its release rules live there), but only the
association report's audits ever solve a linear program. `scipy.optimize` costs about half a
second of a report kernel's start (a fifth of one supervisor review), so it is imported by the
first call of `linprog` here, not by the modules that use it.
"""

from __future__ import annotations

from typing import Any


def linprog(*args: Any, **kwargs: Any) -> Any:
    """`scipy.optimize.linprog(*args, **kwargs)` (HiGHS), importing SciPy on first use."""
    from scipy.optimize import linprog as solve

    return solve(*args, **kwargs)
