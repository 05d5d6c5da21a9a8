"""Broadcasts in the store: made from a PUT (idempotent by key), their progress, which are
unfinished. Counting happens in SQL: a broadcast to 100,000 subscribers is never a list here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from socialpub.i18n import _

#: a delivery key travels in `biz_opaque_callback_data` (at most 512 characters, Meta's
#: OpenAPI description); the engine's keys are far shorter
KEY = re.compile(r"[A-Za-z0-9._:~-]{1,200}")
#: a template parameter may not hold a newline, a tab or more than four spaces in a row
#: (Meta: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")
#: a template body holds at most 1024 characters with its parameters filled in (132005)
PARAMETER_MAX = 1024
TEXT_MAX = 4096  # a free-form text message's body (Meta's OpenAPI description)
#: broadcast states the fan-out still works on
UNFINISHED = ("queued", "sending", "waiting")


class Invalid(ValueError):
    """A PUT body that is not a broadcast; the message names the field."""


class Conflict(Exception):
    """The key is taken by a broadcast with another body."""


def iso(moment: datetime) -> str:
    """The one time format of the store: UTC, microseconds, offset; sorts as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class BroadcastRequest:
    """The body of `PUT /broadcasts/{key}`."""

    post: str
    channel: str
    template: str
    language: str
    parameters: tuple[str, ...]
    text: str

    def canonical(self) -> str:
        body = {
            "post": self.post,
            "channel": self.channel,
            "template": {
                "name": self.template,
                "language": self.language,
                "parameters": list(self.parameters),
            },
            "text": self.text,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_canonical(cls, text: str) -> BroadcastRequest:
        return parse_request(json.loads(text))


def parse_request(body: object) -> BroadcastRequest:
    """A PUT body, checked field by field (Invalid names the first bad one)."""
    if not isinstance(body, dict):
        raise Invalid(_("the body must be a JSON object"))
    template = body.get("template")
    if not isinstance(template, dict):
        raise Invalid(_("template: an object {name, language, parameters} is needed"))
    parameters = template.get("parameters", [])
    if not isinstance(parameters, list) or not all(isinstance(p, str) for p in parameters):
        raise Invalid(_("template.parameters: a list of texts is needed"))
    request = BroadcastRequest(
        post=_text(body, "post"),
        channel=_text(body, "channel"),
        template=_text(template, "name", "template."),
        language=_text(template, "language", "template."),
        parameters=tuple(parameters),
        text=_text(body, "text"),
    )
    check_parameters(request.parameters)
    if len(request.text) > TEXT_MAX:
        raise Invalid(
            _("text: {count} characters, WhatsApp takes at most {text_max}").format(
                count=len(request.text), text_max=TEXT_MAX
            )
        )
    return request


def check_parameters(parameters: tuple[str, ...], expected: int | None = None) -> None:
    """WhatsApp's rules for template body parameters; `expected`: the account's count."""
    if expected is not None and len(parameters) != expected:
        raise Invalid(
            _("template.parameters: {count} given, the template has {expected}").format(
                count=len(parameters), expected=expected
            )
        )
    for number, value in enumerate(parameters, start=1):
        where = f"template.parameters[{number}]"
        if not value.strip():
            raise Invalid(
                _("{where}: empty (WhatsApp refuses an empty parameter)").format(where=where)
            )
        if BAD_PARAMETER.search(value):
            raise Invalid(
                _("{where}: no newline, tab or more than four spaces in a row").format(where=where)
            )
        if len(value) > PARAMETER_MAX:
            raise Invalid(
                _("{where}: {count} characters, at most {parameter_max}").format(
                    where=where, count=len(value), parameter_max=PARAMETER_MAX
                )
            )


def _text(data: Mapping[str, Any], name: str, prefix: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(
            _("{prefix}{name}: a non-empty text is needed").format(prefix=prefix, name=name)
        )
    return value


def digest(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def create(conn: sqlite3.Connection, key: str, request: BroadcastRequest, now: datetime) -> bool:
    """Make the broadcast and snapshot its recipients from the active subscribers, in one
    transaction. True when it is new; False when the same body was sent before (nothing
    changes). Conflict when the key holds another body."""
    canonical = request.canonical()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT digest FROM broadcasts WHERE key = ?", (key,)).fetchone()
        if row is not None:
            conn.execute("ROLLBACK")
            if row[0] != digest(canonical):
                raise Conflict(key)
            return False
        conn.execute(
            "INSERT INTO broadcasts (key, post, channel, request, digest, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (key, request.post, request.channel, canonical, digest(canonical), iso(now)),
        )
        # The snapshot stays in SQL: 100,000 numbers never pass through Python.
        copied = conn.execute(
            "INSERT INTO recipients (broadcast, wa_id, updated_at)"
            " SELECT ?, wa_id, ? FROM subscribers WHERE active = 1",
            (key, iso(now)),
        ).rowcount
        conn.execute("UPDATE broadcasts SET recipients = ? WHERE key = ?", (copied, key))
        conn.execute("COMMIT")
    except Conflict:
        raise
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


@dataclass(frozen=True)
class Progress:
    key: str
    post: str
    channel: str
    state: str
    recipients: int
    pending: int
    sending: int
    sent: int
    delivered: int
    read: int
    unconfirmed: int
    next_window: str | None
    stopped_reason: str | None
    created_at: str
    failed: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "post": self.post,
            "channel": self.channel,
            "state": self.state,
            "recipients": self.recipients,
            "pending": self.pending,
            "sending": self.sending,
            "sent": self.sent,
            "delivered": self.delivered,
            "read": self.read,
            "failed": dict(self.failed),
            "unconfirmed": self.unconfirmed,
            "next_window": self.next_window,
            "stopped_reason": self.stopped_reason,
            "created_at": self.created_at,
        }


def progress(
    conn: sqlite3.Connection, key: str, now: datetime, confirm_within: timedelta
) -> Progress | None:
    """Where a broadcast stands; None for an unknown key."""
    row = conn.execute(
        "SELECT post, channel, state, recipients, next_window, stopped_reason, created_at"
        " FROM broadcasts WHERE key = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    post, channel, state, recipients, next_window, stopped_reason, created_at = row
    counts = dict(
        conn.execute(
            "SELECT state, count(*) FROM recipients WHERE broadcast = ? GROUP BY state", (key,)
        ).fetchall()
    )
    failed = {
        str(code if code is not None else "unsubscribed"): count
        for code, count in conn.execute(
            "SELECT error_code, count(*) FROM recipients INDEXED BY recipients_by_state"
            " WHERE broadcast = ? AND state = 'failed' GROUP BY error_code ORDER BY error_code",
            (key,),
        )
    }
    (unconfirmed,) = conn.execute(
        "SELECT count(*) FROM recipients INDEXED BY recipients_in_flight"
        " WHERE broadcast = ? AND state = 'sending' AND sending_at < ?",
        (key, iso(now - confirm_within)),
    ).fetchone()
    pending, sending = counts.get("pending", 0), counts.get("sending", 0)
    read = counts.get("read", 0)
    delivered = counts.get("delivered", 0) + read
    if state == "done" and sending > unconfirmed:
        state = "sending"  # answers still due for rows in flight
    return Progress(
        key=key,
        post=post,
        channel=channel,
        state=state,
        recipients=recipients,
        pending=pending,
        sending=sending,
        sent=counts.get("sent", 0) + delivered,
        delivered=delivered,
        read=read,
        failed=failed,
        unconfirmed=unconfirmed,
        next_window=next_window,
        stopped_reason=stopped_reason,
        created_at=created_at,
    )


def unfinished(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(key, state) of every broadcast the fan-out still has to work on, oldest first."""
    return [
        (key, state)
        for key, state in conn.execute(
            "SELECT key, state FROM broadcasts WHERE state IN ('queued', 'sending', 'waiting')"
            " ORDER BY created_at, key"
        )
    ]


def resume_stopped(conn: sqlite3.Connection) -> None:
    conn.execute(
        "UPDATE broadcasts SET state = 'queued', stopped_reason = NULL WHERE state = 'stopped'"
    )


def request_of(conn: sqlite3.Connection, key: str) -> BroadcastRequest:
    (text,) = conn.execute("SELECT request FROM broadcasts WHERE key = ?", (key,)).fetchone()
    return BroadcastRequest.from_canonical(text)


def set_state(
    conn: sqlite3.Connection,
    key: str,
    state: str,
    *,
    next_window: datetime | None = None,
    reason: str | None = None,
) -> bool:
    """Move a broadcast to `state`; True when that changed something (for the log line)."""
    window = iso(next_window) if next_window else None
    changed = conn.execute(
        "UPDATE broadcasts SET state = ?, next_window = ?, stopped_reason = ?"
        " WHERE key = ? AND (state != ? OR next_window IS NOT ? OR stopped_reason IS NOT ?)",
        (state, window, reason, key, state, window, reason),
    ).rowcount
    return changed > 0


def audience(conn: sqlite3.Connection) -> int:
    (count,) = conn.execute("SELECT count(*) FROM subscribers WHERE active = 1").fetchone()
    return int(count)
