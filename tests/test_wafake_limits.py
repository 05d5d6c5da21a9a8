"""The fake Cloud API's limits and faults: pair rate (131056), throughput (130429), the
messaging limit, injected faults, webhook retries, pause, duplicates, the template list."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from tests.wafake import CloudApiFake
from tests.wafake_kit import (
    OTHER,
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


def test_the_pair_rate_limits_messages_to_one_user_not_to_others(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    fake.pair_burst = 2
    assert send(graph, fake, template(key="a")).status_code == 200
    assert send(graph, fake, template(key="b")).status_code == 200
    error = meta_error(send(graph, fake, template(key="c")), 429, 131056)
    assert "same recipient" in error["error_data"]["details"]
    assert send(graph, fake, template(to=OTHER)).status_code == 200
    fake.offset = timedelta(seconds=6)  # one message every 6 s
    assert send(graph, fake, template(key="c")).status_code == 200
    assert [m["callback"] for m in fake.inbox(SUBSCRIBER)] == ["a", "b", "c"]


def test_meta_allows_bursts_of_45_to_one_user(fake: CloudApiFake, graph: httpx.Client) -> None:
    fake.throughput = 1000
    answers = [send(graph, fake, template(key=f"k{n}")).status_code for n in range(46)]
    assert answers == [200] * 45 + [429]


def test_throughput_over_the_limit_is_130429(fake: CloudApiFake, graph: httpx.Client) -> None:
    fake.throughput = 5
    answers = [send(graph, fake, template(to=f"491510000{n:04d}")) for n in range(8)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    refused = [a for a in answers[5:] if a.status_code != 200]
    assert refused, "a sixth message within the second must be refused"
    for answer in refused:
        meta_error(answer, 429, 130429)
    time.sleep(0.25)  # a second's tokens come back at 5 a second
    assert send(graph, fake, template(to="4915100009999")).status_code == 200


def test_the_messaging_limit_counts_distinct_users_outside_the_window(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    fake.daily_limit = 2
    assert send(graph, fake, template(to="491510000001")).status_code == 200
    assert send(graph, fake, template(to="491510000002")).status_code == 200
    assert send(graph, fake, template(to="491510000001", key="again")).status_code == 200
    error = meta_error(send(graph, fake, template(to="491510000003")), 400, 131048)
    assert "2 users in 24 hours" in error["error_data"]["details"]
    assert fake.over_limit == 1
    fake.citizen_says("491510000004", "Start")  # an open window does not count
    assert send(graph, fake, template(to="491510000004")).status_code == 200
    fake.offset = timedelta(hours=24, seconds=1)  # a moving 24 h
    assert send(graph, fake, template(to="491510000003")).status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("500", 500, 131000), ("429", 429, 130429), ("190", 401, 190), ("368", 403, 368)],
)
def test_an_injected_refusal_sends_nothing(
    fake: CloudApiFake, graph: httpx.Client, kind: str, status: int, code: int
) -> None:
    fake.fail(kind, times=2)  # type: ignore[arg-type]
    meta_error(send(graph, fake, template(key="1")), status, code)
    meta_error(send(graph, fake, template(key="2")), status, code)
    assert send(graph, fake, template(key="3")).status_code == 200
    assert [m["callback"] for m in fake.inbox(SUBSCRIBER)] == ["3"]


def test_a_fault_for_one_recipient_leaves_the_others_alone(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    fake.fail("500", to="+49 151 23456789")
    assert send(graph, fake, template(to=OTHER)).status_code == 200
    meta_error(send(graph, fake, template()), 500, 131000)
    assert send(graph, fake, template(key="again")).status_code == 200


def test_a_dropped_connection_after_accepting_still_delivers_and_confirms(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.fail("drop_after_accept")
    with pytest.raises(httpx.TransportError):
        send(graph, fake, template(key="lost-answer"))
    [shown] = fake.inbox(SUBSCRIBER)
    assert shown["callback"] == "lost-answer"
    statuses = receiver.wait_for(3)
    assert {s["biz_opaque_callback_data"] for s in statuses} == {"lost-answer"}
    assert {s["id"] for s in statuses} == {shown["id"]}
    assert fake.requests[-1]["status"] is None


def test_a_timeout_holds_the_answer_back_after_accepting(
    fake: CloudApiFake, receiver: Receiver
) -> None:
    fake.fail("timeout")
    fake.hang = 1.0
    headers = {"authorization": f"Bearer {fake.token}"}
    with (
        httpx.Client(base_url=fake.base_url, headers=headers, timeout=0.3) as impatient,
        pytest.raises(httpx.ReadTimeout),
    ):
        send(impatient, fake, template(key="slow"))
    assert [m["callback"] for m in fake.inbox(SUBSCRIBER)] == ["slow"]
    assert receiver.wait_for(1)[0]["biz_opaque_callback_data"] == "slow"


def test_an_unknown_fault_is_refused(fake: CloudApiFake) -> None:
    with pytest.raises(ValueError, match="drop_after_accept"):
        fake.fail("explode")  # type: ignore[arg-type]


def test_duplicates_are_the_recipients_who_got_a_key_twice(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    fake.throughput = 1000
    send(graph, fake, template(key="post-1"))
    send(graph, fake, template(to=OTHER, key="post-1"))
    assert fake.duplicates() == []
    send(graph, fake, template(key="post-2"))
    assert fake.duplicates() == []
    send(graph, fake, template(key="post-1"))
    assert fake.duplicates() == [SUBSCRIBER]
    assert fake.delivered() == 4


def test_webhooks_are_retried_until_the_service_answers_200_in_order(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    receiver.answers = [500, 503]
    send(graph, fake, template())
    statuses = receiver.wait_for(3)
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    first_body = receiver.posts[0].body
    assert receiver.posts[1].body == first_body == receiver.posts[2].body  # the same, again
    assert [p.answered for p in receiver.posts[:3]] == [500, 503, 200]


def test_webhooks_wait_while_paused_and_arrive_on_resume(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.webhooks.pause()
    fake.citizen_says(SUBSCRIBER, "Start")  # returns at once while paused
    send(graph, fake, template())
    time.sleep(0.2)
    assert receiver.posts == []
    fake.webhooks.resume()
    assert len(receiver.wait_for(3)) == 3
    assert any(v.get("messages") for p in receiver.posts for v in p.values())


def test_the_last_event_can_be_delivered_again_byte_for_byte(
    fake: CloudApiFake, receiver: Receiver
) -> None:
    message_id = fake.citizen_says(SUBSCRIBER, "Start")
    assert fake.resend_last_event() == 200
    first, again = receiver.posts
    assert (
        first.body == again.body
        and first.headers["x-hub-signature-256"] == again.headers["x-hub-signature-256"]
    )
    [value] = again.values()
    assert value["messages"][0]["id"] == message_id
    assert value["messages"][0]["text"]["body"] == "Start"
    assert value["contacts"][0]["wa_id"] == SUBSCRIBER
    assert signed_by(fake.app_secret, again.headers, again.body)


def test_the_template_list_is_metas_shape_with_paging(
    fake: CloudApiFake, graph: httpx.Client
) -> None:
    fake.add_template("kreis_eilmeldung", "de", parameters=1, status="PENDING", category="UTILITY")
    first = graph.get(f"/{fake.waba_id}/message_templates", params={"limit": 1})
    assert first.status_code == 200, first.text
    [listed] = first.json()["data"]
    assert listed["name"] == "kreis_nachrichten"
    assert listed["status"] == "APPROVED" and listed["category"] == "MARKETING"
    assert listed["language"] == "de" and listed["id"]
    assert [c["type"] for c in listed["components"]] == ["BODY"]
    assert listed["components"][0]["text"].count("{{") == 3
    following = httpx.get(first.json()["paging"]["next"], headers=graph.headers)
    [second] = following.json()["data"]
    assert (second["name"], second["status"], second["category"]) == (
        "kreis_eilmeldung",
        "PENDING",
        "UTILITY",
    )
    assert "next" not in following.json()["paging"]
    other = graph.get("/200000000000999/message_templates")
    assert meta_error(other, 400, 100)["error_subcode"] == 33


def test_text_replies_inside_the_window_are_free(
    fake: CloudApiFake, graph: httpx.Client, receiver: Receiver
) -> None:
    fake.citizen_says(SUBSCRIBER, "Hallo")
    send(graph, fake, text())
    sent = receiver.wait_for(1)
    assert sent[0]["pricing"]["billable"] is False
