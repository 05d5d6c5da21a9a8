"""The webhook served by uvicorn on 127.0.0.1, driven by the fake Cloud API the way Meta
drives it: signed inbound messages, resends; the replies land on the citizen's phone."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from socialpub.whatsapp.events import StatusUpdate
from socialpub.whatsapp.store import open_store
from socialpub.whatsapp.webhook import webhook_routes
from tests.localserver import AppThread, free_port
from tests.wafake import CloudApiFake
from tests.whatsapp_inbound_helpers import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, settings

ANNA = "4915123456767"


class FakeReplies:
    """Sends replies as text messages to the fake, like wa-outbound's CloudApi will."""

    def __init__(self, fake: CloudApiFake) -> None:
        self.fake = fake

    async def send_text(self, to: str, body: str) -> str:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{self.fake.base_url}/{PHONE_NUMBER_ID}/messages",
                headers={"Authorization": f"Bearer {self.fake.token}"},
                json={
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": to,
                    "type": "text",
                    "text": {"body": body},
                },
            )
        answer.raise_for_status()
        return str(answer.json()["messages"][0]["id"])


class Served:
    def __init__(self, store: Path, port: int) -> None:
        self.store = store
        self.port = port
        self.statuses: list[StatusUpdate] = []
        self.served: AppThread | None = None

    def start(self, fake: CloudApiFake) -> None:
        db = open_store(self.store)
        routes = webhook_routes(
            db,
            settings(self.store),
            app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN,
            now=lambda: datetime.now(UTC),
            sender=FakeReplies(fake),
            on_statuses=self.statuses.extend,
        )
        self.served = AppThread(Starlette(routes=routes), self.port).start()

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()


def wait_for(condition: Callable[[], Any], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("waited in vain")
        time.sleep(0.01)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[CloudApiFake, Served]]:
    served = Served(tmp_path / "wa.sqlite3", free_port())
    with CloudApiFake(
        app_secret=APP_SECRET, webhook_url=f"http://127.0.0.1:{served.port}/webhook"
    ) as fake:
        served.start(fake)
        try:
            yield fake, served
        finally:
            served.stop()


def texts(fake: CloudApiFake, wa_id: str) -> list[str]:
    return [m["text"] for m in fake.inbox(wa_id)]


def test_start_notice_and_stop_as_the_citizen_sees_them(
    world: tuple[CloudApiFake, Served],
) -> None:
    fake, served = world
    fake.citizen_says(ANNA, "Start")
    wait_for(lambda: len(fake.inbox(ANNA)) == 1)
    assert texts(fake, ANNA)[0].startswith("Willkommen")
    fake.resend_last_event()  # Meta delivers the same event again: no second welcome
    fake.citizen_says(ANNA, "Wann hat das Landratsamt offen?")
    fake.citizen_says(ANNA, "Hallo??")
    wait_for(lambda: len(fake.inbox(ANNA)) == 2)
    fake.citizen_says(ANNA, "stopp")
    wait_for(lambda: len(fake.inbox(ANNA)) == 3)
    time.sleep(0.2)  # anything still on its way would show now
    shown = texts(fake, ANNA)
    assert len(shown) == 3 and "+49 3621 123-0" in shown[1] and "abgemeldet" in shown[2]
    store = sqlite3.connect(served.store)
    assert store.execute("SELECT COUNT(*) FROM subscribers").fetchone() == (0,)
    assert fake.refused == []  # every reply was a request Meta's description allows
    # the fake's status webhooks for the replies reach on_statuses, signed and parsed
    wait_for(lambda: {s.status for s in served.statuses} >= {"sent", "delivered"})
