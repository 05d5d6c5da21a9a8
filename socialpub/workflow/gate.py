"""Holds: reasons the editorial workflow keeps a delivery back, whatever the ledger says.

Each part of the workflow (approvals, pause, quiet hours …) is a `Gate`. `gates()` builds the
gates a run applies; plan turns the first hold of a delivery that would send into its action.
Gates are pure: they receive `now` and read nothing but what they were built with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from socialpub.content.config import Config
from socialpub.models import Post, Variant
from socialpub.workflow.hold import Gate, Hold, HoldKind
from socialpub.workflow.neutrality import NeutralityGate, never_overridden

__all__ = ["Gate", "Hold", "HoldKind", "gates", "holds_of"]


def gates(config: Config) -> Sequence[Gate]:
    """The gates of a run, in the order their holds are reported."""
    found: list[Gate] = []
    overridden: Callable[[Post], bool] = never_overridden
    if config.workflow is not None:
        from socialpub.workflow.approvalgate import approval_gate

        approvals = approval_gate(config)
        found.append(approvals)
        overridden = approvals.overridden  # the press office released it (--override)
    if config.etiquette is not None and config.etiquette.neutrality:
        found.append(NeutralityGate(config.etiquette.neutrality, overridden))
    return tuple(found)


def holds_of(
    gates_: Sequence[Gate], post: Post, variant: Variant, now: datetime
) -> tuple[Hold, ...]:
    return tuple(hold for gate in gates_ for hold in gate.holds(post, variant, now))
