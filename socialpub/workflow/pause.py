"""Pause: while `.socialpub/pause.json` names a channel (or all), nothing goes out there.

Deliveries that would send are held (HoldKind.PAUSED); plan pulls posts already waiting in
a platform's own scheduler back (Action.UNSCHEDULE), so they wait here instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from socialpub.models import Post, Variant
from socialpub.workflow.hold import Hold, HoldKind
from socialpub.workflow.pausefile import Pause


@dataclass(frozen=True)
class PauseGate:
    pauses: Sequence[Pause]

    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterator[Hold]:
        for pause in self.pauses:
            if pause.covers(variant.channel):
                yield Hold(HoldKind.PAUSED, pause.line())
                return


def pause_for(pauses: Sequence[Pause], channel: str) -> Pause | None:
    """The pause that stops `channel`, if any."""
    return next((p for p in pauses if p.covers(channel)), None)
