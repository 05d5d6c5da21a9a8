"""Open the subscriber store: SQLite in WAL mode, mode 0600, schema checked."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from socialpub.errors import ConfigError
from socialpub.i18n import _
from socialpub.whatsapp.schema import SCHEMA, SCHEMA_VERSION


def open_store(path: Path) -> sqlite3.Connection:
    """A connection to the store at `path`, made (owner-only) when it does not exist yet.

    `isolation_level=None`: transactions are explicit (`BEGIN IMMEDIATE` … `COMMIT`), so a
    write-ahead record is on disk before the request it announces."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Create it owner-only before SQLite writes a byte: numbers never sit in a 0644 file.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # durable at each checkpoint in WAL
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("PRAGMA foreign_keys=ON")
        _migrate(connection, path)
    except sqlite3.DatabaseError as error:
        raise ConfigError(
            _("{path}: not a subscriber store ({error})").format(path=path, error=error),
            hint=_("point the whatsapp server's `store` setting at a new file or a backup"),
        ) from None
    return connection


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    if version != 0:
        raise ConfigError(
            _(
                "{path}: subscriber store of version {version}, this socialpub reads "
                "{schema_version}"
            ).format(path=path, version=version, schema_version=SCHEMA_VERSION),
            hint=_("run the socialpub version that made it, or restore a matching backup"),
        )
    connection.execute("BEGIN IMMEDIATE")
    for statement in SCHEMA:
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    connection.execute("COMMIT")
    # The WAL and shared-memory files hold numbers too: owner-only like the store.
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.chmod(0o600)
