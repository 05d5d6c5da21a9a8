"""A correction as the ledger keeps it: one entry of a record's `corrections` list.

A correction is written ahead like every delivery: it is opened (and saved) before its first
request, `inflight` marks the message whose answer is not recorded yet, and `finished_at` is
set only when everything exists. The original stays traceable: `replaced` is the revision the
correction corrects, and for a repost `removed` holds what was deleted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialpub.models import Sent


@dataclass(frozen=True)
class Correction:
    kind: str  # "reply" or "repost" (content/corrections.py `Kind`)
    revision: str  # the corrected text's revision
    replaced: str  # the revision that was on the platform before
    key: str  # idempotency key of the correction's messages
    started_at: datetime  # the first attempt: stable timestamps for a resend
    messages: int = 1
    sent: tuple[Sent, ...] = ()  # the reply, or the post made again
    removed: tuple[Sent, ...] = ()  # repost: the original messages that were deleted
    deleting: bool = False  # repost: the delete was requested, its end not recorded yet
    inflight: int | None = None  # index (within `sent`) of an unanswered request
    finished_at: datetime | None = None
    error: str = ""

    @property
    def open(self) -> bool:
        return self.finished_at is None

    @property
    def url(self) -> str:
        return self.sent[0].url if self.sent else ""

    def but(self, **changes: Any) -> Correction:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "revision": self.revision,
            "replaced": self.replaced,
            "key": self.key,
            "started_at": self.started_at.isoformat(),
            "messages": self.messages,
            "sent": [s.as_dict() for s in self.sent],
            "removed": [s.as_dict() for s in self.removed],
            "deleting": self.deleting,
            "inflight": self.inflight,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Correction:
        finished = data.get("finished_at")
        inflight = data.get("inflight")
        return cls(
            kind=str(data["kind"]),
            revision=str(data["revision"]),
            replaced=str(data["replaced"]),
            key=str(data["key"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            messages=int(data.get("messages", 1)),
            sent=tuple(Sent.from_dict(s) for s in data.get("sent", [])),
            removed=tuple(Sent.from_dict(s) for s in data.get("removed", [])),
            deleting=data.get("deleting") is True,
            inflight=inflight if isinstance(inflight, int) else None,
            finished_at=datetime.fromisoformat(finished) if isinstance(finished, str) else None,
            error=str(data.get("error", "")),
        )


def replies_of(corrections: tuple[Correction, ...]) -> tuple[Sent, ...]:
    """Every message of the correction replies made, oldest first: deleting a post deletes
    its corrections too."""
    return tuple(s for c in corrections if c.kind == "reply" for s in c.sent)
