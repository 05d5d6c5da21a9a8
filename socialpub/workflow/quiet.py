"""Quiet hours: posts due inside them wait until they end, unless the post is urgent.

A delivery goes out at `now`, or, natively scheduled, at its publish_at: whichever is later
is the moment that counts. A post whose publish_at falls inside quiet hours is therefore not
handed to the platform's scheduler either; it waits, and the first run after the quiet
hours publishes it. Times are the config timezone's wall clock, so 06:00 stays 06:00 on the
days the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from socialpub.content import quietconfig
from socialpub.content.config import Config
from socialpub.content.quietconfig import QuietHours
from socialpub.i18n import _
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
    zone: tzinfo
    by_channel: Mapping[str, QuietHours | None]  # a channel's own, else the config's (or none)

    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterator[Hold]:
        quiet = self.by_channel.get(variant.channel)
        if quiet is None or post.urgent:
            return
        moment = max(now, post.publish_at) if post.publish_at else now
        ends = quiet_until(quiet, moment, self.zone)
        if ends is not None:
            yield Hold(
                HoldKind.WAIT, _("quiet hours until {ends:%H:%M}").format(ends=ends), until=ends
            )


def quiet_gate(config: Config) -> QuietHoursGate | None:
    """The gate of the config's quiet hours (None when no channel has any)."""
    by_channel = {
        name: quietconfig.for_channel(channel.settings, config.publish.quiet_hours)
        for name, channel in config.channels.items()
    }
    if not any(by_channel.values()):
        return None
    return QuietHoursGate(config.timezone, by_channel)
