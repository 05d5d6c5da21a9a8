"""Every pause and resume, from git's history of `.socialpub/pause.json` (for the audit).

Each commit that changed the record is compared with the one before: a pause that appears was
set (by the person it names, at its `since`); a pause, or a channel of it, that disappears was
resumed (by the commit's author, at the commit's time).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from socialpub.content.gitrepo import git, inside_work_tree
from socialpub.errors import LedgerError
from socialpub.workflow.pausefile import PAUSE_FILE, Pause, parse_pauses

_FIELD = "\x1f"


@dataclass(frozen=True)
class PauseEvent:
    at: datetime
    event: str  # "paused" or "resumed"
    who: str
    channels: tuple[str, ...]  # none: every channel
    reason: str


def pause_history(root: Path) -> list[PauseEvent]:
    """The pauses and resumes committed to the repository, oldest first."""
    if not inside_work_tree(root):
        return []
    form = f"--format=%H{_FIELD}%an <%ae>{_FIELD}%aI"
    log = git(root, "log", "--reverse", form, "--", str(PAUSE_FILE), allow=(128,))
    events: list[PauseEvent] = []
    before: tuple[Pause, ...] = ()
    for line in filter(None, log.stdout.splitlines()):
        commit, author, at = line.split(_FIELD)
        after = _version(root, commit)
        events += _changes(before, after, author, datetime.fromisoformat(at))
        before = after
    return events


def _version(root: Path, commit: str) -> tuple[Pause, ...]:
    shown = git(root, "show", f"{commit}:{PAUSE_FILE.as_posix()}", allow=(128,))
    if shown.returncode:  # the commit removed the record: nothing paused
        return ()
    try:
        return parse_pauses(root / PAUSE_FILE, json.loads(shown.stdout))
    except (ValueError, LedgerError):  # a damaged version: nothing to learn from it
        return ()


def _changes(
    before: Sequence[Pause], after: Sequence[Pause], author: str, at: datetime
) -> list[PauseEvent]:
    def key(pause: Pause) -> tuple[str, datetime, str]:
        return pause.by, pause.since, pause.reason

    old, new = {key(p): p for p in before}, {key(p): p for p in after}
    events = []
    for name, pause in new.items():
        if name not in old:
            who = f"{pause.by} <{pause.email}>" if pause.email else pause.by
            events.append(PauseEvent(pause.since, "paused", who, pause.channels, pause.reason))
    for name, pause in old.items():
        left = new.get(name)
        if left is None:
            events.append(PauseEvent(at, "resumed", author, pause.channels, pause.reason))
        elif ended := tuple(c for c in pause.channels if c not in left.channels):
            events.append(PauseEvent(at, "resumed", author, ended, pause.reason))
    return events
