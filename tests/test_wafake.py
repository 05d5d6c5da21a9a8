"""The fake WhatsApp Cloud API refuses what Meta refuses, with Meta's codes and shape, and
accepts what Meta accepts (tests/wafake.py), driven by a raw httpx client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.wafake import CloudApiFake
from tests.wafake_kit import (
    OTHER,
    SECRET,
    SUBSCRIBER,
    fake,
    graph,
    meta_error,
    receiver,
    send,
    signed_by,
    template,
    text,
)
from tests.wafake_receiver import Receiver

__all__ = ["fake", "graph", "receiver"]  # the fixtures, imported for pytest


def test_a_template_message_is_accepted_and_shown_on_the_phone(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    answer = send(graph, fake, template(to="+49 151 23456789"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+49 151 23456789", "wa_id": SUBSCRIBER}]
    [message] = body["messages"]
    assert message["id"].startswith("wamid.")
    [shown] = fake.inbox(SUBSCRIBER)
    assert shown["id"] == message["id"]
    assert shown["type"] == "template"
    assert shown["template"] == {
        "name": "kreis_nachrichten",
        "language": "de",
        "parameters": ["Titel", "Kurz", "https://x.example"],
    }
    assert shown["callback"] == "post-1"
    assert fake.refused == []
    assert fake.requests[-1]["headers"]["authorization"] == "Bearer ***"


def test_a_request_the_document_does_not_allow_is_refused_with_code_100(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    body = template()
    del body["messaging_product"]
    error = meta_error(send(graph, fake, body), 400, 100)
    assert "messaging_product" in error["error_data"]["details"]
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert SUBSCRIBER not in error["error_data"]["details"]  # never echoes the number
    assert len(fake.refused) == 1 and "messaging_product" in fake.refused[0]
    assert fake.inbox(SUBSCRIBER) == []


def test_an_unknown_field_is_refused(fake: CloudApiFake, graph: httpx.Client) -> None:
    body = text() | {"reply_markup": {"x": 1}}
    error = meta_error(send(graph, fake, body), 400, 100)
    assert "reply_markup" in error["error_data"]["details"]


def test_a_wrong_token_is_190_and_another_phone_number_id_is_unknown(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    wrong = graph.post(
        f"/{fake.phone_number_id}/messages",
        json=template(),
        headers={"authorization": "Bearer not-the-token"},
    )
    meta_error(wrong, 401, 190)
    other = graph.post("/100000000000999/messages", json=template())
    assert meta_error(other, 400, 100)["error_subcode"] == 33
    assert fake.inbox(SUBSCRIBER) == []


def test_free_text_needs_the_open_customer_service_window(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    error = meta_error(send(graph, fake, text()), 400, 131047)
    assert "24 hours" in error["error_data"]["details"]
    fake.citizen_says(SUBSCRIBER, "Start")
    assert send(graph, fake, text()).status_code == 200
    assert fake.inbox(SUBSCRIBER)[-1]["text"] == "Willkommen"
    fake.offset = timedelta(hours=24, minutes=1)
    meta_error(send(graph, fake, text()), 400, 131047)
    assert send(graph, fake, template()).status_code == 200  # templates need no window


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"name": "unbekannt"}, 404, 132001),
        ({"language": {"code": "en"}}, 404, 132001),
    ],
)
def test_a_template_is_found_by_name_and_language(
    fake: CloudApiFake, graph: httpx.Client, change: dict[str, Any], status: int, code: int
) -> None:
    body = template()
    body["template"] |= change
    error = meta_error(send(graph, fake, body), status, code)
    assert "does not exist" in error["error_data"]["details"]


@pytest.mark.parametrize(
    ("state", "code"),
    [("PENDING", 132001), ("REJECTED", 132001), ("PAUSED", 132015), ("DISABLED", 132016)],
)
def test_only_an_approved_template_is_sent(
    fake: CloudApiFake, graph: httpx.Client, state: str, code: int
) -> None:
    fake.add_template("kreis_nachrichten", "de", parameters=3, status=state)
    meta_error(send(graph, fake, template()), 404 if code == 132001 else 400, code)


def test_the_parameter_count_must_match(fake: CloudApiFake, graph: httpx.Client) -> None:
    error = meta_error(send(graph, fake, template(texts=["Titel", "Kurz"])), 400, 132000)
    assert "(2)" in error["error_data"]["details"] and "(3)" in error["error_data"]["details"]


@pytest.mark.parametrize("bad", ["Zeile\nZeile", "Tab\there", "fünf     Leerzeichen"])
def test_a_parameter_may_not_hold_a_newline_a_tab_or_five_spaces(
    fake: CloudApiFake, graph: httpx.Client, bad: str
) -> None:
    error = meta_error(send(graph, fake, template(texts=["Titel", bad, "x"])), 400, 100)
    assert "new-line/tab" in error["error_data"]["details"]


def test_four_spaces_in_a_row_are_allowed(fake: CloudApiFake, graph: httpx.Client) -> None:
    assert send(graph, fake, template(texts=["vier    Leerzeichen", "b", "c"])).status_code == 200


def test_a_body_longer_than_1024_characters_is_refused(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    meta_error(send(graph, fake, template(texts=["a" * 1000, "b" * 30, "c"])), 400, 132005)


def test_status_webhooks_are_signed_ordered_and_echo_the_callback(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    wamid = send(graph, fake, template(key="broadcast-7")).json()["messages"][0]["id"]
    statuses = receiver.wait_for(3)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert {s["id"] for s in statuses} == {wamid}
    assert {s["recipient_id"] for s in statuses} == {SUBSCRIBER}
    assert {s["biz_opaque_callback_data"] for s in statuses} == {"broadcast-7"}
    for post in receiver.posts:
        assert signed_by(SECRET, post.headers, post.body)
        assert post.json()["object"] == "whatsapp_business_account"
        [value] = post.values()
        assert value["metadata"]["phone_number_id"] == fake.phone_number_id


def test_status_webhooks_are_batched(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.webhooks.pause()
    for index in range(10):
        assert send(graph, fake, template(to=f"49151000000{index:02d}")).status_code == 200
    fake.webhooks.resume()
    statuses = receiver.wait_for(30)
    assert len(statuses) == 30
    assert max(len(p.statuses()) for p in receiver.posts) > 1
    assert len(receiver.posts) < 30


def test_unread_numbers_never_read(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.unread.add(SUBSCRIBER)
    send(graph, fake, template())
    send(graph, fake, template(to=OTHER))
    statuses = receiver.wait_for(5)
    fake.webhooks.wait_idle()
    mine = [s["status"] for s in receiver.statuses() if s["recipient_id"] == SUBSCRIBER]
    assert mine == ["sent", "delivered"]
    assert len(statuses) == 5


@pytest.mark.parametrize("code", [131026, 131050])
def test_undeliverable_and_opted_out_numbers_fail_in_the_status_webhook(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver, code: int
) -> None:
    (fake.undeliverable if code == 131026 else fake.opted_out).add(SUBSCRIBER)
    answer = send(graph, fake, template())
    assert answer.status_code == 200  # accepted: the failure comes asynchronously
    [failed] = receiver.wait_for(1)
    assert failed["status"] == "failed"
    assert failed["id"] == answer.json()["messages"][0]["id"]
    assert failed["errors"][0]["code"] == code
    assert failed["errors"][0]["error_data"]["details"]
    assert failed["biz_opaque_callback_data"] == "post-1"
    assert fake.inbox(SUBSCRIBER) == []


def test_opted_out_numbers_still_get_replies_inside_the_window(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.opted_out.add(SUBSCRIBER)
    fake.citizen_says(SUBSCRIBER, "Hallo")
    assert send(graph, fake, text()).status_code == 200
    assert [m["type"] for m in fake.inbox(SUBSCRIBER)] == ["text"]
