"""The calendar's states, one per case, from plan's deliveries, ledger records and holds at
a frozen `now` (publishing/calendar.py is pure), and the `.ics` built from them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from socialpub.models import Post, Status
from socialpub.publishing.calendar import (
    CalendarState,
    Cause,
    Entry,
    Held,
    entries,
    slot_of,
    weeks_from,
    within,
)
from socialpub.publishing.calendar_ics import UID_NAMESPACE, ics, uid
from socialpub.publishing.ledger import Record, State
from socialpub.publishing.plan import Action, Delivery
from socialpub.workflow.hold import Hold, HoldKind

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN)  # a Thursday
LATER = datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN)
EARLIER = datetime(2026, 12, 1, 8, 30, tzinfo=BERLIN)


def post(status: Status = Status.APPROVED, **fields: object) -> Post:
    values: dict[str, object] = {"publish_at": LATER} | fields
    return Post(
        id="kreistag",
        title="Kreistag tagt",
        body="Der Kreistag tagt.",
        source=Path("posts/kreistag.md"),
        status=status,
        **values,  # type: ignore[arg-type]
    )


def delivery(
    action: Action, reason: str = "", record: Record | None = None, **fields: object
) -> Delivery:
    return Delivery(
        post_id="kreistag",
        channel="mastodon",
        channel_type="mastodon",
        action=action,
        reason=reason or action.value,
        record=record,
        **fields,  # type: ignore[arg-type]
    )


def record(state: State, **fields: object) -> Record:
    values: dict[str, object] = {
        "post": "kreistag",
        "channel": "mastodon",
        "type": "mastodon",
        "state": state,
        "key": "k",
        "revision": "r",
        "created_at": EARLIER,
        "updated_at": EARLIER + timedelta(minutes=1),
    } | fields
    return Record(**values)  # type: ignore[arg-type]


def held(cause: Cause, kind: HoldKind, reason: str, until: datetime | None = None) -> Held:
    return Held(cause, Hold(kind, reason, until))


# --- from the front matter ------------------------------------------------------------------


def test_a_draft_is_a_draft_at_its_publish_time() -> None:
    slot = slot_of(post(Status.DRAFT), delivery(Action.BLOCKED), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.DRAFT, LATER)


def test_a_post_in_review_awaits_approval() -> None:
    slot = slot_of(post(Status.REVIEW), delivery(Action.BLOCKED), (), NOW)
    assert slot.state is CalendarState.AWAITING_APPROVAL
    assert "status: approved" in slot.reason


def test_a_draft_without_a_date_has_none() -> None:
    slot = slot_of(post(Status.DRAFT, publish_at=None), delivery(Action.BLOCKED), (), NOW)
    assert slot.at is None


# --- from plan ------------------------------------------------------------------------------


def test_an_approved_future_post_is_approved_at_its_time() -> None:
    waits = delivery(Action.WAIT, "waits until 2026-12-04 10:00 (a later run publishes it)")
    slot = slot_of(post(), waits, (), NOW)
    assert (slot.state, slot.at) == (CalendarState.APPROVED, LATER)
    assert slot.reason == waits.reason


def test_a_post_about_to_be_scheduled_natively_is_approved_at_schedule_at() -> None:
    slot = slot_of(post(), delivery(Action.SCHEDULE, schedule_at=LATER), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.APPROVED, LATER)


def test_an_approved_post_that_is_due_goes_out_now() -> None:
    slot = slot_of(post(publish_at=EARLIER), delivery(Action.PUBLISH, "due now"), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.APPROVED, NOW)


def test_an_invalid_approved_post_is_blocked() -> None:
    blocked = delivery(Action.BLOCKED, "invalid: SP104 missing alt text")
    slot = slot_of(post(), blocked, (), NOW)
    assert (slot.state, slot.reason) == (CalendarState.BLOCKED, blocked.reason)


def test_an_expired_post_is_expired_at_its_expiry() -> None:
    gone = post(publish_at=EARLIER, expires_at=NOW - timedelta(hours=1))
    slot = slot_of(gone, delivery(Action.EXPIRED, "expired at 2026-12-03 08:00"), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.EXPIRED, NOW - timedelta(hours=1))


# --- from the gates' holds ------------------------------------------------------------------


def test_a_paused_post_is_paused() -> None:
    reason = "publishing paused by Anna Berg since 2026-12-03 08:00: Staatstrauer"
    holds = [held(Cause.PAUSE, HoldKind.PAUSED, reason)]
    slot = slot_of(post(), delivery(Action.PAUSED, reason), holds, NOW)
    assert (slot.state, slot.reason) == (CalendarState.PAUSED, reason)


def test_an_approved_post_without_a_workflow_approval_awaits_it() -> None:
    reason = "no approval yet: eva.keller@kreis.example runs `socialpub approve kreistag`"
    holds = [held(Cause.APPROVAL, HoldKind.BLOCKED, reason)]
    slot = slot_of(post(), delivery(Action.BLOCKED, reason), holds, NOW)
    assert slot.state is CalendarState.AWAITING_APPROVAL


def test_a_neutrality_period_holds_it() -> None:
    reason = "neutrality period „Kreistagswahl“ (…, #Wahl): only the press office can release it"
    holds = [held(Cause.NEUTRALITY, HoldKind.BLOCKED, reason)]
    slot = slot_of(post(), delivery(Action.BLOCKED, reason), holds, NOW)
    assert slot.state is CalendarState.HELD


def test_quiet_hours_move_it_to_their_end() -> None:
    six = datetime(2026, 12, 5, 6, 0, tzinfo=BERLIN)
    late = post(publish_at=datetime(2026, 12, 4, 23, 0, tzinfo=BERLIN))
    holds = [held(Cause.QUIET_HOURS, HoldKind.WAIT, "quiet hours until 06:00", six)]
    slot = slot_of(late, delivery(Action.WAIT, "quiet hours until 06:00"), holds, NOW)
    assert (slot.state, slot.at) == (CalendarState.QUIET_HOURS, six)


def test_a_waiting_post_shows_the_quiet_hours_it_will_meet() -> None:
    """plan lets a future post wait ("waits until 23:00"); once due, quiet hours hold it."""
    six = datetime(2026, 12, 5, 6, 0, tzinfo=BERLIN)
    late = post(publish_at=datetime(2026, 12, 4, 23, 0, tzinfo=BERLIN))
    holds = [held(Cause.QUIET_HOURS, HoldKind.WAIT, "quiet hours until 06:00", six)]
    waits = delivery(Action.WAIT, "waits until 2026-12-04 23:00 (a later run publishes it)")
    slot = slot_of(late, waits, holds, NOW)
    assert (slot.state, slot.at) == (CalendarState.QUIET_HOURS, six)
    assert slot.reason == "quiet hours until 06:00"


def test_a_hold_that_did_not_decide_the_action_is_not_its_state() -> None:
    """Quiet hours hold every channel; a published one stays published, a waiting one shows
    why plan decided as it did (the hold whose reason plan took)."""
    holds = [held(Cause.QUIET_HOURS, HoldKind.WAIT, "quiet hours until 06:00", LATER)]
    slot = slot_of(post(), delivery(Action.BLOCKED, "invalid: SP104 missing alt"), holds, NOW)
    assert slot.state is CalendarState.BLOCKED


def test_an_embargoed_post_shows_only_its_id_and_the_time() -> None:
    secret = post(embargo=True, tags=("Wahl",))
    reason = "neutrality period „Kreistagswahl“ (#Wahl): press office override"
    holds = [held(Cause.NEUTRALITY, HoldKind.BLOCKED, reason)]
    slot = slot_of(secret, delivery(Action.BLOCKED, reason), holds, NOW)
    assert slot.state is CalendarState.HELD
    assert slot.reason == "embargoed until 2026-12-04 10:00"
    (entry,) = entries({"kreistag": secret}, [delivery(Action.WAIT, "embargoed")], {}, NOW)
    assert entry.title == ""
    assert entry.heading == "[kreistag] · embargoed until 2026-12-04 10:00"
    assert entry.as_dict()["title"] is None


def test_an_embargoed_ready_post_is_embargoed() -> None:
    notice = "embargoed until 2026-12-04 10:00"
    holds = [held(Cause.EMBARGO, HoldKind.WAIT, notice, LATER)]
    slot = slot_of(post(embargo=True), delivery(Action.WAIT, notice), holds, NOW)
    assert (slot.state, slot.at) == (CalendarState.EMBARGOED, LATER)


# --- from the ledger ------------------------------------------------------------------------


def test_a_published_post_is_published_when_it_went_out_with_its_url() -> None:
    done = record(State.PUBLISHED, published_at=EARLIER, url="https://social.example/@k/1")
    slot = slot_of(post(publish_at=EARLIER), delivery(Action.DONE, record=done), (), NOW)
    assert (slot.state, slot.at, slot.url) == (CalendarState.PUBLISHED, EARLIER, done.url)


def test_a_published_post_stays_published_while_paused_or_back_in_draft() -> None:
    done = record(State.PUBLISHED, published_at=EARLIER)
    reason = "publishing paused by Anna Berg"
    holds = [held(Cause.PAUSE, HoldKind.PAUSED, reason)]
    slot = slot_of(post(Status.DRAFT), delivery(Action.PAUSED, reason, done), holds, NOW)
    assert slot.state is CalendarState.PUBLISHED


def test_a_natively_scheduled_post_is_scheduled_at_the_platforms_time() -> None:
    waiting = record(State.SCHEDULED, scheduled_at=LATER)
    slot = slot_of(post(), delivery(Action.DONE, record=waiting), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.SCHEDULED, LATER)


def test_a_scheduled_post_whose_time_passed_is_published() -> None:
    waiting = record(State.SCHEDULED, scheduled_at=EARLIER)
    slot = slot_of(post(), delivery(Action.CONFIRM, record=waiting), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.PUBLISHED, EARLIER)


def test_a_pause_pulls_a_scheduled_post_back() -> None:
    waiting = record(State.SCHEDULED, scheduled_at=LATER)
    slot = slot_of(post(), delivery(Action.UNSCHEDULE, record=waiting), (), NOW)
    assert slot.state is CalendarState.PAUSED


def test_a_pulled_back_post_is_planned_again() -> None:
    back = record(State.UNSCHEDULED)
    slot = slot_of(post(), delivery(Action.WAIT, "waits until …", back), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.APPROVED, LATER)


@pytest.mark.parametrize("state", [State.FAILED, State.PARTIAL, State.UNCONFIRMED])
def test_an_unfinished_delivery_has_failed_with_its_error(state: State) -> None:
    broken = record(state, last_error="HTTP 503", attempts=2)
    slot = slot_of(post(), delivery(Action.RESUME, "try again (attempt 3)", broken), (), NOW)
    assert slot.state is CalendarState.FAILED
    assert slot.at == broken.updated_at
    assert slot.reason.endswith("HTTP 503")


def test_a_failed_delivery_held_by_a_pause_is_paused() -> None:
    broken = record(State.FAILED, last_error="HTTP 503")
    reason = "publishing paused by Anna Berg"
    holds = [held(Cause.PAUSE, HoldKind.PAUSED, reason)]
    slot = slot_of(post(), delivery(Action.PAUSED, reason, broken), holds, NOW)
    assert slot.state is CalendarState.PAUSED


def test_a_posting_kit_waits_for_a_person() -> None:
    kit = record(State.MANUAL)
    slot = slot_of(post(), delivery(Action.MANUAL, "kit written …", kit), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.MANUAL, EARLIER)


def test_a_deleted_post_is_deleted() -> None:
    gone = record(State.DELETED)
    slot = slot_of(post(), delivery(Action.DELETED, record=gone), (), NOW)
    assert (slot.state, slot.at) == (CalendarState.DELETED, gone.updated_at)


# --- weeks ------------------------------------------------------------------------------------


def test_weeks_start_on_the_monday_of_the_first_day() -> None:
    window = weeks_from(date(2026, 12, 3), 2, BERLIN)
    assert window.start == datetime(2026, 11, 30, tzinfo=BERLIN)
    assert window.end == datetime(2026, 12, 14, tzinfo=BERLIN)
    assert len(window.days) == 14


def test_weeks_over_the_change_to_summer_time_are_whole_days() -> None:
    window = weeks_from(date(2027, 3, 28), 1, BERLIN)  # clocks go forward that Sunday
    assert window.days[-1] == date(2027, 3, 28)
    assert window.end.utcoffset() == timedelta(hours=2)


def test_within_keeps_the_slots_in_the_window_and_the_undated_posts() -> None:
    inside = slot_of(post(), delivery(Action.WAIT), (), NOW)
    outside = slot_of(post(publish_at=LATER + timedelta(weeks=3)), delivery(Action.WAIT), (), NOW)
    undated = slot_of(post(Status.DRAFT, publish_at=None), delivery(Action.BLOCKED), (), NOW)
    found = (
        Entry("a", "A", LATER, None, (inside, outside)),
        Entry("b", "B", outside.at, None, (outside,)),
        Entry("c", "C", None, None, (undated,)),
    )
    kept = within(found, weeks_from(NOW.date(), 2, BERLIN))
    assert [(e.post, e.slots) for e in kept] == [("a", (inside,)), ("c", (undated,))]


# --- the .ics ---------------------------------------------------------------------------------


def test_the_ics_has_an_event_per_dated_post_in_the_config_zone() -> None:
    published = record(State.PUBLISHED, published_at=EARLIER, url="https://social.example/1")
    found = entries(
        {"kreistag": post(publish_at=EARLIER)},
        [delivery(Action.DONE, "published 2026-12-01 08:30", published)],
        {},
        NOW,
    )
    undated = Entry("entwurf", "Entwurf", None, None, ())
    data = ics((*found, undated), BERLIN, NOW, name="socialpub: kreis")
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    assert event.uid == uid("kreistag") == str(uuid.uuid5(UID_NAMESPACE, "kreistag"))
    assert re.fullmatch(r"[0-9a-f-]{36}", event.uid)  # RFC 7986 5.3: an opaque iana-token
    start = event.start
    assert isinstance(start, datetime)
    assert start == EARLIER
    assert str(start.tzinfo) == "Europe/Berlin"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.stamp == NOW.astimezone(UTC)
    assert event.summary == "Kreistag tagt"
    assert (event.description or "").splitlines() == [
        "post: kreistag",
        "mastodon: published 2026-12-01 08:30 · published 2026-12-01 08:30"
        " · https://social.example/1",
    ]
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert ics((*found, undated), BERLIN, NOW, name="socialpub: kreis") == data


def test_the_ics_of_an_embargoed_post_names_only_id_channels_and_states() -> None:
    secret = post(embargo=True)
    notice = "embargoed until 2026-12-04 10:00"
    holds = {("kreistag", "mastodon"): [held(Cause.EMBARGO, HoldKind.WAIT, notice, LATER)]}
    found = entries({"kreistag": secret}, [delivery(Action.WAIT, notice)], holds, NOW)
    event = Calendar.from_ical(ics(found, BERLIN, NOW, name="k")).events[0]
    assert event.summary == "[kreistag] · embargoed until 2026-12-04 10:00"
    assert (event.description or "") == "post: kreistag\nmastodon: embargoed 2026-12-04 10:00"
    assert "Kreistag tagt" not in ics(found, BERLIN, NOW, name="k").decode()
