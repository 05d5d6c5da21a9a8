"""The config's network knobs: the `publish:` block and per-channel `rate_limit`/`concurrency`.

```yaml
publish:
  concurrency: 4      # deliveries in flight at once, over all channels
  timeout: 30         # seconds to wait for a platform (connect and read)
  retries: 4          # attempts for connection errors and 5xx within one run
  backoff: 0.5        # seconds before the second attempt, doubled each time
  max_rate_wait: 300  # wait out a platform's rate limit up to this long
  lock_wait: 10       # seconds a second `publish` waits for the first to finish
  quiet_hours: "22:00-06:00"  # local time: only urgent posts go out (quietconfig.py)
channels:
  mastodon: {…, rate_limit: 300/5min, concurrency: 1, quiet_hours: false}
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from socialpub.content import quietconfig, yamlsafe
from socialpub.content.codes import problem
from socialpub.content.quietconfig import QuietHours
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|min|minute|h|hour)s?\s*$")
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
CHANNEL_KEYS = frozenset({"rate_limit", "concurrency", quietconfig.KEY})


@dataclass(frozen=True)
class PublishSettings:
    concurrency: int = 4
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    max_rate_wait: float = 300.0
    lock_wait: float = 10.0
    quiet_hours: QuietHours | None = None


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def parse_rate(text: object) -> Rate | None:
    """ "300/5min", "20/min", "20/s", "1500/h" → Rate; None when it is not one."""
    match = _RATE.match(text) if isinstance(text, str) else None
    if not match:
        return None
    requests, count = int(match.group(1)), int(match.group(2) or 1)
    if requests == 0 or count == 0:  # "20/0min" would divide by zero when pacing
        return None
    return Rate(requests, float(count * _UNIT_SECONDS[match.group(3)]))


def read_publish(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> PublishSettings:
    block = raw.get("publish")
    if block is None:
        return PublishSettings()
    if not isinstance(block, yamlsafe.YMap):
        line = raw.line_of("publish")
        problems.append(problem("SP506", path, line, "publish", _("publish must be a mapping")))
        return PublishSettings()
    defaults = PublishSettings()
    values: dict[str, Any] = {}
    names = [f.name for f in fields(PublishSettings)]
    for key, value in block.items():
        line = block.line_of(key)
        if key not in names:
            hint = did_you_mean(key, names) or _("publish takes: ") + ", ".join(names)
            problems.append(
                problem(
                    "SP502",
                    path,
                    line,
                    f"publish.{key}",
                    _("unknown setting {key!r}").format(key=key),
                    hint,
                )
            )
            continue
        if key == quietconfig.KEY:
            values[key] = quietconfig.read_quiet_hours(
                path, f"publish.{key}", value, line, problems
            )
            continue
        whole = isinstance(getattr(defaults, key), int)
        if _is_number(value, whole=whole) and value > 0:
            values[key] = value
        else:
            kind = _("a whole number") if whole else "a number"
            message = _("publish.{key} must be {kind} > 0").format(key=key, kind=kind)
            problems.append(problem("SP506", path, line, f"publish.{key}", message))
    return PublishSettings(**values)


def check_channel_value(
    path: Path, where: str, key: str, value: Any, line: int, problems: list[Problem]
) -> None:
    if key == quietconfig.KEY:
        quietconfig.check_channel_value(path, where, value, line, problems)
    elif key == "rate_limit" and parse_rate(value) is None:
        message = _("rate_limit must look like 300/5min, 20/min, 30/s or 1500/h")
        problems.append(problem("SP506", path, line, where, message))
    elif key == "concurrency" and not (_is_number(value, whole=True) and value > 0):
        problems.append(
            problem("SP506", path, line, where, _("concurrency must be a whole number > 0"))
        )


def _is_number(value: object, *, whole: bool) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (not whole and isinstance(value, float))
