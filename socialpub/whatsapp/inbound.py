"""What a citizen's message does: "Start" subscribes, "Stop" unsubscribes, anything else gets
the one-way notice (at most once per sender per 24 h).

All messages of one webhook POST are handled in one transaction, together with the record
that their ids were handled (Meta resends; each id takes effect once). The replies are
returned, to be sent after the commit: a reply that fails is not worth undoing a Stop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpub.content.whatsappserver import ServerSettings
from socialpub.content.whatsappservercheck import normalise
from socialpub.whatsapp.events import InboundMessage

NOTICE_EVERY = timedelta(hours=24)
KEEP_EVENTS = timedelta(days=7)
#: pruning scans the tables: once in a while is enough
PRUNE_EVERY = timedelta(minutes=10)
#: messages that are no one speaking to the county: no notice for them
_SILENT_TYPES = frozenset({"system", "reaction"})


@dataclass(frozen=True)
class Reply:
    """A free-form answer to send inside the sender's 24 h window."""

    to: str
    body: str
    kind: str  # "welcome" | "goodbye" | "notice"


class Inbound:
    """The rules for citizens' messages, on one store connection."""

    def __init__(self, connection: sqlite3.Connection, settings: ServerSettings) -> None:
        self.connection = connection
        self.replies = settings.replies
        self.phone = settings.contact_phone
        self.start_words = frozenset(normalise(word) for word in settings.start_words)
        self.stop_words = frozenset(normalise(word) for word in settings.stop_words)
        self.salt = notice_salt(connection)
        self.pruned_at: datetime | None = None

    def handle(self, messages: Iterable[InboundMessage], now: datetime) -> list[Reply]:
        """Apply the messages in one transaction; the replies to send once it committed."""
        replies: list[Reply] = []
        stamp = now.isoformat()
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            for message in messages:
                seen = db.execute(
                    "INSERT OR IGNORE INTO events (event_id, received_at) VALUES (?, ?)",
                    (message.id, stamp),
                )
                if seen.rowcount == 0:
                    continue  # Meta resent it: it took effect the first time
                reply = self._apply(message, now)
                if reply is not None:
                    replies.append(reply)
            self._prune(now)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return replies

    def _apply(self, message: InboundMessage, now: datetime) -> Reply | None:
        word = normalise(message.text) if message.text is not None else None
        if word in self.start_words:
            self._subscribe(message, now)
            return Reply(message.wa_id, self._fill(self.replies.welcome), "welcome")
        if word in self.stop_words:
            unsubscribe(self.connection, message.wa_id)
            return Reply(message.wa_id, self._fill(self.replies.goodbye), "goodbye")
        if message.type in _SILENT_TYPES:
            return None
        self.connection.execute(
            "UPDATE subscribers SET last_inbound_at = ? WHERE wa_id = ?",
            (now.isoformat(), message.wa_id),
        )
        if not self._notice_due(message.wa_id, now):
            return None
        return Reply(message.wa_id, self._fill(self.replies.notice), "notice")

    def _fill(self, text: str) -> str:
        return text.format(phone=self.phone)  # checked by validate: {phone} is the only field

    def _subscribe(self, message: InboundMessage, now: datetime) -> None:
        """A new subscriber, or a returning one: an active subscriber keeps the consent it
        gave first; one taken off the list (131050 …) gives it anew and is active again."""
        stamp = now.isoformat()
        self.connection.execute(
            """INSERT INTO subscribers (wa_id, opted_in_at, consent_message_id, last_inbound_at)
               VALUES (?, ?, ?, ?)
               ON CONFLICT (wa_id) DO UPDATE SET
                 last_inbound_at = excluded.last_inbound_at,
                 opted_in_at = CASE WHEN active THEN opted_in_at ELSE excluded.opted_in_at END,
                 consent_message_id = CASE WHEN active THEN consent_message_id
                                      ELSE excluded.consent_message_id END,
                 active = 1, inactive_reason = NULL, inactive_since = NULL, undeliverable = 0""",
            (message.wa_id, stamp, message.id, stamp),
        )

    def _notice_due(self, wa_id: str, now: datetime) -> bool:
        """Whether the sender gets the notice now; records it when so."""
        key = sender_hash(self.salt, wa_id)
        row = self.connection.execute(
            "SELECT sent_at FROM notices WHERE sender_hash = ?", (key,)
        ).fetchone()
        if row is not None and datetime.fromisoformat(row[0]) > now - NOTICE_EVERY:
            return False
        self.connection.execute(
            "INSERT OR REPLACE INTO notices (sender_hash, sent_at) VALUES (?, ?)",
            (key, now.isoformat()),
        )
        return True

    def _prune(self, now: datetime) -> None:
        if self.pruned_at is not None and now - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = now
        self.connection.execute(
            "DELETE FROM events WHERE received_at < ?", ((now - KEEP_EVENTS).isoformat(),)
        )
        self.connection.execute(
            "DELETE FROM notices WHERE sent_at < ?", ((now - NOTICE_EVERY).isoformat(),)
        )


def unsubscribe(connection: sqlite3.Connection, wa_id: str) -> int:
    """Forget a subscriber and the broadcasts still queued for them (inside the caller's
    transaction); the number of queued recipient rows removed."""
    removed = connection.execute(
        "DELETE FROM recipients WHERE wa_id = ? AND state = 'pending'", (wa_id,)
    ).rowcount
    connection.execute("DELETE FROM subscribers WHERE wa_id = ?", (wa_id,))
    return removed


def notice_salt(connection: sqlite3.Connection) -> bytes:
    """The store's random key for the notices' hashes, made on first use."""
    connection.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('notice_salt', ?)",
        (secrets.token_hex(32),),
    )
    (value,) = connection.execute("SELECT value FROM meta WHERE key = 'notice_salt'").fetchone()
    return bytes.fromhex(value)


def sender_hash(salt: bytes, wa_id: str) -> str:
    """A sender's key in `notices`: a keyed hash, never the number."""
    return hmac.new(salt, wa_id.encode(), hashlib.sha256).hexdigest()
