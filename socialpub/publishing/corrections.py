"""Corrections in plan: a published post changed where the platform cannot edit it (any more).

Pure, like plan: it reads the channel's capabilities (`edit`, `edit_window`, `max_edits`), the
ledger record and `now`. The config's `corrections:` policy (content/corrections.py) decides
between a reply under the original, deleting and posting it again, or reporting the change.
The engine side is `correction_run.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from socialpub.content.config import ChannelConfig
from socialpub.content.corrections import Kind
from socialpub.i18n import _
from socialpub.publishing.ledger import Record

#: an edit planned this close to the end of the platform's window might arrive too late
EDIT_MARGIN = timedelta(minutes=1)
#: the ledger events of a correction that is finished
CORRECTED = {Kind.REPLY.value: "corrected by a reply", Kind.REPOST.value: "corrected: posted again"}


def edit_closed(
    channel: ChannelConfig, record: Record, now: datetime, edit_within: timedelta | None = None
) -> str:
    """Why this published post is not edited now ("" when it is): the platform cannot edit
    (any more), or the policy's `edit_within` has passed."""
    caps, title = channel.capabilities, channel.spec.title
    if not caps.edit:
        return _("{title} cannot edit").format(title=title)
    age = now - (record.published_at or record.created_at)
    if caps.edit_window is not None and age > caps.edit_window - EDIT_MARGIN:
        return _("{title} allows edits only within {span} of posting").format(
            title=title, span=_span(caps.edit_window)
        )
    if edit_within is not None and age > edit_within:
        return _("the corrections policy edits only within {span} of posting").format(
            span=_span(edit_within)
        )
    edits = sum(1 for _, event, _ in record.history if event == "edited")
    if caps.max_edits and edits >= caps.max_edits:
        return _("{title} allows at most {max_edits} edits").format(
            title=title, max_edits=caps.max_edits
        )
    return ""


def correction_plan(kind: Kind, closed: str, record: Record) -> tuple[bool, str]:
    """Whether a correction goes out (else the change is only reported), and why."""
    where = f" ({record.url})" if record.url else ""
    if kind is Kind.REPLY and not record.sent:
        return False, (
            _(
                "changed after publishing, and {closed}; socialpub knows no message of it to "
                "reply to (recorded by hand): post the correction by hand"
            ).format(closed=closed)
        )
    if kind is Kind.REPLY:
        return True, _(
            "changed after publishing, and {closed}: a correction reply under it{where}"
        ).format(closed=closed, where=where)
    if kind is Kind.REPOST:
        return True, _(
            "changed after publishing, and {closed}: delete it{where} and post it again"
        ).format(closed=closed, where=where)
    return False, (
        _(
            "changed after publishing, and {closed} (corrections policy: report): revert the "
            "change, or `socialpub delete` the post there and publish it under a new id, or set "
            "`corrections: reply` or `repost` in socialpub.yaml"
        ).format(closed=closed)
    )


def kind_of(policy: Kind, record: Record | None) -> str:
    """The kind of a correction plan chose: the policy's, or that of the one begun."""
    begun = record.open_correction if record is not None else None
    return begun.kind if begun is not None else policy.value


def unfinished(record: Record, rev: str) -> tuple[bool, str] | None:
    """An interrupted correction: continue it (never twice), or say what blocks it."""
    open_one = record.open_correction
    if open_one is None:
        return None
    if open_one.revision != rev:
        return False, (
            _(
                "a {kind} correction of an earlier version is unfinished: revert the text to "
                "that version so it can finish, then change it again"
            ).format(kind=open_one.kind)
        )
    done = _("{count} of {messages} messages exist").format(
        count=len(open_one.sent), messages=open_one.messages
    )
    return True, _("continue the {kind} correction ({done}; nothing is sent twice)").format(
        kind=open_one.kind, done=done
    )


def corrected_note(record: Record) -> str:
    """ ", corrected 2026-11-27 16:00 (reply)" for a post whose last change was a correction."""
    last = record.corrections[-1] if record.corrections else None
    if last is None or last.finished_at is None or last.revision != record.revision:
        return ""
    return f", corrected {last.finished_at.strftime('%Y-%m-%d %H:%M')} ({last.kind})"


def _span(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return (
        f"{minutes // 60} hours" if minutes % 60 == 0 and minutes >= 120 else f"{minutes} minutes"
    )
