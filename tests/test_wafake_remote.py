"""The fake Cloud API in its own process (tests/wafake_remote.py) behaves like the one in the
test's process, driven over its control interface."""

from __future__ import annotations

import httpx
import pytest

from tests.wafake_kit import SECRET, SUBSCRIBER, receiver, signed_by, template, text
from tests.wafake_receiver import Receiver
from tests.wafake_remote import RemoteCloudApiFake

__all__ = ["receiver"]  # the fixture, imported for pytest


def test_a_remote_fake_sends_refuses_and_reports_like_a_local_one(receiver: Receiver) -> None:
    with RemoteCloudApiFake(SECRET, receiver.url, validation="compiled") as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        headers = {"authorization": f"Bearer {fake.token}"}
        with httpx.Client(base_url=fake.base_url, headers=headers, timeout=5) as graph:
            messages = f"/{fake.phone_number_id}/messages"
            assert graph.post(messages, json=template(key="k1")).status_code == 200
            assert graph.post(messages, json=text()).json()["error"]["code"] == 131047
            fake.citizen_says(SUBSCRIBER, "Start")
            assert graph.post(messages, json=text()).status_code == 200
            fake.set(pair_burst=1, offset=0)  # one token left at most
            assert graph.post(messages, json=template(key="k2")).status_code == 200
            assert graph.post(messages, json=template(key="k2")).json()["error"]["code"] == 131056
            fake.set(pair_burst=45, undeliverable=[SUBSCRIBER])
            fake.fail("500")
            assert graph.post(messages, json=template(key="k3")).status_code == 500
            bad = template() | {"bogus": True}
            assert graph.post(messages, json=bad | {"type": "text"}).status_code == 400
        assert [m["callback"] for m in fake.inbox(SUBSCRIBER)] == ["k1", None, "k2"]
        assert fake.duplicates() == [] and fake.delivered() == 3
        assert len(fake.refused) == 1
        assert [r["status"] for r in fake.requests] == [200, 400, 200, 200, 429, 500, 400]
        assert fake.webhooks(wait=5)["idle"]
        statuses = receiver.wait_for(9)
        assert [s["status"] for s in statuses if s.get("biz_opaque_callback_data") == "k1"] == [
            "sent",
            "delivered",
            "read",
        ]
        assert all(signed_by(SECRET, p.headers, p.body) for p in receiver.posts)
        with pytest.raises(RuntimeError, match="no knob"):
            fake.set(colour="red")
        process = fake.process
    assert process.returncode == 0  # stopped by closing its stdin
