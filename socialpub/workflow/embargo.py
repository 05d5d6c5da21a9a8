"""Embargo: nothing of an embargoed post leaves the machine before its publish_at, not even
to a platform's own scheduler (where every admin of the account could read it early)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from socialpub.content import embargo
from socialpub.models import Post, Variant
from socialpub.workflow.hold import Hold, HoldKind


@dataclass(frozen=True)
class EmbargoGate:
    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterator[Hold]:
        ends = embargo.until(post, now)
        if ends is not None:
            yield Hold(HoldKind.WAIT, embargo.notice(ends), until=ends)
