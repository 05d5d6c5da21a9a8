"""The tables of the subscriber store. One place, so every part of the service agrees.

A phone number appears only as `wa_id` (WhatsApp's id: the number's digits, no "+"), and only
in `subscribers` and `recipients`. Times are ISO 8601 with offset (UTC). `SCHEMA_VERSION` is
kept in `PRAGMA user_version`; a store of another version is refused, never rewritten blind.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

#: statements run once on a new store, in order
SCHEMA: tuple[str, ...] = (
    # Who receives broadcasts. `consent_message_id` is the id of the "Start" message (or
    # "import:<row>" for an imported consent): the proof of opt-in. `active` 0 with a
    # `inactive_reason` (e.g. "131050 stopped marketing messages") takes a number off the list
    # without forgetting why; "Stop" deletes the row at once.
    """CREATE TABLE subscribers (
        wa_id TEXT PRIMARY KEY,
        opted_in_at TEXT NOT NULL,
        consent_message_id TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT 'de',
        last_inbound_at TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        inactive_reason TEXT,
        inactive_since TEXT,
        undeliverable INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    # Inbound events already handled (Meta resends): message ids only, pruned after 7 days.
    """CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        received_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    # When a non-subscriber last got the one-way notice: a keyed hash of the number, never
    # the number itself, pruned after 24 hours.
    """CREATE TABLE notices (
        sender_hash TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL
    ) WITHOUT ROWID""",
    # One row per delivery key the publishing engine handed over. `request` is the JSON body
    # of the PUT (as canonical JSON), `digest` its SHA-256: a second PUT with the same key and
    # body changes nothing; another body is refused. state: queued | sending | waiting (daily
    # limit reached) | stopped (190/368: needs a person) | done.
    """CREATE TABLE broadcasts (
        key TEXT PRIMARY KEY,
        post TEXT NOT NULL,
        channel TEXT NOT NULL,
        request TEXT NOT NULL,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        stopped_reason TEXT,
        next_window TEXT,
        recipients INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID""",
    # One row per broadcast × subscriber, made from the active subscribers when the PUT
    # arrives. state: pending → sending (written before the request) → sent (with wamid) →
    # delivered / read, or failed (error_code, error_reason). A row left in `sending` after a
    # crash is never resent: a status webhook confirms it, else it is reported unconfirmed.
    # `not_before`: a 131056 (pair rate) puts the row back to pending until then.
    # `free_text` 1: sent as plain text inside the subscriber's 24 h window, which is free and
    # does not count against the daily limit (the tier counts business-initiated templates).
    """CREATE TABLE recipients (
        broadcast TEXT NOT NULL,
        wa_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        wamid TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_code INTEGER,
        error_reason TEXT,
        sending_at TEXT,
        sent_at TEXT,
        updated_at TEXT,
        not_before TEXT,
        free_text INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (broadcast, wa_id)
    ) WITHOUT ROWID""",
    # Values the service keeps about itself: `notice_salt`, the random key of the notices'
    # hashes (so a copy of the store's notices cannot be matched against a list of numbers).
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX recipients_by_state ON recipients (broadcast, state)",
    "CREATE INDEX recipients_by_sent_at ON recipients (sent_at) WHERE sent_at IS NOT NULL",
    "CREATE INDEX recipients_by_wamid ON recipients (wamid) WHERE wamid IS NOT NULL",
    # The rows in flight, for the daily limit (they may have gone out) and unconfirmed counts.
    "CREATE INDEX recipients_in_flight ON recipients (sending_at) WHERE state = 'sending'",
)
