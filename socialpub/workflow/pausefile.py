"""The pause record, `.socialpub/pause.json`: committed to the posts repository, so every
clone and every CI run that checks it out stops publishing.

```json
{"format": 1, "pauses": [{"by": "Anna Berg", "email": "berg@kreis.example",
  "since": "2026-12-03T09:12:00+01:00", "reason": "Staatstrauer", "channels": []}]}
```

`channels: []` pauses every channel. A damaged file never means "not paused": reading it
fails, and nothing is published until it is repaired.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.content.gitrepo import commit_paths, configured_user
from socialpub.content.textfile import atomic_write
from socialpub.errors import ConfigError, LedgerError, UsageError
from socialpub.i18n import N_, _

PAUSE_FILE = Path(".socialpub") / "pause.json"
FORMAT = 1
_HINT = N_("restore it with `git checkout -- .socialpub/pause.json`, or fix the field named")


@dataclass(frozen=True)
class Pause:
    """One `socialpub pause`: who, when, why, and which channels (none: all of them)."""

    by: str
    email: str
    since: datetime
    reason: str
    channels: tuple[str, ...] = ()

    def covers(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    @property
    def scope(self) -> str:
        return "publishing" if not self.channels else _("publishing to ") + ", ".join(self.channels)

    def line(self) -> str:
        """The one line `publish` and `status` show."""
        who = f"{self.by} <{self.email}>" if self.email else self.by
        return _(
            "{scope} paused by {who} since {since:%Y-%m-%d %H:%M}: {reason} — `socialpub resume` "
            "ends it"
        ).format(scope=self.scope, who=who, since=self.since, reason=self.reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "email": self.email,
            "since": self.since.isoformat(timespec="seconds"),
            "reason": self.reason,
            "channels": list(self.channels),
        }


def read_pauses(root: Path) -> tuple[Pause, ...]:
    """The pauses in force in this checkout (none when there is no pause file)."""
    path = root / PAUSE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(
            _("cannot read the pause record {path}: {exc}").format(path=path, exc=exc),
            hint=_(_HINT),
        ) from None
    if "<<<<<<<" in text or ">>>>>>>" in text:
        raise LedgerError(
            _("{path} contains git merge conflict markers").format(path=path),
            hint=_("keep every pause of both sides in `pauses`, remove the markers, commit"),
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        raise LedgerError(
            _("{path}:{line}: not valid JSON ({exc})").format(path=path, line=line, exc=exc),
            hint=_(_HINT),
        ) from None
    return parse_pauses(path, data)


def parse_pauses(path: Path, data: Any) -> tuple[Pause, ...]:
    """The pauses in the pause record's data (`path` names it in errors)."""
    entries = data.get("pauses") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise LedgerError(
            _("{path}: field `pauses` must be a list").format(path=path), hint=_(_HINT)
        )
    return tuple(_pause(path, index, entry) for index, entry in enumerate(entries))


def _pause(path: Path, index: int, entry: Any) -> Pause:
    where = f"{path}: pauses[{index}]"
    if not isinstance(entry, dict):
        raise LedgerError(_("{where} must be an object").format(where=where), hint=_(_HINT))
    for key in ("by", "reason", "since"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise LedgerError(
                _("{where}.{key} must be a non-empty text").format(where=where, key=key),
                hint=_(_HINT),
            )
    try:
        since = datetime.fromisoformat(entry["since"])
    except ValueError:
        raise LedgerError(
            _("{where}.since is not an ISO 8601 time").format(where=where), hint=_(_HINT)
        ) from None
    if since.tzinfo is None:
        raise LedgerError(
            _("{where}.since has no offset (like +01:00)").format(where=where), hint=_(_HINT)
        )
    channels = entry.get("channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise LedgerError(
            _("{where}.channels must be a list of channel names").format(where=where), hint=_(_HINT)
        )
    email = entry.get("email", "")
    return Pause(
        entry["by"],
        email if isinstance(email, str) else "",
        since,
        entry["reason"],
        tuple(channels),
    )


def write_pauses(root: Path, pauses: Sequence[Pause]) -> Path:
    """Write the pause record (remove it when nothing is paused any more)."""
    path = root / PAUSE_FILE
    if not pauses:
        path.unlink(missing_ok=True)
        return path
    data = {"format": FORMAT, "pauses": [p.as_dict() for p in pauses]}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise LedgerError(
            _("cannot write the pause record {path}: {strerror}").format(
                path=path, strerror=exc.strerror
            )
        ) from None
    return path


def paused(pauses: Sequence[Pause], pause: Pause) -> tuple[Pause, ...]:
    """The pauses after `socialpub pause` added one (a pause of all channels replaces the
    channel pauses it covers)."""
    if not pause.channels:
        return (*(p for p in pauses if not p.channels), pause)
    return (*pauses, pause)


def resumed(pauses: Sequence[Pause], channels: Sequence[str]) -> tuple[Pause, ...]:
    """The pauses after `socialpub resume [--channel C]`."""
    if not channels:
        return ()
    if any(not p.channels for p in pauses):
        raise UsageError(
            _("publishing is paused for every channel: it cannot be resumed for one alone"),
            hint=_("run `socialpub resume` without --channel, then pause the others again"),
        )
    left = [replace(p, channels=tuple(c for c in p.channels if c not in channels)) for p in pauses]
    return tuple(p for p in left if p.channels)


def identity(root: Path) -> tuple[str, str]:
    """Who pauses: git's user.name and user.email in this repository."""
    name, email = configured_user(root)
    if not name:
        raise ConfigError(
            _("git does not know who you are: a pause records who set it"),
            hint=_('run `git config user.name "Your Name"` and `git config user.email you@…`'),
        )
    return name, email


def commit_pause(root: Path, message: str) -> bool:
    """Commit the pause record (or its removal); False when nothing changed."""
    hint = _("the pause record is written; commit and push .socialpub/pause.json by hand")
    return commit_paths(root, [str(PAUSE_FILE)], message, hint=hint)
