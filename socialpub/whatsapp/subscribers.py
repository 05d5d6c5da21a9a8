"""The subscriber list for the people who run the server: count, export one number (DSGVO
Art. 15), delete one (Art. 17), import consents given elsewhere, back the store up."""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.errors import InputError
from socialpub.i18n import _
from socialpub.whatsapp.inbound import notice_salt, sender_hash, unsubscribe
from socialpub.whatsapp.numbers import BadNumber, mask, parse_number

IMPORT_COLUMNS = ("number", "consent_at", "consent_ref", "lang")


@dataclass(frozen=True)
class Counts:
    active: int
    inactive: int  # taken off the list by WhatsApp's answers (131050, undeliverable …)


@dataclass(frozen=True)
class Removed:
    subscriber: bool
    recipients: int  # rows of broadcasts sent or queued to the number
    notice: bool  # the record that the number got the one-way notice


@dataclass(frozen=True)
class Consent:
    wa_id: str
    consent_at: datetime
    ref: str  # "import:<consent_ref or file:line>"
    lang: str


def count(connection: sqlite3.Connection) -> Counts:
    active, inactive = connection.execute(
        "SELECT COALESCE(SUM(active = 1), 0), COALESCE(SUM(active = 0), 0) FROM subscribers"
    ).fetchone()
    return Counts(int(active), int(inactive))


def export(connection: sqlite3.Connection, wa_id: str) -> dict[str, Any]:
    """Everything the store holds about one number; {} for the subscriber when unknown."""
    connection.row_factory = sqlite3.Row
    try:
        row = connection.execute("SELECT * FROM subscribers WHERE wa_id = ?", (wa_id,)).fetchone()
        recipients = connection.execute(
            """SELECT broadcast, state, wamid, error_code, error_reason, sending_at, sent_at,
                      updated_at FROM recipients WHERE wa_id = ? ORDER BY broadcast""",
            (wa_id,),
        ).fetchall()
        notice = connection.execute(
            "SELECT sent_at FROM notices WHERE sender_hash = ?",
            (sender_hash(notice_salt(connection), wa_id),),
        ).fetchone()
    finally:
        connection.row_factory = None
    return {
        "wa_id": wa_id,
        "subscriber": dict(row) if row is not None else None,
        "broadcasts": [dict(r) for r in recipients],
        "notice_sent_at": notice["sent_at"] if notice is not None else None,
    }


def delete(connection: sqlite3.Connection, wa_id: str) -> Removed:
    """Erase a number: its subscriber row, every recipient row, its notice record."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        subscriber = connection.execute(
            "SELECT 1 FROM subscribers WHERE wa_id = ?", (wa_id,)
        ).fetchone()
        queued = unsubscribe(connection, wa_id)
        others = connection.execute("DELETE FROM recipients WHERE wa_id = ?", (wa_id,)).rowcount
        notice = connection.execute(
            "DELETE FROM notices WHERE sender_hash = ?",
            (sender_hash(notice_salt(connection), wa_id),),
        ).rowcount
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    removed = Removed(subscriber is not None, queued + others, notice > 0)
    if not (removed.subscriber or removed.recipients or removed.notice):
        raise InputError(
            _("{mask} is not in the store: nothing to delete").format(mask=mask(wa_id)),
            hint=_(
                "check the number; `socialpub whatsapp subscribers export NUMBER` shows "
                "what is held about it"
            ),
        )
    return removed


def read_consents(path: Path) -> list[Consent]:
    """The rows of an import CSV, all checked first: InputError listing every bad row
    (`file:line: field: problem`) when any is bad."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(_("cannot read {path}: {error}").format(path=path, error=error)) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in IMPORT_COLUMNS[:2] if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(
            _("{path}:1: the header has no {missing} column").format(
                path=path, missing=" and no ".join(missing)
            ),
            hint=_("the first line names the columns: number,consent_at[,consent_ref,lang]"),
        )
    consents: list[Consent] = []
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        consent = _consent(path, line, row, problems)
        if consent is not None:
            consents.append(consent)
    if problems:
        raise InputError(
            _("{path}: {count} bad row(s), nothing imported:\n").format(
                path=path, count=len(problems)
            )
            + "\n".join(problems),
            hint=_("fix the rows and import again"),
        )
    return consents


def _consent(path: Path, line: int, row: dict[str, str], problems: list[str]) -> Consent | None:
    where = f"{path}:{line}"
    try:
        wa_id = parse_number(row.get("number") or "")
    except BadNumber as error:
        problems.append(f"{where}: number: {error.message} ({error.hint})")
        wa_id = ""
    consent_at = _moment(row.get("consent_at") or "")
    if consent_at is None:
        problems.append(
            f"{where}: consent_at: missing or not a date-time with offset "
            "(write it like 2026-03-01T10:00:00+01:00)"
        )
    if not wa_id or consent_at is None:
        return None
    ref = (row.get("consent_ref") or "").strip() or f"{path.name}:{line}"
    return Consent(wa_id, consent_at, f"import:{ref}", (row.get("lang") or "de").strip())


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def import_consents(connection: sqlite3.Connection, consents: list[Consent]) -> int:
    """Add the consents in one transaction; existing subscribers keep theirs (the earlier
    consent wins). The number of subscribers added."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        added = 0
        for consent in consents:
            added += connection.execute(
                """INSERT OR IGNORE INTO subscribers (wa_id, opted_in_at, consent_message_id, lang)
                   VALUES (?, ?, ?, ?)""",
                (consent.wa_id, consent.consent_at.isoformat(), consent.ref, consent.lang),
            ).rowcount
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return added


def backup(connection: sqlite3.Connection, target: Path, *, force: bool = False) -> None:
    """SQLite's online backup of the store into `target`, made owner-only (0600)."""
    if target.exists() and not force:
        raise InputError(
            _("{target} exists").format(target=target), hint=_("pass --force to overwrite it")
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    copy = sqlite3.connect(target)
    try:
        connection.backup(copy)
    finally:
        copy.close()
    target.chmod(0o600)
