"""The editorial calendar: what goes out when, on which channel, in which state. Pure: it
takes the plan's deliveries, the holds behind them (classified by the gate that raised
them, calendarwork.py) and `now`.

A post's state on a channel follows what the ledger knows first (published, scheduled on
the platform, failed, a posting kit waiting, deleted), then the front matter (draft, in
review), then what plan decided and which gate held it (paused, waiting for approval, a
neutrality period, embargo, quiet hours). An embargoed post shows nothing but its id and
"embargoed until …": not its title, and no reason that could quote its tags.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from socialpub.content import embargo
from socialpub.i18n import _
from socialpub.models import Post, Status
from socialpub.publishing.ledger import Record, State
from socialpub.publishing.plan import Action, Delivery
from socialpub.workflow.hold import Hold


class CalendarState(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting approval"  # in review, or (workflow) no approval that holds
    APPROVED = "approved"  # goes out by itself: now, at its time, or to the platform's scheduler
    SCHEDULED = "scheduled"  # in the platform's own scheduler (schedule: native)
    PUBLISHED = "published"
    PAUSED = "paused"  # `socialpub pause` holds it (or pulls it back from the scheduler)
    EMBARGOED = "embargoed"  # ready, but nothing leaves before its publish_at
    QUIET_HOURS = "quiet hours"  # due inside quiet hours: goes out when they end
    HELD = "held"  # a neutrality period: only the press office's override releases it
    BLOCKED = "blocked"  # invalid, no adapter, or a change the platform cannot make
    FAILED = "failed"  # failed, part of a thread, or unconfirmed: needs a person
    MANUAL = "manual"  # a posting kit waits to be posted by hand and confirmed
    EXPIRED = "expired"
    DELETED = "deleted"


class Cause(enum.StrEnum):
    """Which gate raised a hold (workflow/gate.py builds them in this order)."""

    PAUSE = "pause"
    APPROVAL = "approval"
    NEUTRALITY = "neutrality"
    EMBARGO = "embargo"
    QUIET_HOURS = "quiet hours"
    OTHER = "other"


@dataclass(frozen=True)
class Held:
    cause: Cause
    hold: Hold


_HELD_STATE = {
    Cause.PAUSE: CalendarState.PAUSED,
    Cause.APPROVAL: CalendarState.AWAITING_APPROVAL,
    Cause.NEUTRALITY: CalendarState.HELD,
    Cause.EMBARGO: CalendarState.EMBARGOED,
    Cause.QUIET_HOURS: CalendarState.QUIET_HOURS,
}
_UNFINISHED = (State.FAILED, State.PARTIAL, State.UNCONFIRMED)


@dataclass(frozen=True)
class Slot:
    """One post on one channel: its state, when it goes (or went) out, and why."""

    channel: str
    type: str
    state: CalendarState
    at: datetime | None  # None: no date yet (no publish_at, nothing sent)
    reason: str
    url: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "type": self.type,
            "state": self.state.value,
            "at": self.at.isoformat() if self.at else None,
            "reason": self.reason,
            "url": self.url,
        }


@dataclass(frozen=True)
class Entry:
    """One post in the calendar, with a slot per channel."""

    post: str
    title: str  # "" while the post is embargoed
    at: datetime | None  # publish_at, else the earliest slot's time
    embargoed_until: datetime | None
    slots: tuple[Slot, ...]

    @property
    def heading(self) -> str:
        """The title, or for an embargoed post its id and the notice (as preview shows it)."""
        if self.embargoed_until is not None:
            return f"[{self.post}] · {embargo.notice(self.embargoed_until)}"
        return self.title

    def as_dict(self) -> dict[str, object]:
        ends = self.embargoed_until
        return {
            "post": self.post,
            "title": self.title if ends is None else None,
            "at": self.at.isoformat() if self.at else None,
            "embargoed_until": ends.isoformat() if ends else None,
            "channels": [slot.as_dict() for slot in self.slots],
        }


def slot_of(post: Post, delivery: Delivery, held: Sequence[Held], now: datetime) -> Slot:
    """The calendar state of one delivery at `now`."""
    state, at, reason = _recorded(delivery, delivery.record) or _unsent(post, delivery, held, now)
    record = delivery.record
    url = record.url if record is not None and state is CalendarState.PUBLISHED else ""
    ends = embargo.until(post, now)
    if ends is not None:  # a reason may quote the post (a neutrality period names its tags)
        reason, url = embargo.notice(ends), ""
    return Slot(delivery.channel, delivery.channel_type, state, at, reason, url)


def _recorded(
    delivery: Delivery, record: Record | None
) -> tuple[CalendarState, datetime | None, str] | None:
    """The state the ledger decides (None: nothing exists on the platform yet)."""
    if record is None or record.state is State.UNSCHEDULED:
        return None
    state, reason = record.state, delivery.reason
    if state is State.FAILED and not record.sent and delivery.action is not Action.RESUME:
        return None  # nothing exists yet, and it is held or back in the editors' hands
    if state is State.DELETED:
        return CalendarState.DELETED, record.updated_at, reason
    if state in _UNFINISHED:
        if delivery.action is Action.PAUSED:
            return CalendarState.PAUSED, record.updated_at, reason
        return CalendarState.FAILED, record.updated_at, _failure(record, reason)
    if state is State.MANUAL:
        return CalendarState.MANUAL, record.created_at, reason
    if state is State.SCHEDULED:
        at = record.scheduled_at or record.updated_at
        if delivery.action is Action.CONFIRM:  # its time has passed: the platform posted it
            return CalendarState.PUBLISHED, at, reason
        if delivery.action is Action.UNSCHEDULE:
            return CalendarState.PAUSED, at, reason
        return CalendarState.SCHEDULED, at, reason
    return CalendarState.PUBLISHED, record.published_at or record.updated_at, reason


def _failure(record: Record, reason: str) -> str:
    error = record.last_error
    return f"{reason}: {error}" if error and error not in reason else reason


def _unsent(
    post: Post, delivery: Delivery, held: Sequence[Held], now: datetime
) -> tuple[CalendarState, datetime | None, str]:
    """A post not (yet) on the platform: the front matter, then plan and its holds."""
    at = post.publish_at
    if post.status is Status.DRAFT:
        return CalendarState.DRAFT, at, _("draft: set `status: review` when it is ready")
    if post.status is Status.REVIEW:
        return CalendarState.AWAITING_APPROVAL, at, _("in review: set `status: approved`")
    if delivery.action is Action.EXPIRED:
        return CalendarState.EXPIRED, post.expires_at, delivery.reason
    by = _holder(delivery, held)
    if by is not None and by.cause in _HELD_STATE:
        return _HELD_STATE[by.cause], by.hold.until or at, by.hold.reason
    if delivery.action is Action.BLOCKED:
        return CalendarState.BLOCKED, at, delivery.reason
    if delivery.action is Action.PAUSED:
        return CalendarState.PAUSED, at, delivery.reason
    if delivery.action is Action.SCHEDULE and delivery.schedule_at is not None:
        when = f"{delivery.schedule_at:%Y-%m-%d %H:%M}"
        return (
            CalendarState.APPROVED,
            delivery.schedule_at,
            _("the next run hands it to the platform's scheduler for {when}").format(when=when),
        )
    return CalendarState.APPROVED, at if at is not None and at > now else now, delivery.reason


def _holder(delivery: Delivery, held: Sequence[Held]) -> Held | None:
    """The hold behind this delivery's state: the one plan took (it gives its reason
    verbatim), else, for a post that waits for its time, the first that will hold it then
    (plan lets a waiting post wait; its quiet hours or pause apply once it is due)."""
    taken = next((h for h in held if h.hold.reason == delivery.reason), None)
    if taken is not None or not held:
        return taken
    return held[0] if delivery.action is Action.WAIT or delivery.action.sends else None


def entry_of(post: Post, slots: Iterable[Slot], now: datetime) -> Entry:
    found = tuple(sorted(slots, key=lambda s: (s.at is None, s.at or now, s.channel)))
    dated = [slot.at for slot in found if slot.at is not None]
    at = post.publish_at or (min(dated) if dated else None)
    ends = embargo.until(post, now)
    title = post.title if ends is None else ""
    return Entry(post.id, title, at, ends, found)


def entries(
    posts: Mapping[str, Post],
    deliveries: Sequence[Delivery],
    held: Mapping[tuple[str, str], Sequence[Held]],
    now: datetime,
) -> tuple[Entry, ...]:
    """Every post of the deliveries, in time order (undated posts last)."""
    slots: dict[str, list[Slot]] = {}
    for delivery in deliveries:
        post = posts[delivery.post_id]
        found = held.get((delivery.post_id, delivery.channel), ())
        slots.setdefault(post.id, []).append(slot_of(post, delivery, found, now))
    made = [entry_of(posts[post_id], found, now) for post_id, found in slots.items()]
    return tuple(sorted(made, key=lambda e: (e.at is None, e.at or now, e.post)))


@dataclass(frozen=True)
class Window:
    """Whole weeks, Monday 00:00 to Monday 00:00 in the config's time zone."""

    start: datetime
    end: datetime

    @property
    def days(self) -> tuple[date, ...]:
        first = self.start.date()
        return tuple(first + timedelta(days=n) for n in range((self.end - self.start).days))

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def weeks_from(first: date, weeks: int, zone: tzinfo) -> Window:
    """The `weeks` weeks beginning on the Monday of `first`'s week."""
    monday = first - timedelta(days=first.weekday())
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(weeks=weeks), time(0), tzinfo=zone)
    return Window(start, end)


def within(found: Sequence[Entry], window: Window) -> tuple[Entry, ...]:
    """The entries with a slot inside the window (only those slots), and the undated ones."""
    kept: list[Entry] = []
    for entry in found:
        if entry.at is None and all(slot.at is None for slot in entry.slots):
            kept.append(entry)
            continue
        inside = tuple(s for s in entry.slots if s.at is not None and window.holds(s.at))
        if inside:
            kept.append(replace(entry, slots=inside))
    return tuple(kept)
