"""The whole service over uvicorn on 127.0.0.1 against the fake Cloud API: citizens say Start
through Meta's webhook, the engine PUTs a broadcast, the fan-out sends, the status webhooks
complete the progress; a restart on the same store sends nothing again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from socialpub.whatsapp.fanout import FanoutSettings
from socialpub.whatsapp.service import ServiceConfig, build_app
from socialpub.whatsapp.webhook import webhook_routes
from tests.localserver import AppThread, free_port
from tests.test_whatsapp_webhook_fake import wait_for
from tests.wafake import CloudApiFake
from tests.whatsapp_inbound_helpers import APP_SECRET, VERIFY_TOKEN, settings

SERVICE_TOKEN = "service-token-xyz"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
BODY = {
    "post": "2026-12-03-kreistag",
    "channel": "whatsapp",
    "template": {
        "name": "kreis_nachrichten",
        "language": "de",
        "parameters": ["Kreistag", "Montag 18 Uhr", "https://l.example/1"],
    },
    "text": "Kreistag am Montag",
}
CITIZENS = ["4915100000001", "4915100000002", "4915100000003"]


def now() -> datetime:
    return datetime.now(UTC)


class Service:
    def __init__(self, store: Path, port: int, fake: CloudApiFake) -> None:
        self.store, self.port, self.fake = store, port, fake
        self.served: AppThread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = ServiceConfig(
            store=self.store,
            graph_base=self.fake.base_url,
            phone_number_id=self.fake.phone_number_id,
            waba_id=self.fake.waba_id,
            access_token=self.fake.token,
            service_token=SERVICE_TOKEN,
            fanout=FanoutSettings(rate=50, daily_limit=1000, idle=0.05),
        )

        def webhook(conn: Any, api: Any, on_statuses: Any) -> Any:
            return webhook_routes(
                conn,
                settings(self.store),
                app_secret=APP_SECRET,
                verify_token=VERIFY_TOKEN,
                now=now,
                sender=api,
                on_statuses=on_statuses,
            )

        app = build_app(config, now, webhook_routes=webhook)
        self.served = AppThread(app, self.port).start()

    def stop(self) -> None:  # what uvicorn does on SIGTERM
        assert self.served is not None
        self.served.stop()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[CloudApiFake, Service]]:
    port = free_port()
    with CloudApiFake(
        app_secret=APP_SECRET, webhook_url=f"http://127.0.0.1:{port}/webhook"
    ) as fake:
        fake.add_template("kreis_nachrichten", "de", parameters=3)
        service = Service(tmp_path / "wa.sqlite3", port, fake)
        service.start()
        try:
            yield fake, service
        finally:
            if service.served is not None and service.served.thread.is_alive():
                service.stop()


def progress(service: Service) -> dict[str, Any]:
    answer = httpx.get(f"{service.url}/broadcasts/b1", headers=AUTH)
    assert answer.status_code == 200
    return dict(answer.json())


def test_subscribe_broadcast_and_restart_without_a_second_message(
    world: tuple[CloudApiFake, Service],
) -> None:
    fake, service = world
    for citizen in CITIZENS:
        fake.citizen_says(citizen, "Start")
    wait_for(lambda: all(fake.inbox(c) for c in CITIZENS))  # the welcome replies
    assert httpx.get(f"{service.url}/audience", headers=AUTH).json() == {"recipients": 3}
    created = httpx.put(f"{service.url}/broadcasts/b1", json=BODY, headers=AUTH)
    assert created.status_code == 201 and created.json()["recipients"] == 3
    wait_for(lambda: progress(service)["read"] == 3, seconds=10)
    done = progress(service)
    assert (done["state"], done["sent"], done["delivered"], done["unconfirmed"]) == (
        "done",
        3,
        3,
        0,
    )
    for citizen in CITIZENS:
        templates = [m for m in fake.inbox(citizen) if m["type"] == "template"]
        assert [m["callback"] for m in templates] == ["b1"]
    service.stop()
    service.start()  # the restart: resumes on the same store
    again = httpx.put(f"{service.url}/broadcasts/b1", json=BODY, headers=AUTH)
    assert again.status_code == 200
    assert fake.duplicates() == [] and fake.refused == []
    assert sum(1 for c in CITIZENS for m in fake.inbox(c) if m["type"] == "template") == 3
    assert httpx.get(f"{service.url}/health").json() == {"status": "ok"}
    assert done["created_at"] <= (now() + timedelta(seconds=1)).isoformat()
