"""What a publish run would do now, per post × channel. Pure: it takes `now` and the ledger.

Rules: only approved, valid posts are published; a post is due when `publish_at` has passed
(or is absent) and `expires_at` has not; future posts are scheduled natively where the channel
asks for it and the platform can, else they wait for a later run. Identity is the post id: a
changed text edits the published post where the platform can edit, and is reported where it
cannot, but is never posted a second time. Where it cannot edit (any more), the config's
corrections policy decides (corrections.py): a correction reply, delete and post again, or report.
The workflow's holds (workflow/gate.py) keep back whatever would send; a pause also takes
natively scheduled posts off the platform's schedule.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpub.content.config import ChannelConfig
from socialpub.content.corrections import Kind
from socialpub.i18n import _
from socialpub.models import Post, Status, Variant
from socialpub.publishing.corrections import (
    corrected_note,
    correction_plan,
    edit_closed,
    kind_of,
    unfinished,
)
from socialpub.publishing.ledger import Record, State
from socialpub.workflow.gate import Hold, HoldKind

#: a post is sent some moments after planning: keep this much beyond the platform's
#: shortest lead (`Capabilities.schedule_lead`), so the platform still finds it far enough ahead
SCHEDULE_MARGIN = timedelta(minutes=1)
#: the ledger event of a posting kit written again for a changed post
KIT_REWRITTEN = "kit rewritten"


class Action(enum.StrEnum):
    PUBLISH = "publish"  # due and never sent
    SCHEDULE = "schedule"  # in the future: the platform's scheduler will post it
    RESUME = "resume"  # continue a failed or interrupted delivery (safe: same key, or absent)
    EDIT = "edit"  # published, and its text has changed since
    CORRECT = "correct"  # changed, the platform cannot edit: a reply, or delete and post again
    WAIT = "wait"  # in the future: a later `publish` run posts it
    DONE = "done"  # published (or scheduled natively) and unchanged
    UNCONFIRMED = "unconfirmed"  # may or may not exist on the platform: `socialpub reconcile`
    EXPIRED = "expired"
    BLOCKED = "blocked"  # not approved, invalid, no adapter, or a change the platform can't make
    PAUSED = "paused"  # publishing is paused (`socialpub resume`)
    DELETED = "deleted"
    CONFIRM = "confirm"  # scheduled natively, its time has passed: record the published post
    MANUAL = "manual"  # a posting kit waits for a person: `socialpub confirm` records the copy
    UNSCHEDULE = "unschedule"  # paused: pull it back from the platform's scheduler (unschedule.py)

    @property
    def sends(self) -> bool:
        """Whether `publish` works on it (CONFIRM only asks the platform; UNSCHEDULE deletes
        what the platform holds scheduled)."""
        sending = (Action.PUBLISH, Action.SCHEDULE, Action.RESUME, Action.EDIT, Action.CORRECT)
        return self in sending or self in (Action.CONFIRM, Action.UNSCHEDULE)


@dataclass(frozen=True)
class Target:
    """What plan needs to know about a channel: its config and what its adapter can do."""

    channel: ChannelConfig
    has_adapter: bool
    idempotent: bool = False
    idempotency_window: timedelta | None = None
    correction: Kind = Kind.REPORT  # the corrections policy for this channel
    edit_within: timedelta | None = None  # the policy's own edit window for this channel


@dataclass(frozen=True)
class Delivery:
    post_id: str
    channel: str
    channel_type: str
    action: Action
    reason: str
    variant: Variant | None = None
    revision: str = ""
    key: str = ""
    schedule_at: datetime | None = None
    record: Record | None = None
    correction: str = ""  # for CORRECT: "reply" or "repost"
    reply: Variant | None = None  # for a reply: its text, rendered for the channel (workset)

    def as_dict(self) -> dict[str, object]:
        record = self.record
        return {
            "post": self.post_id,
            "channel": self.channel,
            "type": self.channel_type,
            "action": self.action.value,
            "reason": self.reason,
            "schedule_at": self.schedule_at.isoformat() if self.schedule_at else None,
            "state": record.state.value if record else None,
            "url": record.url if record else "",
            **({"correction": self.correction} if self.correction else {}),
        }


def revision(variant: Variant) -> str:
    """A hash of everything a platform shows: the text of each part, media, link, language."""
    content = {
        "parts": [part.text for part in variant.parts],
        "media": [[m.file, m.alt or ""] for m in variant.media],
        "link": variant.link or "",
        "lang": variant.lang,
    }
    data = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def idempotency_key(post_id: str, channel: str, rev: str) -> str:
    return hashlib.sha256(f"{post_id}\n{channel}\n{rev}".encode()).hexdigest()[:32]


def _key(post_id: str, channel: str, rev: str, record: Record | None) -> str:
    """A delivery pulled back from a platform's scheduler keeps the fresh key it got then:
    the platform may still answer the first key with the scheduled post it deleted."""
    if record is not None and record.state is State.UNSCHEDULED and record.revision == rev:
        return record.key
    return idempotency_key(post_id, channel, rev)


def plan_delivery(
    post: Post,
    variant: Variant,
    target: Target,
    record: Record | None,
    now: datetime,
    *,
    invalid: str = "",
    holds: Sequence[Hold] = (),
) -> Delivery:
    """Decide what happens to one post on one channel. `holds` are the workflow's reasons to
    keep it back (workflow/gate.py): they stop every action that would send."""
    rev = revision(variant)
    action, reason, schedule_at = _decide(post, variant, target, record, now, rev, invalid)
    if holds and action.sends and action is not Action.CONFIRM:
        action, reason, schedule_at = _held(holds[0])
    paused = next((hold.reason for hold in holds if hold.kind is HoldKind.PAUSED), "")
    if paused and record and record.state is State.SCHEDULED and action is not Action.CONFIRM:
        action, reason = (
            Action.UNSCHEDULE,
            _("pull it back from the platform's schedule: {paused}").format(paused=paused),
        )
    return Delivery(
        post_id=post.id,
        channel=target.channel.name,
        channel_type=target.channel.type,
        action=action,
        reason=reason,
        variant=variant,
        revision=rev,
        key=_key(post.id, target.channel.name, rev, record),
        schedule_at=schedule_at,
        record=record,
        correction=kind_of(target.correction, record) if action is Action.CORRECT else "",
    )


def _decide(
    post: Post,
    variant: Variant,
    target: Target,
    record: Record | None,
    now: datetime,
    rev: str,
    invalid: str,
) -> tuple[Action, str, datetime | None]:
    approved = _("status is {value}: only approved posts go out").format(value=post.status.value)
    waiting = record is not None and record.state in (State.FAILED, State.UNSCHEDULED)
    if record is not None and (not waiting or record.sent):
        action, reason, at = _known(target, record, now, rev)
        if action.sends and post.status is not Status.APPROVED:  # e.g. back to draft for rework
            return Action.BLOCKED, approved, None
        if invalid and action in (Action.EDIT, Action.RESUME, Action.CORRECT):
            return (
                Action.BLOCKED,
                _("invalid: {invalid} (fix it to {value})").format(
                    invalid=invalid, value=action.value
                ),
                None,
            )
        return action, reason, at
    if post.status is not Status.APPROVED:
        return Action.BLOCKED, approved, None
    if invalid:
        return Action.BLOCKED, _("invalid: {invalid}").format(invalid=invalid), None
    if not target.has_adapter:
        return (
            Action.BLOCKED,
            _("socialpub cannot publish to {type} yet").format(type=target.channel.type),
            None,
        )
    if post.expires_at and post.expires_at <= now:
        return Action.EXPIRED, _("expired at {when}").format(when=_when(post.expires_at)), None
    if post.publish_at and post.publish_at > now:
        return _future(post.publish_at, variant, target.channel, now)
    if record is not None and record.state is State.UNSCHEDULED:
        return Action.RESUME, _("pulled back by a pause, due now: publish it"), None
    if record is not None:  # failed before anything existed on the platform
        error = f": {record.last_error}" if record.last_error else ""
        return (
            Action.RESUME,
            _("try again (attempt {value}){error}").format(value=record.attempts + 1, error=error),
            None,
        )
    return Action.PUBLISH, _("due now"), None


_HELD_ACTION = {
    HoldKind.BLOCKED: Action.BLOCKED,
    HoldKind.WAIT: Action.WAIT,
    HoldKind.PAUSED: Action.PAUSED,
}


def _held(hold: Hold) -> tuple[Action, str, datetime | None]:
    return _HELD_ACTION[hold.kind], hold.reason, None


def _future(
    publish_at: datetime, variant: Variant, channel: ChannelConfig, now: datetime
) -> tuple[Action, str, datetime | None]:
    caps = channel.capabilities
    ahead = publish_at - now
    native = (
        channel.settings.get("schedule") == "native"
        and caps.native_schedule
        and not variant.is_thread  # a reply cannot be scheduled before its parent exists
        and ahead >= caps.schedule_lead + SCHEDULE_MARGIN
    )
    if native and caps.schedule_horizon is not None and ahead > caps.schedule_horizon:
        handover = _when(publish_at - caps.schedule_horizon)
        why = _("waits until {handover}, then goes to the platform's scheduler for {when}").format(
            handover=handover, when=_when(publish_at)
        )
        return Action.WAIT, why, None
    if native:
        return (
            Action.SCHEDULE,
            _("scheduled on the platform for {when}").format(when=_when(publish_at)),
            publish_at,
        )
    return (
        Action.WAIT,
        _("waits until {when} (a later run publishes it)").format(when=_when(publish_at)),
        None,
    )


def _known(
    target: Target, record: Record, now: datetime, rev: str
) -> tuple[Action, str, datetime | None]:
    """A delivery the ledger knows about."""
    state = record.state
    if state is State.DELETED:
        return (
            Action.DELETED,
            _("deleted {when}; not published again").format(when=_when(record.updated_at)),
            None,
        )
    going_on = unfinished(record, rev)
    if going_on is not None:
        return (Action.CORRECT if going_on[0] else Action.BLOCKED), going_on[1], None
    if state is State.UNCONFIRMED:
        # The platform keeps a key for `window` after the first request that used it; a later
        # run failing before it resent updates the record but not that deadline. A changed
        # text must not resume either: the key would return the old copy as the new revision.
        window = target.idempotency_window
        fresh = window is None or now - record.created_at < window
        if target.idempotent and fresh and record.revision == rev:
            return (
                Action.RESUME,
                _("interrupted: resend with the same idempotency key (safe)"),
                None,
            )
        return Action.UNCONFIRMED, _("may or may not be posted: run `socialpub reconcile`"), None
    if state in (State.PARTIAL, State.FAILED):
        done = _("{count} of {messages} messages exist").format(
            count=len(record.sent), messages=record.messages
        )
        return Action.RESUME, _("continue the thread ({done})").format(done=done), None
    if state is State.MANUAL:
        return _manual(record, rev)
    if state is State.SCHEDULED and record.scheduled_at and record.scheduled_at <= now:
        # The platform posted it under a new id: find that first, edits and deletes need it.
        return (
            Action.CONFIRM,
            _("went out {when}: look up the post").format(when=_when(record.scheduled_at)),
            None,
        )
    if record.revision == rev:
        if state is State.SCHEDULED and record.scheduled_at:
            return (
                Action.DONE,
                _("scheduled on the platform for {when}").format(when=_when(record.scheduled_at)),
                None,
            )
        published = _when(record.published_at or record.updated_at)
        return (
            Action.DONE,
            _("published {published}{corrected_note}").format(
                published=published, corrected_note=corrected_note(record)
            ),
            None,
        )
    closed = edit_closed(target.channel, record, now, target.edit_within)
    if closed:  # not yet out (still scheduled), or posted by hand: reported, never corrected
        automatic = state is not State.SCHEDULED and target.channel.capabilities.api
        kind = target.correction if automatic else Kind.REPORT
        sends, why = correction_plan(kind, closed, record)
        return (Action.CORRECT if sends else Action.BLOCKED), why, None
    return Action.EDIT, _("text changed since publishing: edit it on the platform"), None


def _manual(record: Record, rev: str) -> tuple[Action, str, datetime | None]:
    """A posting kit nobody has confirmed yet: never stale, never blocking anything else."""
    if record.revision != rev:
        return Action.EDIT, _("changed since the kit was written: publish writes it again"), None
    rewritten = any(event == KIT_REWRITTEN for _, event, _ in record.history)
    written = _("kit rewritten after a change") if rewritten else _("kit written")
    confirm = _("socialpub confirm {post} --channel {channel} --url URL").format(
        post=record.post, channel=record.channel
    )
    return (
        Action.MANUAL,
        _("{written} {when}: post it by hand, then `{confirm}`").format(
            written=written, when=_when(record.updated_at), confirm=confirm
        ),
        None,
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
