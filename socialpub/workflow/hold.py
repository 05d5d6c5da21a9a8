"""What a gate answers: a Hold, and the Gate protocol itself.

Kept apart from `gate.py`, which builds the gates of a run: each gate's module imports this
one, and `gate.py` imports the gates, so nothing imports in a circle.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from socialpub.models import Post, Variant


class HoldKind(enum.StrEnum):
    BLOCKED = "blocked"  # a person has to act (approve, fix the policy)
    WAIT = "wait"  # goes out by itself later (quiet hours, embargo)
    PAUSED = "paused"  # publishing is paused: `socialpub resume` ends it


@dataclass(frozen=True)
class Hold:
    kind: HoldKind
    reason: str  # shown in plan and status: short, and says how to go on
    until: datetime | None = None  # when a WAIT ends by itself


class Gate(Protocol):
    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterable[Hold]:
        """What keeps `post` on `variant.channel` back at `now` (nothing: it may go)."""
        ...
