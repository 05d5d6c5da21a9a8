"""The `corrections:` policy: what happens to a published post whose text changed on a channel
that cannot edit it (any more).

```yaml
corrections:
  default: report         # reply | repost | report (report: today's behaviour)
  line: "Korrektur:"      # the first line of a correction reply
  channels:               # per channel name, or per channel type
    x: reply
    bluesky: repost
  edit_within:            # optional: edit silently only this long after posting, then
    telegram: 48h         # correct visibly (even where the platform could still edit)
```

A channel name wins over its type; anything not named takes `default`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from socialpub import specs
from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

KEY = "corrections"
KEYS = ("default", "line", "channels", "edit_within")
_DURATION = re.compile(r"^\s*(\d+)\s*(min|h|d)\s*$")
_UNIT = {"min": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
DEFAULT_LINE = "Korrektur:"


class Kind(enum.StrEnum):
    REPLY = "reply"  # a reply under the original: the correction line, then the new text
    REPOST = "repost"  # delete the original, post the new version as a new delivery
    REPORT = "report"  # leave it; plan and status report it


@dataclass(frozen=True)
class Policy:
    default: Kind = Kind.REPORT
    line: str = DEFAULT_LINE
    #: channel name or channel type → kind
    channels: Mapping[str, Kind] = field(default_factory=dict)
    #: channel name or type → how long after posting a change is still edited silently
    edit_within: Mapping[str, timedelta] = field(default_factory=dict)

    def kind_for(self, channel: str, channel_type: str) -> Kind:
        return self.channels.get(channel) or self.channels.get(channel_type) or self.default

    def edit_window(self, channel: str, channel_type: str) -> timedelta | None:
        return self.edit_within.get(channel) or self.edit_within.get(channel_type)


def read_corrections(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> Policy:
    """The policy of the config's `corrections:` block (absent: report everything)."""
    block = raw.get(KEY)
    if block is None:
        return Policy()
    if not isinstance(block, yamlsafe.YMap):
        problems.append(
            problem("SP506", path, raw.line_of(KEY), KEY, _("corrections must be a mapping"))
        )
        return Policy()
    for key in block:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or _("corrections takes: ") + ", ".join(KEYS)
            where = f"{KEY}.{key}"
            problems.append(
                problem(
                    "SP502",
                    path,
                    block.line_of(key),
                    where,
                    _("unknown key {key!r}").format(key=key),
                    hint,
                )
            )
    default = _kind(path, block, "default", f"{KEY}.default", problems) or Kind.REPORT
    return Policy(
        default=default,
        line=_line(path, block, problems),
        channels=_channels(path, block, _channel_names(raw), problems),
        edit_within=_windows(path, block, _channel_names(raw), problems),
    )


def _channel_names(raw: yamlsafe.YMap) -> set[str]:
    block = raw.get("channels")
    return set(block) if isinstance(block, yamlsafe.YMap) else set()


def _kind(
    path: Path, block: yamlsafe.YMap, key: str, where: str, problems: list[Problem]
) -> Kind | None:
    value = block.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value in Kind.__members__.values():
        return Kind(value)
    kinds = [kind.value for kind in Kind]
    hint = did_you_mean(str(value), kinds) or _("one of: ") + ", ".join(kinds)
    problems.append(
        problem(
            "SP560",
            path,
            block.line_of(key),
            where,
            _("{value!r} is not a kind of correction").format(value=value),
            hint,
        )
    )
    return None


def _line(path: Path, block: yamlsafe.YMap, problems: list[Problem]) -> str:
    value = block.get("line", DEFAULT_LINE)
    if isinstance(value, str) and value.strip() and "\n" not in value:
        return value.strip()
    problems.append(
        problem(
            "SP506",
            path,
            block.line_of("line"),
            f"{KEY}.line",
            _("corrections.line must be one non-empty line of text"),
            _('for example line: "Korrektur:"'),
        )
    )
    return DEFAULT_LINE


def _channels(
    path: Path, block: yamlsafe.YMap, names: set[str], problems: list[Problem]
) -> dict[str, Kind]:
    entries = _entries(path, block, "channels", names, problems)
    found: dict[str, Kind] = {}
    for name in entries:
        kind = _kind(path, entries, name, f"{KEY}.channels.{name}", problems)
        if kind is not None:
            found[name] = kind
    return found


def _windows(
    path: Path, block: yamlsafe.YMap, names: set[str], problems: list[Problem]
) -> dict[str, timedelta]:
    entries = _entries(path, block, "edit_within", names, problems)
    found: dict[str, timedelta] = {}
    for name, value in entries.items():
        match = _DURATION.match(value) if isinstance(value, str) else None
        if match is None or int(match.group(1)) == 0:
            where = f"{KEY}.edit_within.{name}"
            message = _("{value!r} is not a duration").format(value=value)
            hint = _("write it like 30min, 48h or 7d")
            problems.append(problem("SP562", path, entries.line_of(name), where, message, hint))
            continue
        found[name] = int(match.group(1)) * _UNIT[match.group(2)]
    return found


def _entries(
    path: Path, block: yamlsafe.YMap, key: str, names: set[str], problems: list[Problem]
) -> yamlsafe.YMap:
    """The block's `key` mapping, keeping only channel names and types (others reported)."""
    entries = block.get(key)
    kept = yamlsafe.YMap(block.line_of(key))
    if entries is None:
        return kept
    if not isinstance(entries, yamlsafe.YMap):
        message = _("corrections.{key} must map channel names or types to a value").format(key=key)
        hint = _("for example {key}: {{bluesky: {value}}}").format(
            key=key, value="reply" if key == "channels" else "48h"
        )
        line = block.line_of(key)
        problems.append(problem("SP506", path, line, f"{KEY}.{key}", message, hint))
        return kept
    known = names | set(specs.CHANNEL_TYPES)
    for name, value in entries.items():
        if name in known:
            kept[name] = value
            kept.lines[name] = entries.line_of(name)
            continue
        hint = did_you_mean(name, known) or "configured: " + ", ".join(sorted(names))
        message = _("{name!r} is neither a configured channel nor a channel type").format(name=name)
        where = f"{KEY}.{key}.{name}"
        problems.append(problem("SP561", path, entries.line_of(name), where, message, hint))
    return kept
