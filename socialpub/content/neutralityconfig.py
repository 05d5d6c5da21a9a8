"""Neutrality periods before elections (`etiquette.neutrality`): between two dates, posts with
the configured tags are not published unless the press office releases them.

```yaml
etiquette:
  neutrality:
    - from: 2027-02-14          # a day: from 00:00 of that day (config timezone)
      to: 2027-03-14            # a day: up to and including that whole day
      tags: [politik, wahl]     # a post with any of these tags (upper or lower case alike)
      reason: Kommunalwahl 14.03.2027
```

With a time (`2027-03-14T18:00`), `to` is the exact end and no longer part of the period:
a period runs from `from` (inclusive) to `to` (exclusive). Times without an offset are read in
the config's timezone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

PERIOD_KEYS = ("from", "to", "tags", "reason")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXAMPLE = "e.g. - {from: 2027-02-14, to: 2027-03-14, tags: [politik], reason: Kommunalwahl}"


@dataclass(frozen=True)
class NeutralityPeriod:
    start: datetime  # inclusive
    end: datetime  # exclusive (a `to` day counts whole: the next day's 00:00)
    tags: frozenset[str]  # case-folded, without "#"
    reason: str
    line: int = 1

    def covers(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def applies(self, tags: Iterable[str], when: datetime) -> bool:
        """Whether a post with `tags`, going out at `when`, falls under this period."""
        return self.covers(when) and not self.tags.isdisjoint(neutral_tags(tags))

    @property
    def span(self) -> str:
        """The period as press officers wrote it: "14.02.2027–14.03.2027"."""
        last = self.end - timedelta(microseconds=1)
        if self.end.time() == datetime.min.time():
            return f"{self.start:%d.%m.%Y}–{last:%d.%m.%Y}"
        return f"{self.start:%d.%m.%Y %H:%M}–{self.end:%d.%m.%Y %H:%M}"


def neutral_tags(tags: Iterable[str]) -> set[str]:
    """Tags as neutrality periods compare them: upper or lower case alike, without "#"."""
    return {tag.lstrip("#").casefold() for tag in tags}


def read_periods(
    path: Path, block: yamlsafe.YMap, timezone: tzinfo, problems: list[Problem]
) -> tuple[NeutralityPeriod, ...]:
    """Every well-formed period of `etiquette.neutrality`; problems for the rest."""
    value = block.get("neutrality")
    line = block.line_of("neutrality")
    if value is None:
        return ()
    if not isinstance(value, yamlsafe.YList):
        message = _("etiquette.neutrality must be a list of periods")
        problems.append(problem("SP506", path, line, "etiquette.neutrality", message, EXAMPLE))
        return ()
    found = (
        _period(path, item, at, f"etiquette.neutrality[{index}]", timezone, problems)
        for index, (item, at) in enumerate(zip(value, value.lines, strict=True))
    )
    return tuple(period for period in found if period is not None)


def _period(
    path: Path, item: Any, line: int, where: str, timezone: tzinfo, problems: list[Problem]
) -> NeutralityPeriod | None:
    def report(at: int, key: str, message: str, hint: str = "") -> None:
        problems.append(problem("SP506", path, at, f"{where}.{key}".rstrip("."), message, hint))

    if not isinstance(item, yamlsafe.YMap):
        report(line, "", _("a neutrality period must be a mapping"), EXAMPLE)
        return None
    before = len(problems)
    for key in item:
        if key not in PERIOD_KEYS:
            hint = did_you_mean(key, PERIOD_KEYS) or _("a period takes: ") + ", ".join(PERIOD_KEYS)
            message = _("unknown setting {key!r}").format(key=key)
            problems.append(
                problem("SP502", path, item.line_of(key), f"{where}.{key}", message, hint)
            )
    for key in PERIOD_KEYS:
        if key not in item:
            message = _("a neutrality period needs {key!r}").format(key=key)
            problems.append(problem("SP503", path, item.line, f"{where}.{key}", message, EXAMPLE))
    start = _moment(item, "from", timezone, report, end=False)
    end = _moment(item, "to", timezone, report, end=True)
    tags = item.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    if "tags" in item and not (
        isinstance(tags, list) and tags and all(isinstance(t, str) and t.strip() for t in tags)
    ):
        report(
            item.line_of("tags"), "tags", _("tags must be a list of tags"), "e.g. tags: [politik]"
        )
    reason = item.get("reason")
    if "reason" in item and not (isinstance(reason, str) and reason.strip()):
        report(
            item.line_of("reason"), "reason", _("reason must be a text"), "e.g. Kommunalwahl 2027"
        )
    if start and end and end <= start:
        report(
            item.line_of("to"),
            "to",
            _("to must be after from"),
            _("from is {start:%d.%m.%Y}").format(start=start),
        )
    if len(problems) > before or start is None or end is None:
        return None
    assert isinstance(tags, list) and isinstance(reason, str)
    return NeutralityPeriod(start, end, frozenset(neutral_tags(tags)), reason.strip(), line)


def _moment(
    item: yamlsafe.YMap, key: str, timezone: tzinfo, report: Any, *, end: bool
) -> datetime | None:
    """`from`/`to` as an instant; a date alone is the start of that day, and for `to` the
    start of the next one (the day counts whole)."""
    if key not in item:
        return None
    text = str(item[key]).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        report(
            item.line_of(key),
            key,
            _("{key} must be a date like 2027-03-14").format(key=key),
            "or 2027-03-14T18:00",
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)
    if end and _DATE_ONLY.match(text):
        day = moment.date() + timedelta(days=1)
        moment = datetime(day.year, day.month, day.day, tzinfo=moment.tzinfo)
    return moment
