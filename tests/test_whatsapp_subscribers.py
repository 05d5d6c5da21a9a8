"""`socialpub whatsapp subscribers …` and `whatsapp backup` through the CLI, on a temp store."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.whatsapp.events import InboundMessage
from socialpub.whatsapp.inbound import Inbound
from socialpub.whatsapp.store import open_store
from tests.whatsapp_inbound_helpers import PHONE_NUMBER_ID, SERVER_CONFIG, settings

runner = CliRunner()
ANNA = "4915123456767"
BEN = "4917099887766"
T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def server(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a whatsapp channel, and its store outside it (Anna, Ben subscribed)."""
    store = tmp_path / "state" / "wa.sqlite3"
    config = tmp_path / "repo" / "socialpub.yaml"
    config.parent.mkdir()
    config.write_text(SERVER_CONFIG.format(phone_number_id=PHONE_NUMBER_ID, store=store))
    db = open_store(store)
    inbound = Inbound(db, settings(store))
    inbound.handle(
        [
            InboundMessage(f"wamid.{n}", who, T0, "text", "start")
            for n, who in enumerate((ANNA, BEN))
        ],
        T0,
    )
    db.executemany(
        "INSERT INTO recipients (broadcast, wa_id, state, sent_at) VALUES (?, ?, ?, ?)",
        [("k1", ANNA, "delivered", T0.isoformat()), ("k2", ANNA, "pending", None)],
    )
    db.close()
    return config, store


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["whatsapp", *args])
    return result.exit_code, result.stdout + result.stderr


def test_count(server: tuple[Path, Path]) -> None:
    config, _ = server
    assert run("subscribers", "count", "--config", str(config)) == (
        0,
        "2 subscribers (0 inactive)\n",
    )
    code, out = run("subscribers", "count", "--config", str(config), "--json")
    assert code == 0 and json.loads(out) == {"active": 2, "inactive": 0}


def test_export_gives_everything_held_about_one_number(server: tuple[Path, Path]) -> None:
    config, _ = server
    code, out = run("subscribers", "export", "+49 151 2345 6767", "--config", str(config), "--json")
    held = json.loads(out)
    assert code == 0 and held["wa_id"] == ANNA
    assert held["subscriber"]["consent_message_id"] == "wamid.0"
    assert [(r["broadcast"], r["state"]) for r in held["broadcasts"]] == [
        ("k1", "delivered"),
        ("k2", "pending"),
    ]
    code, text = run("subscribers", "export", "0049 151 23456767", "--config", str(config))
    assert code == 0 and "number: +4915123456767" in text and "consent_message_id: wamid.0" in text


def test_delete_erases_the_number_and_says_what_went(server: tuple[Path, Path]) -> None:
    config, store = server
    code, out = run("subscribers", "delete", "+49 151 23456767", "--config", str(config))
    assert code == 0
    assert "+49 151 •••••67: deleted the subscriber, 2 broadcast row(s)" in out
    assert ANNA not in out and "cannot take back" in out
    dump = "\n".join(sqlite3.connect(store).iterdump())
    assert ANNA not in dump and BEN in dump
    code, out = run("subscribers", "delete", "+49 151 23456767", "--config", str(config))
    assert code == 3 and "+49 151 •••••67 is not in the store" in out
    code, out = run("subscribers", "delete", "0151 23456767", "--config", str(config))
    assert code == 3 and "country code" in out


def test_import_checks_every_row_before_it_adds_any(
    server: tuple[Path, Path], tmp_path: Path
) -> None:
    config, store = server
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "number,consent_at,consent_ref\n"
        "+49 160 1111111,2026-03-01T10:00:00+01:00,Formular 7\n"
        "0160 2222222,2026-03-01T10:00:00+01:00,\n"
        "+49 160 3333333,,\n"
    )
    code, out = run("subscribers", "import", str(bad), "--config", str(config))
    assert code == 3
    assert f"{bad}:3: number:" in out and f"{bad}:4: consent_at:" in out
    assert sqlite3.connect(store).execute("SELECT COUNT(*) FROM subscribers").fetchone() == (2,)
    good = tmp_path / "good.csv"
    good.write_text(
        "number,consent_at,consent_ref,lang\n"
        "+49 160 1111111,2026-03-01T10:00:00+01:00,Formular 7,de\n"
        "+49 151 23456767,2026-03-01T10:00:00+01:00,,\n"
        "+49 160 3333333,2026-03-02T10:00:00+01:00,,en\n"
    )
    code, out = run("subscribers", "import", str(good), "--config", str(config))
    assert (code, out) == (0, "imported 2 of 3 (the others were subscribed already)\n")
    rows = dict(sqlite3.connect(store).execute("SELECT wa_id, consent_message_id FROM subscribers"))
    assert rows["491601111111"] == "import:Formular 7"
    assert rows["491603333333"] == "import:good.csv:4"
    assert rows[ANNA] == "wamid.0"  # the earlier consent wins


def test_backup_copies_the_store_owner_only(server: tuple[Path, Path], tmp_path: Path) -> None:
    config, _ = server
    target = tmp_path / "backups" / "wa.sqlite3"
    assert run("backup", str(target), "--config", str(config))[0] == 0
    assert target.stat().st_mode & 0o777 == 0o600
    copied = sqlite3.connect(target).execute("SELECT wa_id FROM subscribers ORDER BY 1")
    assert [r[0] for r in copied] == [ANNA, BEN]
    code, out = run("backup", str(target), "--config", str(config))
    assert code == 3 and "--force" in out
    assert run("backup", str(target), "--force", "--config", str(config))[0] == 0
    code, out = run("backup", str(config.parent / "wa.sqlite3"), "--config", str(config))
    assert code == 3 and "inside the repository" in out


def test_validate_reports_a_bad_server_block(server: tuple[Path, Path]) -> None:
    config, _ = server
    config.write_text(config.read_text().replace("contact_phone:", "contact_fone:"))
    result = runner.invoke(app, ["validate", "--config", str(config)])
    assert result.exit_code == 3
    assert "socialpub.yaml:15" in result.stdout and "contact_fone" in result.stdout
