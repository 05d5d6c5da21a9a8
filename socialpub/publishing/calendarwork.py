"""Gather the calendar: the plan's deliveries at `now`, and each gate's holds behind them.

The I/O side (posts, validation, ledger, the pause record, approvals); the states themselves
are decided by the pure functions in calendar.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from socialpub.checks.report import Report
from socialpub.content.config import Config
from socialpub.publishing.calendar import Cause, Entry, Held, entries
from socialpub.publishing.ledger import Ledger
from socialpub.publishing.workset import build
from socialpub.workflow.approvalgate import ApprovalGate
from socialpub.workflow.embargo import EmbargoGate
from socialpub.workflow.gate import Gate, gates
from socialpub.workflow.neutrality import NeutralityGate
from socialpub.workflow.pause import PauseGate
from socialpub.workflow.quiet import QuietHoursGate

_CAUSES: tuple[tuple[type[object], Cause], ...] = (
    (PauseGate, Cause.PAUSE),
    (ApprovalGate, Cause.APPROVAL),
    (NeutralityGate, Cause.NEUTRALITY),
    (EmbargoGate, Cause.EMBARGO),
    (QuietHoursGate, Cause.QUIET_HOURS),
)


def cause_of(gate: Gate) -> Cause:
    return next((cause for kind, cause in _CAUSES if isinstance(gate, kind)), Cause.OTHER)


def gather(
    config: Config, ledger: Ledger, now: datetime, *, channels: Sequence[str] = ()
) -> tuple[tuple[Entry, ...], Report]:
    """Every post of the repository as calendar entries at `now`, and the run's validation."""
    run_gates = gates(config)
    work = build(config, ledger, now, channels=channels, run_gates=run_gates)
    held: dict[tuple[str, str], list[Held]] = {}
    for delivery in work.deliveries:
        if delivery.variant is None:
            continue
        post = work.posts[delivery.post_id]
        found = held.setdefault((delivery.post_id, delivery.channel), [])
        for gate in run_gates:
            cause = cause_of(gate)
            found.extend(Held(cause, h) for h in gate.holds(post, delivery.variant, now))
    return entries(work.posts, work.deliveries, held, now), work.report
