"""Holds: what a gate answers when it keeps a delivery back (its own module, so each gate
module and `gate.gates()`, which builds them all, can import it without a cycle)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class HoldKind(enum.StrEnum):
    BLOCKED = "blocked"  # a person has to act (approve, fix the policy)
    WAIT = "wait"  # goes out by itself later (quiet hours, embargo)
    PAUSED = "paused"  # publishing is paused: `socialpub resume` ends it


@dataclass(frozen=True)
class Hold:
    kind: HoldKind
    reason: str  # shown in plan and status: short, and says how to go on
    until: datetime | None = None  # when a WAIT ends by itself
