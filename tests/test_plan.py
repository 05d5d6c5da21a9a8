"""Planning is pure: a post, its variant, the channel's abilities, the ledger record and a
frozen `now` decide what a publish run does. Every rule of plan.py has a case here."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialpub.content.config import ChannelConfig, load_config
from socialpub.content.posts import load_post
from socialpub.models import Facet, Media, Part, Post, Sent, Status, Variant
from socialpub.publishing.ledger import Record, State
from socialpub.publishing.plan import (
    SCHEDULE_MARGIN,
    Action,
    Delivery,
    Target,
    idempotency_key,
    plan_delivery,
    revision,
)
from socialpub.render.renderer import Renderer
from socialpub.workflow.gate import Hold, HoldKind
from tests.conftest import Repo

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MASTO = ChannelConfig("masto", "mastodon", {"schedule": "native"})
MASTO_WAITING = ChannelConfig("masto", "mastodon", {})
BSKY = ChannelConfig("bsky", "bluesky", {"schedule": "native"})
FB = ChannelConfig("fb", "facebook", {"schedule": "native", "page_id": "1"})
WEB = ChannelConfig("web", "website", {})
HOUR = timedelta(hours=1)


def make_post(**changes: Any) -> Post:
    post = Post(
        id="kreistag",
        title="Kreistag",
        body="Der Kreistag tagt am Mittwoch.",
        source=Path("posts/kreistag.md"),
        status=Status.APPROVED,
    )
    return dataclasses.replace(post, **changes)


def make_variant(channel: ChannelConfig = MASTO, *texts: str, **changes: Any) -> Variant:
    parts = tuple(Part(t, len(t)) for t in (texts or ("Der Kreistag tagt am Mittwoch.",)))
    variant = Variant("kreistag", channel.name, channel.type, parts, 500, "characters")
    return dataclasses.replace(variant, **changes)


def target(
    channel: ChannelConfig = MASTO,
    *,
    adapter: bool = True,
    idempotent: bool = False,
    window: timedelta | None = None,
) -> Target:
    return Target(channel, adapter, idempotent, window)


def make_record(state: State, variant: Variant | None = None, **changes: Any) -> Record:
    record = Record(
        post="kreistag",
        channel="masto",
        type="mastodon",
        state=state,
        key="stored-key",
        revision=revision(variant or make_variant()),
        created_at=NOW - timedelta(minutes=10),
        updated_at=NOW - timedelta(minutes=9),
        url="https://social.example/@kreis/1",
        published_at=NOW - timedelta(minutes=9),
    )
    return dataclasses.replace(record, **changes)


def plan(
    post: Post | None = None,
    variant: Variant | None = None,
    where: Target | None = None,
    record: Record | None = None,
    now: datetime = NOW,
    invalid: str = "",
) -> Delivery:
    return plan_delivery(
        post or make_post(),
        variant or make_variant(),
        where or target(),
        record,
        now,
        invalid=invalid,
    )


def make_sent(number: int) -> Sent:
    return Sent(str(number), f"https://social.example/@kreis/{number}")


# --- posts the ledger does not know yet ------------------------------------------------------


def test_a_due_approved_post_is_published() -> None:
    delivery = plan()
    assert delivery.action is Action.PUBLISH and delivery.reason == "due now"
    assert delivery.action.sends
    assert delivery.schedule_at is None and delivery.record is None


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_unapproved_posts_are_blocked_with_their_status(status: Status) -> None:
    delivery = plan(make_post(status=status))
    assert delivery.action is Action.BLOCKED
    assert delivery.reason == f"status is {status.value}: only approved posts go out"
    assert not delivery.action.sends


def test_an_invalid_post_is_blocked_with_the_first_problem() -> None:
    delivery = plan(invalid="SP104 missing alt text")
    assert delivery.action is Action.BLOCKED
    assert delivery.reason == "invalid: SP104 missing alt text"


def test_a_channel_without_adapter_is_blocked() -> None:
    delivery = plan(variant=make_variant(WEB), where=target(WEB, adapter=False))
    assert delivery.action is Action.BLOCKED
    assert delivery.reason == "socialpub cannot publish to website yet"


def test_an_expired_post_is_expired() -> None:
    delivery = plan(make_post(expires_at=NOW - timedelta(minutes=1)))
    assert delivery.action is Action.EXPIRED
    assert delivery.reason == "expired at 2026-11-23 09:59"


def test_a_post_expiring_later_is_published() -> None:
    assert plan(make_post(expires_at=NOW + timedelta(minutes=1))).action is Action.PUBLISH


@pytest.mark.parametrize("offset", [timedelta(0), -HOUR])
def test_a_post_whose_time_has_come_is_published(offset: timedelta) -> None:
    assert plan(make_post(publish_at=NOW + offset)).action is Action.PUBLISH


def test_a_future_post_waits_for_a_later_run() -> None:
    later = NOW + 2 * HOUR
    delivery = plan(make_post(publish_at=later), where=target(MASTO_WAITING))
    assert delivery.action is Action.WAIT
    assert delivery.reason == "waits until 2026-11-23 12:00 (a later run publishes it)"
    assert delivery.schedule_at is None


MASTODON_LEAD = MASTO.capabilities.schedule_lead + SCHEDULE_MARGIN


@pytest.mark.parametrize("lead", [MASTODON_LEAD, 2 * HOUR])
def test_a_future_post_is_scheduled_natively_where_asked_and_possible(lead: timedelta) -> None:
    delivery = plan(make_post(publish_at=NOW + lead))
    assert delivery.action is Action.SCHEDULE and delivery.action.sends
    assert delivery.schedule_at == NOW + lead
    assert delivery.reason.startswith("scheduled on the platform for 2026-11-23")


def test_less_than_five_minutes_ahead_waits_instead_of_scheduling() -> None:
    soon = NOW + MASTODON_LEAD - timedelta(seconds=1)
    delivery = plan(make_post(publish_at=soon))
    assert delivery.action is Action.WAIT and delivery.schedule_at is None


def test_the_platforms_minimum_lead_alone_is_too_short_a_run_takes_moments_to_send() -> None:
    delivery = plan(make_post(publish_at=NOW + MASTO.capabilities.schedule_lead))
    assert delivery.action is Action.WAIT


@pytest.mark.parametrize(
    ("ahead", "scheduled"),
    [
        (timedelta(minutes=10), False),  # Facebook's minimum, but no margin for the send
        (timedelta(minutes=11), True),
        (timedelta(days=30), True),
        (timedelta(days=30, seconds=1), False),
        (timedelta(days=60), False),
    ],
)
def test_facebook_schedules_natively_only_10_minutes_to_30_days_ahead(
    ahead: timedelta, scheduled: bool
) -> None:
    delivery = plan(make_post(publish_at=NOW + ahead), make_variant(FB), target(FB))
    assert (delivery.action is Action.SCHEDULE) is scheduled
    if not scheduled:
        assert delivery.action is Action.WAIT and delivery.schedule_at is None


def test_beyond_the_horizon_the_reason_says_when_the_platform_gets_it() -> None:
    delivery = plan(make_post(publish_at=NOW + timedelta(days=45)), make_variant(FB), target(FB))
    assert delivery.reason == (
        "waits until 2026-12-08 10:00, then goes to the platform's scheduler for 2027-01-07 10:00"
    )


def test_a_thread_is_never_scheduled_natively() -> None:
    thread = make_variant(MASTO, "Teil eins", "Teil zwei")
    delivery = plan(make_post(publish_at=NOW + 2 * HOUR), thread)
    assert delivery.action is Action.WAIT


def test_a_platform_without_a_scheduler_waits() -> None:
    delivery = plan(make_post(publish_at=NOW + 2 * HOUR), make_variant(BSKY), target(BSKY))
    assert delivery.action is Action.WAIT


def test_blocking_reasons_come_before_timing() -> None:
    future_draft = make_post(status=Status.DRAFT, publish_at=NOW + HOUR, expires_at=NOW)
    assert plan(future_draft).action is Action.BLOCKED
    assert plan(make_post(expires_at=NOW), invalid="SP001 x").action is Action.BLOCKED


# --- deliveries the ledger knows -------------------------------------------------------------


def test_a_failed_delivery_with_nothing_sent_is_tried_again() -> None:
    record = make_record(State.FAILED, attempts=2, last_error="masto: HTTP 502")
    delivery = plan(record=record)
    assert delivery.action is Action.RESUME
    assert delivery.reason == "try again (attempt 3): masto: HTTP 502"
    assert delivery.record is record


def test_a_failed_delivery_still_obeys_status_and_time() -> None:
    record = make_record(State.FAILED, attempts=1)
    assert plan(make_post(status=Status.DRAFT), record=record).action is Action.BLOCKED
    assert plan(make_post(expires_at=NOW), record=record).action is Action.EXPIRED
    future = make_post(publish_at=NOW + HOUR)
    assert plan(future, where=target(MASTO_WAITING), record=record).action is Action.WAIT


def test_a_partial_thread_is_resumed() -> None:
    record = make_record(State.PARTIAL, messages=3, sent=(make_sent(1),))
    delivery = plan(record=record)
    assert delivery.action is Action.RESUME
    assert delivery.reason == "continue the thread (1 of 3 messages exist)"


def unconfirmed(**changes: Any) -> Record:
    return make_record(State.UNCONFIRMED, inflight=0, published_at=None, **changes)


def test_unconfirmed_with_an_idempotency_key_still_valid_is_resumed() -> None:
    where = target(idempotent=True, window=HOUR)
    delivery = plan(where=where, record=unconfirmed())
    assert delivery.action is Action.RESUME
    assert "same idempotency key" in delivery.reason


def test_unconfirmed_past_the_idempotency_window_needs_reconcile() -> None:
    where = target(idempotent=True, window=HOUR)
    delivery = plan(where=where, record=unconfirmed(), now=NOW + HOUR)
    assert delivery.action is Action.UNCONFIRMED
    assert "socialpub reconcile" in delivery.reason
    assert not delivery.action.sends


def test_the_idempotency_window_counts_from_the_first_attempt() -> None:
    """A later run that failed before resending (say, a missing token) updates the record,
    but the platform forgets the key an hour after the first request, not the last write."""
    record = unconfirmed(created_at=NOW - 70 * timedelta(minutes=1), updated_at=NOW)
    delivery = plan(where=target(idempotent=True, window=HOUR), record=record)
    assert delivery.action is Action.UNCONFIRMED


def test_a_key_honoured_for_ever_always_resumes() -> None:
    record = unconfirmed(created_at=NOW - 30 * 24 * HOUR, updated_at=NOW - 30 * 24 * HOUR)
    delivery = plan(where=target(idempotent=True, window=None), record=record)
    assert delivery.action is Action.RESUME


def test_unconfirmed_without_idempotency_needs_reconcile() -> None:
    record = unconfirmed(updated_at=NOW - timedelta(seconds=5))
    assert plan(where=target(idempotent=False), record=record).action is Action.UNCONFIRMED


def test_unconfirmed_with_a_changed_text_is_not_resent_under_the_old_key() -> None:
    """The key would return the first copy (old text) while the ledger recorded the new
    revision as published, so the change would never be edited in: reconcile first."""
    record = unconfirmed()
    changed = make_variant(MASTO, "Der Kreistag tagt am Donnerstag.")
    delivery = plan(variant=changed, where=target(idempotent=True, window=HOUR), record=record)
    assert delivery.action is Action.UNCONFIRMED


def test_a_published_unchanged_delivery_is_done() -> None:
    delivery = plan(record=make_record(State.PUBLISHED))
    assert delivery.action is Action.DONE
    assert delivery.reason == "published 2026-11-23 09:51"
    assert delivery.as_dict()["url"] == "https://social.example/@kreis/1"


def test_a_changed_text_is_edited_where_the_platform_can() -> None:
    changed = make_variant(MASTO, "Der Kreistag tagt am Donnerstag.")
    delivery = plan(variant=changed, record=make_record(State.PUBLISHED))
    assert delivery.action is Action.EDIT and delivery.action.sends
    assert delivery.revision != delivery.record.revision  # type: ignore[union-attr]


def test_a_changed_text_is_blocked_where_the_platform_cannot_edit() -> None:
    record = make_record(State.PUBLISHED, make_variant(BSKY), channel="bsky", type="bluesky")
    changed = make_variant(BSKY, "Der Kreistag tagt am Donnerstag.")
    delivery = plan(variant=changed, where=target(BSKY), record=record)
    assert delivery.action is Action.BLOCKED
    assert "Bluesky cannot edit" in delivery.reason
    assert "revert the change" in delivery.reason and "socialpub delete" in delivery.reason


def test_a_natively_scheduled_post_is_done_until_its_time() -> None:
    record = make_record(State.SCHEDULED, scheduled_at=NOW + HOUR, published_at=None)
    delivery = plan(make_post(publish_at=NOW + HOUR), record=record)
    assert delivery.action is Action.DONE
    assert delivery.reason == "scheduled on the platform for 2026-11-23 11:00"


def test_a_scheduled_post_whose_time_passed_is_looked_up() -> None:
    """It went out under a new id; edits and deletes need that id."""
    record = make_record(State.SCHEDULED, scheduled_at=NOW - HOUR, published_at=None)
    delivery = plan(record=record)
    assert delivery.action is Action.CONFIRM
    assert delivery.reason == "went out 2026-11-23 09:00: look up the post"


def test_a_deleted_delivery_is_never_published_again() -> None:
    record = make_record(State.DELETED, updated_at=NOW - HOUR)
    changed = make_variant(MASTO, "Neuer Text")
    delivery = plan(variant=changed, record=record)
    assert delivery.action is Action.DELETED
    assert delivery.reason == "deleted 2026-11-23 09:00; not published again"


def test_a_draft_whose_record_is_published_stays_done() -> None:
    delivery = plan(make_post(status=Status.DRAFT), record=make_record(State.PUBLISHED))
    assert delivery.action is Action.DONE


@pytest.mark.parametrize(
    ("record", "text"),
    [
        (make_record(State.PUBLISHED), "Entwurf: noch nicht freigegeben"),
        (make_record(State.PARTIAL, messages=3, sent=(make_sent(1),)), None),
        (unconfirmed(), None),
    ],
    ids=["edit", "resume-thread", "resume-unconfirmed"],
)
def test_nothing_is_sent_for_a_post_that_is_no_longer_approved(
    record: Record, text: str | None
) -> None:
    """Moving a post back to draft to rework it must not push anything out until approved."""
    variant = make_variant(MASTO, text) if text else make_variant()
    where = target(idempotent=True, window=HOUR)
    assert plan(make_post(), variant, where, record).action.sends  # approved, it would send
    delivery = plan(make_post(status=Status.DRAFT), variant, where, record)
    assert delivery.action is Action.BLOCKED
    assert delivery.reason == "status is draft: only approved posts go out"


def test_an_invalid_change_of_a_published_post_is_blocked_not_edited() -> None:
    changed = make_variant(MASTO, "x" * 600)
    delivery = plan(variant=changed, record=make_record(State.PUBLISHED), invalid="SP101 long")
    assert delivery.action is Action.BLOCKED
    assert delivery.reason == "invalid: SP101 long (fix it to edit)"


def test_an_invalid_but_unchanged_published_post_stays_done() -> None:
    assert plan(record=make_record(State.PUBLISHED), invalid="SP101 x").action is Action.DONE


def test_an_expired_post_that_was_published_stays_done() -> None:
    expired = make_post(expires_at=NOW - HOUR)
    assert plan(expired, record=make_record(State.PUBLISHED)).action is Action.DONE


# --- the delivery itself ---------------------------------------------------------------------


def test_a_delivery_carries_revision_key_and_a_printable_summary() -> None:
    variant = make_variant()
    delivery = plan(make_post(publish_at=NOW + HOUR), variant)
    assert delivery.revision == revision(variant)
    assert delivery.key == idempotency_key("kreistag", "masto", delivery.revision)
    assert delivery.variant is variant
    assert delivery.as_dict() == {
        "post": "kreistag",
        "channel": "masto",
        "type": "mastodon",
        "action": "schedule",
        "reason": "scheduled on the platform for 2026-11-23 11:00",
        "schedule_at": "2026-11-23T11:00:00+00:00",
        "state": None,
        "url": "",
    }


def test_only_sending_actions_send() -> None:
    sending = {a for a in Action if a.sends}
    assert sending == {
        Action.PUBLISH,
        Action.SCHEDULE,
        Action.RESUME,
        Action.EDIT,
        Action.CORRECT,
        Action.CONFIRM,
        Action.UNSCHEDULE,  # asks the platform to delete what it holds scheduled
    }


# --- revision and idempotency key ------------------------------------------------------------

BASE = make_variant(
    MASTO,
    "Teil eins",
    "Teil zwei",
    media=(Media("media/a.jpg", "Ein Saal"),),
    link="https://kreis.example/a",
)


@pytest.mark.parametrize(
    "changed",
    [
        dataclasses.replace(BASE, parts=(Part("Teil eins!", 10), BASE.parts[1])),
        dataclasses.replace(BASE, parts=(BASE.parts[0],)),
        dataclasses.replace(BASE, parts=(Part("Teil eins\n\nTeil zwei", 20),)),
        dataclasses.replace(BASE, media=(Media("media/a.jpg", "Ein voller Saal"),)),
        dataclasses.replace(BASE, media=(Media("media/a.jpg", None),)),
        dataclasses.replace(BASE, media=(Media("media/b.jpg", "Ein Saal"),)),
        dataclasses.replace(BASE, media=()),
        dataclasses.replace(BASE, link="https://kreis.example/b"),
        dataclasses.replace(BASE, link=None),
        dataclasses.replace(BASE, lang="en"),
    ],
    ids=[
        "text",
        "fewer-parts",
        "split-differently",
        "alt",
        "alt-removed",
        "media-file",
        "media-removed",
        "link",
        "link-removed",
        "lang",
    ],
)
def test_the_revision_changes_with_what_the_platform_shows(changed: Variant) -> None:
    assert revision(changed) != revision(BASE)


@pytest.mark.parametrize(
    "same",
    [
        dataclasses.replace(BASE, limit=300, unit="graphemes"),
        dataclasses.replace(BASE, channel="other", channel_type="bluesky"),
        dataclasses.replace(BASE, media=(Media("media/a.jpg", "Ein Saal", credit="Foto: X"),)),
        dataclasses.replace(
            BASE, parts=(Part("Teil eins", 99, (Facet("tag", 0, 4, "Teil"),)), BASE.parts[1])
        ),
        dataclasses.replace(BASE, problems=make_variant().problems),
    ],
    ids=["limit", "channel", "credit", "length-and-facets", "problems"],
)
def test_the_revision_ignores_what_the_platform_does_not_show(same: Variant) -> None:
    assert revision(same) == revision(BASE)


def test_the_revision_is_a_short_stable_hex_digest() -> None:
    assert revision(BASE) == revision(dataclasses.replace(BASE))
    assert len(revision(BASE)) == 16 and int(revision(BASE), 16) >= 0


def test_the_idempotency_key_is_deterministic_and_specific() -> None:
    key = idempotency_key("kreistag", "masto", "rev1")
    assert key == idempotency_key("kreistag", "masto", "rev1")
    assert len(key) == 32 and int(key, 16) >= 0
    others = {
        idempotency_key("kreistag", "bsky", "rev1"),
        idempotency_key("kreistag", "masto", "rev2"),
        idempotency_key("kreistag2", "masto", "rev1"),
        idempotency_key("kreistag\nmasto", "", "rev1"),  # fields cannot run into each other
    }
    assert key not in others and len(others) == 4


# --- with real posts, rendered by the Renderer ------------------------------------------------

POST = """\
---
id: kreistag
title: Kreistag
status: approved
author: {author}
---
{body}
"""


def rendered(repo: Repo, body: str, author: str = "Pressestelle") -> tuple[Post, Variant, Target]:
    path = repo.post("kreistag.md", POST.format(body=body, author=author))
    config = load_config(repo.config)
    loaded = load_post(path, path.read_bytes(), timezone=config.timezone, default_lang="de")
    assert loaded.post is not None, loaded.problems
    channel = config.channels["mastodon"]
    variant = Renderer(config).variant(loaded.post, channel)
    return loaded.post, variant, Target(channel, True, True, HOUR)


def test_a_rendered_post_plans_publish_then_edit_when_its_text_changes(repo: Repo) -> None:
    post, variant, where = rendered(repo, "Der Kreistag tagt am Mittwoch.")
    first = plan_delivery(post, variant, where, None, NOW)
    assert first.action is Action.PUBLISH
    assert "Der Kreistag tagt am Mittwoch." in variant.text
    record = make_record(State.PUBLISHED, variant, key=first.key)
    post, same, where = rendered(repo, "Der Kreistag tagt am Mittwoch.", author="Jemand anderes")
    assert plan_delivery(post, same, where, record, NOW).action is Action.DONE
    post, changed, where = rendered(repo, "Der Kreistag tagt am Donnerstag.")
    second = plan_delivery(post, changed, where, record, NOW)
    assert second.action is Action.EDIT
    assert second.key != first.key and second.revision != first.revision


# --- holds of the editorial workflow ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "action"),
    [
        (HoldKind.BLOCKED, Action.BLOCKED),
        (HoldKind.WAIT, Action.WAIT),
        (HoldKind.PAUSED, Action.PAUSED),
    ],
)
def test_a_hold_stops_a_delivery_that_would_send(kind: HoldKind, action: Action) -> None:
    hold = Hold(kind, "needs an approval: `socialpub approve kreistag`")
    delivery = plan_delivery(make_post(), make_variant(), target(), None, NOW, holds=(hold,))
    assert (delivery.action, delivery.reason) == (action, hold.reason)


def test_the_first_hold_is_the_one_reported() -> None:
    holds = (Hold(HoldKind.PAUSED, "paused"), Hold(HoldKind.BLOCKED, "no approval"))
    delivery = plan_delivery(make_post(), make_variant(), target(), None, NOW, holds=holds)
    assert (delivery.action, delivery.reason) == (Action.PAUSED, "paused")


def test_a_hold_leaves_what_sends_nothing_alone() -> None:
    hold = (Hold(HoldKind.PAUSED, "paused"),)
    done = plan_delivery(
        make_post(), make_variant(), target(), make_record(State.PUBLISHED), NOW, holds=hold
    )
    assert done.action is Action.DONE
    went_out = make_record(State.SCHEDULED, scheduled_at=NOW - HOUR, url="")
    confirm = plan_delivery(make_post(), make_variant(), target(), went_out, NOW, holds=hold)
    assert confirm.action is Action.CONFIRM  # only asks the platform what it posted
