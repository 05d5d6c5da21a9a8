"""Numbers, keywords and the rules for citizens' messages, on a real store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpub.content.whatsappservercheck import normalise
from socialpub.whatsapp.events import InboundMessage
from socialpub.whatsapp.inbound import Inbound
from socialpub.whatsapp.numbers import BadNumber, mask, parse_number
from socialpub.whatsapp.store import open_store
from tests.whatsapp_inbound_helpers import settings

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
ANNA = "4915123456767"


# --- numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["+49 151 2345 6767", "0049 151 23456767", "+49 (0)151 2345-6767", "+49/151/234.567.67"],
)
def test_typed_numbers_become_the_wa_id(typed: str) -> None:
    assert parse_number(typed) == ANNA


@pytest.mark.parametrize("typed", ["0151 23456767", "15123456767"])
def test_a_number_without_country_code_is_refused_with_how_to_write_it(typed: str) -> None:
    with pytest.raises(BadNumber) as caught:
        parse_number(typed)
    assert "country code" in caught.value.message and "+49" in str(caught.value.hint)
    assert "23456767" not in str(caught.value)  # the message never repeats the number


@pytest.mark.parametrize("typed", ["+49 151 abc", "+0 151 2345678", "+49 15", "+" + "1" * 16])
def test_what_is_no_number_is_refused(typed: str) -> None:
    with pytest.raises(BadNumber):
        parse_number(typed)


def test_mask_shows_country_code_three_digits_and_the_last_two() -> None:
    assert mask(ANNA) == "+49 151 •••••67"
    assert mask("14155550123") == "+1 415 •••••23"
    assert mask("380501234567") == "+380 501 •••••67"  # a three-digit code
    assert mask("not-a-number") == "+•••••"


@given(st.text(alphabet="0123456789", min_size=7, max_size=12), st.sampled_from(["49", "1", "380"]))
def test_parse_then_mask_never_shows_the_middle(rest: str, code: str) -> None:
    wa_id = parse_number(f"+{code} {rest[:3]} {rest[3:]}")
    assert wa_id == code + rest
    # nothing of the middle, not even its length
    assert mask(wa_id) == f"+{code} {rest[:3]} •••••{rest[-2:]}"


# --- keywords ---------------------------------------------------------------------------

FILLERS = st.text(alphabet=" \t\n!?.,;:…-👍🙂\u00a0", max_size=6)


@given(
    st.sampled_from(["start", "anmelden", "stopp"]),
    FILLERS,
    FILLERS,
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_a_keyword_in_any_case_between_spaces_and_punctuation_is_the_keyword(
    word: str, before: str, after: str, upper: list[bool]
) -> None:
    cased = "".join(c.upper() if up else c for c, up in zip(word, upper, strict=False))
    assert normalise(before + cased + after) == word


@given(st.sampled_from(["start", "stop"]), st.sampled_from(["bitte", "jetzt", "x"]))
def test_a_keyword_with_another_word_is_not_the_keyword(word: str, other: str) -> None:
    assert normalise(f"{word} {other}") != word
    assert normalise(f"{other} {word}!") != word


# --- the rules ----------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    return open_store(tmp_path / "wa.sqlite3")


def says(wa_id: str, text: str | None, n: int, kind: str = "text") -> InboundMessage:
    return InboundMessage(f"wamid.{n}", wa_id, T0, kind, text)


def subscribers(db: sqlite3.Connection) -> list[tuple[str, str, str | None]]:
    return db.execute(
        "SELECT wa_id, consent_message_id, last_inbound_at FROM subscribers"
    ).fetchall()


def test_start_subscribes_with_the_message_as_consent_and_welcomes(
    store: sqlite3.Connection, tmp_path: Path
) -> None:
    inbound = Inbound(store, settings(tmp_path))
    replies = inbound.handle([says(ANNA, "  Start! ", 1)], T0)
    assert [(r.to, r.kind) for r in replies] == [(ANNA, "welcome")]
    assert "STOP" in replies[0].body
    assert subscribers(store) == [(ANNA, "wamid.1", T0.isoformat())]
    later = T0 + timedelta(hours=1)
    again = inbound.handle([says(ANNA, "ANMELDEN", 2)], later)
    assert [r.kind for r in again] == ["welcome"]
    assert subscribers(store) == [(ANNA, "wamid.1", later.isoformat())]  # first consent kept


def test_stop_removes_the_subscriber_and_their_queued_broadcasts_at_once(
    store: sqlite3.Connection, tmp_path: Path
) -> None:
    inbound = Inbound(store, settings(tmp_path))
    inbound.handle([says(ANNA, "start", 1), says("4917099887766", "start", 2)], T0)
    store.executemany(
        "INSERT INTO recipients (broadcast, wa_id, state) VALUES (?, ?, ?)",
        [("k1", ANNA, "pending"), ("k0", ANNA, "delivered"), ("k1", "4917099887766", "pending")],
    )
    replies = inbound.handle([says(ANNA, "Stopp.", 3)], T0)
    assert [r.kind for r in replies] == ["goodbye"]
    assert [row[0] for row in subscribers(store)] == ["4917099887766"]
    assert store.execute("SELECT broadcast, wa_id FROM recipients ORDER BY 1").fetchall() == [
        ("k0", ANNA),  # already delivered: history, kept until `subscribers delete`
        ("k1", "4917099887766"),
    ]
    # Stop from someone who is not subscribed: a goodbye, nothing else
    assert [r.kind for r in inbound.handle([says("4930111222333", "stop", 4)], T0)] == ["goodbye"]


def test_anything_else_gets_the_notice_once_per_24_hours_keyed_by_a_hash(
    store: sqlite3.Connection, tmp_path: Path
) -> None:
    inbound = Inbound(store, settings(tmp_path))
    first = inbound.handle([says(ANNA, "Start bitte", 1), says(ANNA, "Hallo?", 2)], T0)
    assert [r.kind for r in first] == ["notice"]
    assert "+49 3621 123-0" in first[0].body
    assert inbound.handle([says(ANNA, None, 3, "image")], T0 + timedelta(hours=23)) == []
    assert inbound.handle([says(ANNA, "👍", 4, "reaction")], T0 + timedelta(hours=30)) == []
    assert [r.kind for r in inbound.handle([says(ANNA, "?", 5)], T0 + timedelta(hours=25))] == [
        "notice"
    ]
    dump = "\n".join(store.iterdump())
    assert ANNA not in dump  # neither the number nor its digits are kept for a non-subscriber


def test_each_message_id_takes_effect_once(store: sqlite3.Connection, tmp_path: Path) -> None:
    inbound = Inbound(store, settings(tmp_path))
    assert len(inbound.handle([says(ANNA, "start", 1)], T0)) == 1
    inbound.handle([says(ANNA, "stop", 2)], T0)
    assert inbound.handle([says(ANNA, "start", 1)], T0) == []  # Meta's resend of the first
    assert subscribers(store) == []


def test_a_message_from_a_subscriber_opens_their_window(
    store: sqlite3.Connection, tmp_path: Path
) -> None:
    inbound = Inbound(store, settings(tmp_path))
    inbound.handle([says(ANNA, "start", 1)], T0)
    later = T0 + timedelta(days=3)
    inbound.handle([says(ANNA, "Danke!", 2)], later)
    assert subscribers(store)[0][2] == later.isoformat()


def test_old_events_and_notices_are_pruned(store: sqlite3.Connection, tmp_path: Path) -> None:
    inbound = Inbound(store, settings(tmp_path))
    inbound.handle([says(ANNA, "hallo", 1)], T0)
    inbound.handle([says("4917099887766", "start", 2)], T0 + timedelta(days=8))
    assert store.execute("SELECT event_id FROM events").fetchall() == [("wamid.2",)]
    assert store.execute("SELECT COUNT(*) FROM notices").fetchone() == (0,)
