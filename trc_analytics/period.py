"""The reporting period: inclusive `from`..`to` dates; "as of" is `to`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """An inclusive date range; findings and metrics belong to it when their date falls in it."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def parse(cls, start: str | dt.date, end: str | dt.date) -> Period:
        """From ISO strings or dates; a clear ValueError names a bad date."""
        return cls(parse_date(start, "from"), parse_date(end, "to"))

    @property
    def as_of(self) -> dt.date:
        """The date standing (credentials, open engagements) is judged at."""
        return self.end

    def months(self) -> list[dt.date]:
        """First day of every month the period touches, in order."""
        out, d = [], self.start.replace(day=1)
        while d <= self.end:
            out.append(d)
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out

    def refuse_after(self, today: dt.date | None = None, name: str = "the period") -> None:
        """Raise ValueError when the period ends after `today` (default: the machine's date).

        Records of days to come cannot exist yet: such a period would read as an all-clear.
        `trc report`, `trc findings` and `trc metrics` all refuse it this way (exit 2).
        """
        today = today or dt.date.today()
        if self.end > today:
            raise ValueError(
                f"{name} ends on {self.end.isoformat()}, after today ({today.isoformat()}); "
                "only days that have passed have records"
            )

    def label(self) -> str:
        """`2026-01-01_2026-06-30`, used in report file names."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def parse_date(value: str | dt.date, name: str) -> dt.date:
    """The one date parser of the package: `--NAME: 'x' is not a date as YYYY-MM-DD` when bad."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"--{name}: {value!r} is not a date as YYYY-MM-DD") from None
