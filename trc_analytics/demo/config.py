"""Parameters of a synthetic demo workspace, checked before anything is generated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trc_analytics.demo.dates import add_months_date
from trc_analytics.errors import TrcError
from trc_analytics.period import Period

#: Fixed default start: 24 months from here end on 2026-10-31, so the default demo is the same
#: bytes whatever the day it is generated.
DEFAULT_START = dt.date(2024, 11, 1)
DEFAULT_COACHES = 40
DEFAULT_MONTHS = 24
DEFAULT_SEED = 7
DEFAULT_FINDING_RATE = 0.03

#: The coach every quickstart report is about: a rich, mostly good picture with a few findings.
SHOWCASE_COACH = "C-0001"
#: The README's example period: every planted check has a case in it when the demo covers it.
SHOWCASE_PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))

#: Fewest coaches that leave room for every coach-level planted case beside C-0001 and a supervisor.
MIN_COACHES = 8
#: Fewest months: a planted period of six months needs room.
MIN_MONTHS = 6
#: Most coach-months generated (about 10 million sessions, several GiB of memory).
MAX_COACH_MONTHS = 250_000
CURRENCY = "USD"


class DemoError(TrcError, ValueError):
    """The demo cannot be generated with these parameters (the message says why)."""


@dataclass(frozen=True)
class DemoConfig:
    """What to generate: how many coaches, over which months, from which seed."""

    coaches: int = DEFAULT_COACHES
    months: int = DEFAULT_MONTHS
    start: dt.date = DEFAULT_START
    seed: int = DEFAULT_SEED
    finding_rate: float = DEFAULT_FINDING_RATE

    def __post_init__(self) -> None:
        if self.coaches < MIN_COACHES:
            raise DemoError(
                f"--coaches must be at least {MIN_COACHES} (room for a supervisor, the showcase "
                f"coach and every planted case), got {self.coaches}"
            )
        if self.months < MIN_MONTHS:
            raise DemoError(f"--months must be at least {MIN_MONTHS}, got {self.months}")
        if self.coaches * self.months > MAX_COACH_MONTHS:
            raise DemoError(
                f"--coaches x --months must be at most {MAX_COACH_MONTHS:,} (about 10 million "
                f"sessions), got {self.coaches:,} x {self.months} = {self.coaches * self.months:,}"
            )
        if not 0 <= self.finding_rate <= 0.5:
            raise DemoError(f"finding_rate must be between 0 and 0.5, got {self.finding_rate}")
        if self.seed < 0:
            raise DemoError(f"--seed must not be negative, got {self.seed}")

    @property
    def end(self) -> dt.date:
        """Last day of the generated records (inclusive)."""
        return add_months_date(self.start, self.months) - dt.timedelta(days=1)

    @property
    def window(self) -> Period:
        """The months the records cover."""
        return Period(self.start, self.end)

    @property
    def plant_period(self) -> Period:
        """Where the first case of every planted check goes: the README's example period when
        the records cover it, else the last six months of the records."""
        if self.start <= SHOWCASE_PERIOD.start and SHOWCASE_PERIOD.end <= self.end:
            return SHOWCASE_PERIOD
        first = add_months_date(self.end + dt.timedelta(days=1), -6)
        return Period(max(self.start, first), self.end)

    def refuse_future(self, today: dt.date | None = None) -> None:
        """Raise DemoError when the records would reach past today (future dates are invalid)."""
        today = today or dt.date.today()
        if self.end > today:
            raise DemoError(
                f"--start {self.start.isoformat()} with --months {self.months} ends on "
                f"{self.end.isoformat()}, after today ({today.isoformat()}); records cannot be "
                "dated in the future. Choose an earlier --start or fewer --months."
            )
