"""Holds: reasons the editorial workflow keeps a delivery back, whatever the ledger says.

Each part of the workflow (approvals, pause, quiet hours …) is a `Gate`. `gates()` builds the
gates a run applies; plan turns the first hold of a delivery that would send into its action.
Gates are pure: they receive `now` and read nothing but what they were built with.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from socialpub.content.config import Config
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


def gates(config: Config) -> Sequence[Gate]:
    """The gates of a run, in the order their holds are reported."""
    found: list[Gate] = []
    if config.workflow is not None:
        from socialpub.workflow.approvalgate import approval_gate

        found.append(approval_gate(config))
    return tuple(found)


def holds_of(
    gates_: Sequence[Gate], post: Post, variant: Variant, now: datetime
) -> tuple[Hold, ...]:
    return tuple(hold for gate in gates_ for hold in gate.holds(post, variant, now))
