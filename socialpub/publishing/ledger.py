"""The ledger: durable state of every delivery (post × channel), kept in the posts repository.

One JSON file per delivery, `.socialpub/ledger/<post id>/<channel>.json`, with sorted keys and
one value per line, so git diffs stay readable, CI runs and laptops share state through git,
and two branches touching different deliveries merge without conflicts.

Write-ahead: the engine records the intent (idempotency key, payload hash, the message about to
be sent) before each request and the outcome right after. Every write goes to a temporary file
that is fsynced and atomically renamed, so a crash leaves the old or the new record, never half.
A record left in `unconfirmed` means: a request went out and its answer was never recorded.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.content.textfile import atomic_write
from socialpub.errors import LedgerError
from socialpub.i18n import _
from socialpub.models import Sent
from socialpub.publishing.correction_log import Correction

LEDGER_DIR = Path(".socialpub") / "ledger"
FORMAT = 1
HISTORY_KEPT = 20
#: events `socialpub audit` reports: never trimmed away by a run of retries
MILESTONES = frozenset(
    {
        "published",
        "scheduled",
        "edited",
        "confirmed",
        "deleted",
        "kit written",
        "kit rewritten",
        "unscheduled",  # pulled back from a platform's scheduler by a pause
    }
) | {"corrected by a reply", "corrected: posted again"}  # publishing/corrections.py
# atomic_write's temp file: ".<channel>.json." and mkstemp's 8 random characters
_TEMP_FILE = re.compile(r"\..+\.json\.[a-z0-9_]{8}")


class State(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # a request went out; its answer was never recorded
    PARTIAL = "partial"  # some messages of a thread exist; the rest was not tried yet
    FAILED = "failed"  # the platform refused or could not be reached; nothing ambiguous
    PUBLISHED = "published"
    SCHEDULED = "scheduled"  # handed to the platform's own scheduler
    MANUAL = "manual"  # a posting kit is written: a person posts it, then `socialpub confirm`
    DELETED = "deleted"
    UNSCHEDULED = "unscheduled"  # pulled back from the platform's scheduler (pause): waits here


@dataclass(frozen=True)
class Record:
    """Everything known about one delivery. Written as JSON; never holds a secret."""

    post: str
    channel: str
    type: str
    state: State
    key: str  # idempotency key, derived from post id, channel and revision
    revision: str  # hash of the rendered content that was (or is being) sent
    created_at: datetime  # first attempt: stable `createdAt` for retries
    updated_at: datetime
    payload_hash: str = ""
    messages: int = 1  # how many messages the payload has
    sent: tuple[Sent, ...] = ()
    inflight: int | None = None  # index of the message whose request is unanswered
    attempts: int = 0
    url: str = ""
    published_at: datetime | None = None
    scheduled_at: datetime | None = None
    last_error: str = ""
    confirmed_by: str = ""  # who posted a manual delivery by hand (`socialpub confirm`)
    history: tuple[tuple[str, str, str], ...] = ()  # (time, event, detail), newest last
    corrections: tuple[Correction, ...] = ()  # every correction made, oldest first

    @property
    def open_correction(self) -> Correction | None:
        """A correction that was begun and not finished (it is always the last one)."""
        last = self.corrections[-1] if self.corrections else None
        return last if last is not None and last.open else None

    def with_event(self, at: datetime, event: str, detail: str = "", **changes: Any) -> Record:
        entry = (at.isoformat(timespec="seconds"), event, detail)
        history = _trimmed((*self.history, entry))
        return dataclasses.replace(self, updated_at=at, history=history, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "post": self.post,
            "channel": self.channel,
            "type": self.type,
            "state": self.state.value,
            "key": self.key,
            "revision": self.revision,
            "payload_hash": self.payload_hash,
            "messages": self.messages,
            "sent": [s.as_dict() for s in self.sent],
            "inflight": self.inflight,
            "attempts": self.attempts,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "published_at": _iso(self.published_at),
            "scheduled_at": _iso(self.scheduled_at),
            "last_error": self.last_error,
            "confirmed_by": self.confirmed_by,
            "history": [list(h) for h in self.history],
            **(
                {"corrections": [c.to_json() for c in self.corrections]} if self.corrections else {}
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(
            post=str(data["post"]),
            channel=str(data["channel"]),
            type=str(data["type"]),
            state=State(data["state"]),
            key=str(data["key"]),
            revision=str(data["revision"]),
            payload_hash=str(data.get("payload_hash", "")),
            messages=int(data.get("messages", 1)),
            sent=tuple(Sent.from_dict(s) for s in data.get("sent", [])),
            inflight=data.get("inflight"),
            attempts=int(data.get("attempts", 0)),
            url=str(data.get("url", "")),
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            published_at=_from_iso(data.get("published_at")),
            scheduled_at=_from_iso(data.get("scheduled_at")),
            last_error=str(data.get("last_error", "")),
            confirmed_by=str(data.get("confirmed_by", "")),
            history=tuple((str(a), str(b), str(c)) for a, b, c in data.get("history", [])),
            corrections=tuple(Correction.from_json(c) for c in data.get("corrections", [])),
        )


def _trimmed(history: tuple[tuple[str, str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """At most HISTORY_KEPT events, dropping the oldest that are not milestones first."""
    surplus = len(history) - HISTORY_KEPT
    kept = []
    for entry in history:
        if surplus > 0 and entry[1] not in MILESTONES:
            surplus -= 1
            continue
        kept.append(entry)
    return tuple(kept)


class Ledger:
    """Reads and atomically writes delivery records under `<root>/.socialpub/ledger`."""

    def __init__(self, root: Path) -> None:
        self.folder = root / LEDGER_DIR

    def path(self, post: str, channel: str) -> Path:
        return self.folder / post / f"{channel}.json"

    def get(self, post: str, channel: str) -> Record | None:
        path = self.path(post, channel)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LedgerError(
                _("cannot read ledger file {path}: {strerror}").format(
                    path=path, strerror=exc.strerror
                )
            ) from None
        return _parse(path, data)

    def records(self) -> Iterator[Record]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*/*.json")):
            yield _parse(path, path.read_bytes())

    def remove_temp_files(self) -> int:
        """Delete temp files an interrupted write left behind; returns how many.

        Only while holding the repo lock: then no other socialpub is writing, so none is live.
        """
        if not self.folder.is_dir():
            return 0
        stale = [p for p in self.folder.glob("*/.*") if _TEMP_FILE.fullmatch(p.name)]
        for path in stale:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise LedgerError(
                    _("cannot remove the leftover temp file {path}: {strerror}").format(
                        path=path, strerror=exc.strerror
                    ),
                    hint=_("check the folder's permissions, or remove the file by hand"),
                ) from None
        return len(stale)

    def put(self, record: Record) -> None:
        path = self.path(record.post, record.channel)
        text = json.dumps(record.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            atomic_write(path, text.encode("utf-8"))
        except OSError as exc:
            raise LedgerError(
                _("cannot write ledger file {path}: {strerror}").format(
                    path=path, strerror=exc.strerror
                ),
                hint=_("check free disk space and permissions; nothing further is sent"),
            ) from None


def _parse(path: Path, data: bytes) -> Record:
    if b"<<<<<<<" in data or b">>>>>>>" in data:
        raise LedgerError(
            _("ledger file {path} contains git merge conflict markers").format(path=path),
            hint=_(
                "keep the side whose state is published (it has the remote id), "
                "remove the markers, commit"
            ),
        )
    try:
        return Record.from_json(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
        raise LedgerError(
            _("ledger file {path} is damaged ({name}: {exc})").format(
                path=path, name=type(exc).__name__, exc=exc
            ),
            hint=_(
                "restore it from git (git checkout -- <file>) instead of deleting it: "
                "without it socialpub would post again"
            ),
        ) from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _from_iso(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
