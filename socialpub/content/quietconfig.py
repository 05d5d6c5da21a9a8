"""Quiet hours, `publish.quiet_hours: "22:00-06:00"`: local times (the config's timezone) in
which nothing goes out but urgent posts. A range may cross midnight; start and end must
differ. A channel may set its own (`quiet_hours: "23:00-07:00"`), or none (`false`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from socialpub.content.codes import problem
from socialpub.i18n import _
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


def read_quiet_hours(
    path: Path, where: str, value: Any, line: int, problems: list[Problem]
) -> QuietHours | None:
    """`publish.quiet_hours`: a range."""
    quiet = parse_quiet_hours(value)
    if quiet is None:
        problems.append(_wrong(path, line, where, value, _("or leave it out")))
    return quiet


def check_channel_value(
    path: Path, where: str, value: Any, line: int, problems: list[Problem]
) -> None:
    """A channel's own `quiet_hours`: a range, or false for none on this channel."""
    if value is not False and parse_quiet_hours(value) is None:
        problems.append(_wrong(path, line, where, value, _("or false for none on this channel")))


def for_channel(settings: Mapping[str, Any], default: QuietHours | None) -> QuietHours | None:
    """The quiet hours of a channel: its own setting, else the config's."""
    if KEY not in settings:
        return default
    value = settings[KEY]
    return None if value is False else parse_quiet_hours(value)


def _wrong(path: Path, line: int, where: str, value: object, other: str) -> Problem:
    return problem(
        "SP506",
        path,
        line,
        where,
        _("quiet_hours {value!r} is not a range of two different times").format(value=value),
        _('write e.g. quiet_hours: "22:00-06:00" (local time; may cross midnight), {other}').format(
            other=other
        ),
    )
