"""The subscriber service as `whatsapp serve` builds it, over real HTTP: the broadcast API,
the fan-out and the status webhooks against the strict fake Cloud API (every request checked
against Meta's OpenAPI description). What a follower sees is the fake's inbox."""

from __future__ import annotations

from pathlib import Path

from tests.waservice import BODY, numbers, running_service


def test_a_broadcast_reaches_every_subscriber_once(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, fake):
        people = numbers(40)
        service.subscribe_directly(people)
        answer = service.put("bc-1", BODY)
        assert answer.status_code == 201
        assert answer.json()["recipients"] == 40
        done = service.wait("bc-1")
        assert done["sent"] == 40 and done["failed"] == {} and done["unconfirmed"] == 0
        for person in people:
            (shown,) = fake.inbox(person)
            assert shown["callback"] == "bc-1"
        assert fake.duplicates() == [] and fake.refused == []


def test_the_same_key_again_changes_nothing_and_another_body_is_refused(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, fake):
        service.subscribe_directly(numbers(3))
        assert service.put("bc-1", BODY).status_code == 201
        service.wait("bc-1")
        again = service.put("bc-1", BODY)
        assert again.status_code == 200 and again.json()["sent"] == 3
        changed = {**BODY, "text": "anders"}
        refused = service.put("bc-1", changed)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "conflict"
        assert fake.delivered() == 3


def test_the_api_wants_its_token_and_well_formed_parameters(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, _):
        wrong = service.put("bc-1", BODY, token="guessed")
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        template = {**BODY["template"], "parameters": ["Zeile\nzwei", "b", "c"]}
        bad = service.put("bc-2", {**BODY, "template": template})
        assert bad.status_code == 422
        assert "parameter" in bad.json()["error"]["message"]
        short = {**BODY["template"], "parameters": ["nur eins"]}
        counted = service.put("bc-3", {**BODY, "template": short})
        assert (
            counted.status_code == 422
            and "the template has 3" in counted.json()["error"]["message"]
        )
        with service.client() as client:
            assert client.get("/broadcasts/unknown").status_code == 404
            assert client.get("/audience").json() == {"recipients": 0}
            (listed,) = client.get("/templates").json()["templates"]
            assert listed["status"] == "APPROVED" and listed["parameters"] == 3


def test_an_expired_token_stops_the_broadcast_and_a_restart_carries_on(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, fake):
        service.subscribe_directly(numbers(5))
        fake.fail("190", times=100)
        service.put("bc-1", BODY)
        stopped = service.wait("bc-1", until="stopped")
        assert stopped["stopped_reason"].startswith("190")
        assert stopped["pending"] == 5 and fake.delivered() == 0
        fake._faults.clear()  # the county renewed the token
        with running_service(tmp_path, fake=fake) as (restarted, _):
            done = restarted.wait("bc-1")
            assert done["sent"] == 5 and fake.duplicates() == []


def test_opted_out_and_undeliverable_numbers_leave_the_list(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, fake):
        people = numbers(4)
        service.subscribe_directly(people)
        fake.opted_out.add(people[0])
        fake.undeliverable.add(people[1])
        service.put("bc-1", BODY)
        first = service.wait("bc-1")
        assert first["failed"] == {"131050": 1, "131026": 1}
        service.put("bc-2", {**BODY, "text": "zwei"})
        service.wait("bc-2")
        active = dict(service.rows("SELECT wa_id, inactive_reason FROM subscribers"))
        assert active[people[0]].startswith("131050")
        assert active[people[1]].startswith("131026")  # undeliverable twice in a row
        assert active[people[2]] is None and active[people[3]] is None
        with service.client() as client:
            assert client.get("/audience").json() == {"recipients": 2}


def test_the_messaging_limit_makes_the_rest_wait_for_the_next_window(tmp_path: Path) -> None:
    with running_service(tmp_path, daily_limit=3) as (service, fake):
        service.subscribe_directly(numbers(5))
        service.put("bc-1", BODY)
        waiting = service.wait("bc-1", until="waiting")
        assert waiting["sent"] == 3 and waiting["pending"] == 2
        assert waiting["next_window"] is not None
        assert fake.delivered() == 3


def test_a_lost_answer_is_healed_by_the_status_webhook_never_by_resending(
    tmp_path: Path,
) -> None:
    with running_service(tmp_path) as (service, fake):
        people = numbers(3)
        service.subscribe_directly(people)
        fake.fail("drop_after_accept", times=1, to=people[1])
        service.put("bc-1", BODY)
        done = service.wait("bc-1")
        assert done["sent"] == 3 and done["unconfirmed"] == 0
        assert len(fake.inbox(people[1])) == 1 and fake.duplicates() == []


def test_a_request_without_answer_is_reported_unconfirmed(tmp_path: Path) -> None:
    with running_service(tmp_path, confirm_within="1s") as (service, fake):
        people = numbers(2)
        service.subscribe_directly(people)
        fake.webhooks.pause()  # Meta's status webhooks are late
        fake.fail("drop_after_accept", times=1, to=people[0])
        service.put("bc-1", BODY)
        done = service.wait("bc-1", timeout=15)
        assert done["unconfirmed"] == 1 and done["sent"] == 1
        assert len(fake.inbox(people[0])) == 1  # it did arrive, and was not sent again


def test_pair_rate_and_throughput_answers_are_waited_out(tmp_path: Path) -> None:
    with running_service(tmp_path) as (service, fake):
        people = numbers(6)
        service.subscribe_directly(people)
        fake.fail("429", times=2)
        service.put("bc-1", BODY)
        done = service.wait("bc-1", timeout=40)
        assert done["sent"] == 6 and fake.duplicates() == []


def test_free_text_goes_to_subscribers_whose_window_is_open(tmp_path: Path) -> None:
    with running_service(tmp_path, free_text_in_window=True) as (service, fake):
        fake.citizen_says("4915112345678", "Start")
        service.subscribe_directly(["4915100000001"])
        service.put("bc-1", BODY)
        service.wait("bc-1")
        kinds = [m["type"] for m in fake.inbox("4915112345678")]
        assert kinds == ["text", "text"]  # the welcome, then the news as free text
        assert [m["type"] for m in fake.inbox("4915100000001")] == ["template"]
