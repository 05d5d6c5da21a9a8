"""Quiet hours: posts due inside them wait until they end, unless the post is urgent.

A delivery goes out at `now`, or, natively scheduled, at its publish_at: whichever is later
is the moment that counts. A post whose publish_at falls inside quiet hours is therefore not
handed to the platform's scheduler either; it waits, and the first run after the quiet
hours publishes it. Times are the config timezone's wall clock, so 06:00 stays 06:00 on the
days the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from socialpub.content.quietconfig import QuietHours
from socialpub.models import Post, Variant
from socialpub.workflow.hold import Hold, HoldKind


def quiet_until(quiet: QuietHours, moment: datetime, zone: tzinfo) -> datetime | None:
    """When the quiet hours around `moment` end (None: `moment` is outside them)."""
    local = moment.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if quiet.crosses_midnight:
        inside, next_day = clock >= quiet.start or clock < quiet.end, clock >= quiet.start
    else:
        inside, next_day = quiet.start <= clock < quiet.end, False
    if not inside:
        return None
    day = local.date() + timedelta(days=1 if next_day else 0)
    return datetime.combine(day, quiet.end, tzinfo=zone)


@dataclass(frozen=True)
class QuietHoursGate:
    quiet: QuietHours
    zone: tzinfo

    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterator[Hold]:
        if post.urgent:
            return
        moment = max(now, post.publish_at) if post.publish_at else now
        ends = quiet_until(self.quiet, moment, self.zone)
        if ends is not None:
            yield Hold(HoldKind.WAIT, f"quiet hours until {ends:%H:%M}", until=ends)
