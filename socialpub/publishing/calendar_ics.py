"""The calendar as RFC 5545 iCalendar (`socialpub calendar --ics`), built with `icalendar`.

One VEVENT per dated post. Its UID is a UUID made from the post id only, so a calendar
exported again (or subscribed to) updates its events instead of adding copies. Times are in
the config's time zone with its VTIMEZONE; DTSTAMP is the export's `now`. An embargoed post
shows its id and "embargoed until …" and, per channel, only the channel and the state.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.enums import STATUS

from socialpub.publishing.calendar import CalendarState, Entry, Slot

PRODID = "-//socialpub//editorial calendar//EN"
#: the namespace of the events' UIDs: uuid5(this, post id)
UID_NAMESPACE = uuid.UUID("0b1c5e9a-52f3-5d8e-9a43-3c7f0e6d2a11")
#: a post is a moment; a quarter of an hour makes it visible in a week view
EVENT_LENGTH = timedelta(minutes=15)
YEAR = timedelta(days=366)
_TENTATIVE = frozenset({CalendarState.DRAFT, CalendarState.AWAITING_APPROVAL})
_CANCELLED = frozenset({CalendarState.DELETED, CalendarState.EXPIRED})


def uid(post_id: str) -> str:
    """Stable for ever (the post id is the post's identity), and opaque: RFC 7986 (5.3)
    asks for UIDs without host or domain names, preferably UUIDs."""
    return str(uuid.uuid5(UID_NAMESPACE, post_id))


def ics(found: Sequence[Entry], zone: ZoneInfo, now: datetime, name: str) -> bytes:
    """The calendar of every dated entry (undated ones have no place in it)."""
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uuid.uuid5(uuid.NAMESPACE_URL, name))
    calendar.add("x-wr-timezone", zone.key)
    dated = [entry for entry in found if entry.at is not None]
    for entry in dated:
        calendar.add_component(_event(entry, zone, now))
    if dated:
        first = min(e.at for e in dated if e.at is not None).astimezone(zone).date()
        last = max(e.at for e in dated if e.at is not None).astimezone(zone).date()
        # a year either side: the zone's changes around the posts, not all since 1970
        calendar.add_missing_timezones(first - YEAR, last + YEAR)
    data: bytes = calendar.to_ical()
    return data


def _event(entry: Entry, zone: ZoneInfo, now: datetime) -> Event:
    assert entry.at is not None, "only dated entries are exported"
    start = entry.at.astimezone(zone)
    return Event.new(
        uid=uid(entry.post),
        summary=entry.heading,
        start=start,
        end=start + EVENT_LENGTH,
        stamp=now.astimezone(UTC),
        description=description(entry),
        status=_status(entry),
    )


def description(entry: Entry) -> str:
    """Per channel one line: `mastodon: published 2026-12-01 10:00 · https://…`."""
    lines = [f"post: {entry.post}"]
    lines += [_line(slot, entry) for slot in entry.slots]
    return "\n".join(lines)


def _line(slot: Slot, entry: Entry) -> str:
    when = f" {slot.at:%Y-%m-%d %H:%M}" if slot.at is not None else ""
    line = f"{slot.channel}: {slot.state.value}{when}"
    if entry.embargoed_until is not None:
        return line  # the channel and the state, nothing of the post
    extra = [part for part in (slot.reason, slot.url) if part]
    return " · ".join([line, *extra])


def _status(entry: Entry) -> STATUS:
    states = {slot.state for slot in entry.slots}
    if states and states <= _CANCELLED:
        return STATUS.CANCELLED
    if states & _TENTATIVE:
        return STATUS.TENTATIVE
    return STATUS.CONFIRMED
