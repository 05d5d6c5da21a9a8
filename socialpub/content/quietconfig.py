"""The config's `quiet_hours: "22:00-06:00"`: local times (the config's timezone) in which
nothing goes out but urgent posts. A range may cross midnight; start and end must differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.models import Problem

KEY = "quiet_hours"
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: object) -> QuietHours | None:
    """ "22:00-06:00" → QuietHours; None when it is not a range of two different times."""
    match = _RANGE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
    if max(hour1, hour2) > 23 or max(minute1, minute2) > 59:
        return None
    start, end = time(hour1, minute1), time(hour2, minute2)
    return QuietHours(start, end) if start != end else None


def read_quiet_hours(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> QuietHours | None:
    value = raw.get(KEY)
    if value is None:
        return None
    quiet = parse_quiet_hours(value)
    if quiet is None:
        problems.append(
            problem(
                "SP506",
                path,
                raw.line_of(KEY),
                KEY,
                f"quiet_hours {value!r} is not a range of two different times",
                'write e.g. quiet_hours: "22:00-06:00" (local time; may cross midnight)',
            )
        )
    return quiet
