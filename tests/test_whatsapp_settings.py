"""The `server:` block: what `validate` says about it, and what `read_server` builds."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from socialpub.content.config import load_config
from socialpub.content.whatsappserver import read_server
from socialpub.errors import ConfigError
from tests.whatsapp_inbound_helpers import PHONE_NUMBER_ID, SERVER_CONFIG


def config_with(
    tmp_path: Path, extra: str = "", store: str = "/var/lib/socialpub/wa.sqlite3"
) -> Path:
    text = SERVER_CONFIG.format(phone_number_id=PHONE_NUMBER_ID, store=store)
    path = tmp_path / "repo" / "socialpub.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + textwrap.indent(textwrap.dedent(extra), " " * 6), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int, str, str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [(p.line, p.code, p.field, p.message) for p in caught.value.problems]


def test_a_full_block_is_read_with_its_values(tmp_path: Path) -> None:
    path = config_with(
        tmp_path,
        """\
        graph_base: http://127.0.0.1:9999/v23.0/
        rate: 1000
        daily_limit: 250000
        free_text_in_window: true
        words: {start: [Los], stop: [Ende, Tschüss]}
        replies: {notice: "Bitte rufen Sie an: {phone}"}
        confirm_within: 90s
        """,
    )
    server = read_server(load_config(path).channels["whatsapp"], {})
    assert (
        server.phone_number_id == PHONE_NUMBER_ID and server.app_secret.env == "WHATSAPP_APP_SECRET"
    )
    assert server.store == Path("/var/lib/socialpub/wa.sqlite3")
    assert (server.graph_base, server.rate, server.daily_limit) == (
        "http://127.0.0.1:9999/v23.0",
        1000.0,
        250000,
    )
    assert server.free_text_in_window and server.confirm_within == timedelta(seconds=90)
    assert (server.start_words, server.stop_words) == (("Los",), ("Ende", "Tschüss"))
    assert server.replies.notice == "Bitte rufen Sie an: {phone}"
    assert server.replies.welcome.startswith("Willkommen")  # the default stays


def test_the_default_store_is_in_the_private_state_folder(tmp_path: Path) -> None:
    text = (
        config_with(tmp_path)
        .read_text()
        .replace("      store: /var/lib/socialpub/wa.sqlite3\n", "")
    )
    path = tmp_path / "repo" / "socialpub.yaml"
    path.write_text(text)
    channel = load_config(path).channels["whatsapp"]
    xdg = read_server(channel, {"XDG_STATE_HOME": "/srv/state", "HOME": "/home/k"})
    assert xdg.store == Path("/srv/state/socialpub/whatsapp-whatsapp.sqlite3")
    home = read_server(channel, {"HOME": "/home/k"})
    assert home.store == Path("/home/k/.local/state/socialpub/whatsapp-whatsapp.sqlite3")
    with pytest.raises(ConfigError, match="inside the repository"):
        read_server(channel, {"XDG_STATE_HOME": str(path.parent / "state")}, root=path.parent)


def test_every_problem_names_line_field_and_fix(tmp_path: Path) -> None:
    path = config_with(
        tmp_path,
        """\
        rat: 80
        rate: 0
        daily_limit: 0.5
        graph_base: graph.facebook.com
        confirm_within: soon
        words: {start: [start], stop: [Start], go: [x]}
        replies: {notice: "Rufen Sie {telefon} an", hello: hi}
        """,
    )
    text = path.read_text().replace("app_secret: ${WHATSAPP_APP_SECRET}", "app_secret: 0123abcd")
    path.write_text(text)
    found = problems_of(path)
    where = "channels.whatsapp.server"
    codes = {(field, code) for _, code, field, _ in found}
    assert (f"{where}.rat", "SP502") in codes
    assert (f"{where}.app_secret", "SP504") in codes
    for key in (
        "rate",
        "daily_limit",
        "graph_base",
        "confirm_within",
        "words.stop",
        "replies.notice",
    ):
        assert (f"{where}.{key}", "SP506") in codes, key
    assert (f"{where}.words.go", "SP502") in codes and (f"{where}.replies.hello", "SP502") in codes
    lines = {field: line for line, _, field, _ in found}
    assert lines[f"{where}.app_secret"] == 12 and lines[f"{where}.rat"] == 16
    assert "0123abcd" not in str(found)
    assert any("did you mean 'rate'" in h for h in _hints(path))


def _hints(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [p.hint for p in caught.value.problems]


def test_a_store_inside_the_repository_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "repo" / "data" / "wa.sqlite3"
    found = problems_of(config_with(tmp_path, store=str(store)))
    assert [(code, field) for _, code, field, _ in found] == [
        ("SP506", "channels.whatsapp.server.store")
    ]
    assert "never go near git" in found[0][3]
    relative = problems_of(config_with(tmp_path, store="wa.sqlite3"))
    assert "absolute path" in relative[0][3]


def test_missing_keys_and_contact_phone_for_the_notice(tmp_path: Path) -> None:
    path = config_with(tmp_path)
    text = path.read_text().replace('      waba_id: "200000000000002"\n', "")
    path.write_text(text.replace('      contact_phone: "+49 3621 123-0"\n', ""))
    fields = {(code, field) for _, code, field, _ in problems_of(path)}
    assert fields == {
        ("SP503", "channels.whatsapp.server.waba_id"),
        ("SP503", "channels.whatsapp.server.contact_phone"),
    }
