"""The real subscriber service for tests: the app `socialpub whatsapp serve` runs (built by
`socialpub.cli.whatsapp_service.service_app` from a config file), served by uvicorn on
127.0.0.1 in a thread, talking to the strict fake Cloud API (tests/wafake.py).

    with running_service(tmp_path) as (service, fake):
        service.subscribe_directly(numbers(40))
        answer = service.put("bc-1", BODY)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from socialpub.cli.whatsapp_service import service_app
from socialpub.content.config import load_config
from socialpub.whatsapp.store import open_store
from tests.localserver import AppThread, free_port
from tests.wafake import CloudApiFake
from tests.wafake_remote import RemoteCloudApiFake

AnyFake = CloudApiFake | RemoteCloudApiFake
APP_SECRET = "test-app-secret"
SERVICE_TOKEN = "test-service-token"
TEMPLATE = "kreis_nachrichten"
BODY: dict[str, Any] = {
    "post": "2026-12-kreistag",
    "channel": "whatsapp",
    "template": {
        "name": TEMPLATE,
        "language": "de",
        "parameters": ["Kreistag tagt", "Am Montag um 17 Uhr", "https://kreis.example/k"],
    },
    "text": "Kreistag tagt\n\nAm Montag um 17 Uhr\nhttps://kreis.example/k",
}
CONFIG = """\
timezone: Europe/Berlin
lang: de
channels:
  whatsapp:
    type: whatsapp
    service_url: http://127.0.0.1:{port}
    service_token: ${{WHATSAPP_SERVICE_TOKEN}}
    template: {{name: {template}, language: de, parameters: [title, summary, link]}}
    server:
      phone_number_id: "{phone}"
      waba_id: "{waba}"
      access_token: ${{WHATSAPP_TOKEN}}
      app_secret: ${{WHATSAPP_APP_SECRET}}
      verify_token: ${{WHATSAPP_VERIFY_TOKEN}}
      store: {store}
      graph_base: {graph}
      rate: {rate}
      daily_limit: {daily_limit}
      free_text_in_window: {free_text}
      contact_phone: "+49 3621 123-0"
      confirm_within: {confirm_within}
"""


def write_config(
    root: Path,
    fake: AnyFake,
    port: int,
    store: Path,
    *,
    rate: float = 500,
    daily_limit: int = 1_000_000,
    confirm_within: str = "10min",
    free_text_in_window: bool = False,
) -> Path:
    """A repository folder with a config whose whatsapp channel serves on `port`."""
    (root / "posts").mkdir(parents=True, exist_ok=True)
    path = root / "socialpub.yaml"
    text = CONFIG.format(
        port=port,
        template=TEMPLATE,
        phone=fake.phone_number_id,
        waba=fake.waba_id,
        store=store,
        graph=fake.base_url,
        rate=rate,
        daily_limit=daily_limit,
        free_text="true" if free_text_in_window else "false",
        confirm_within=confirm_within,
    )
    path.write_text(text, encoding="utf-8")
    return path


def secrets_env(fake: AnyFake) -> dict[str, str]:
    return {
        "WHATSAPP_TOKEN": fake.token,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "test-verify-token",
        "WHATSAPP_SERVICE_TOKEN": SERVICE_TOKEN,
    }


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"49151{n:07d}" for n in range(start, start + count)]


@dataclass
class Service:
    url: str
    store: Path

    def client(self, token: str = SERVICE_TOKEN) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def put(self, key: str, body: dict[str, Any], token: str = SERVICE_TOKEN) -> httpx.Response:
        with self.client(token) as client:
            return client.put(f"/broadcasts/{key}", json=body)

    def progress(self, key: str) -> dict[str, Any]:
        with self.client() as client:
            answer = client.get(f"/broadcasts/{key}")
            answer.raise_for_status()
            found: dict[str, Any] = answer.json()
            return found

    def wait(self, key: str, until: str = "done", timeout: float = 30.0) -> dict[str, Any]:
        """Poll the progress until its state is `until`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.progress(key)
            if found["state"] == until:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"broadcast {key} is {found}, not {until}")
            time.sleep(0.05)

    def subscribe_directly(self, people: list[str]) -> None:
        """Subscribers as if each had sent Start (for many: faster than webhooks)."""
        moment = datetime.now(UTC).isoformat()
        connection = open_store(self.store)
        try:
            connection.execute("BEGIN")
            connection.executemany(
                """INSERT INTO subscribers (wa_id, opted_in_at, consent_message_id)
                   VALUES (?, ?, ?)""",
                [(n, moment, f"wamid.start-{n}") for n in people],
            )
            connection.execute("COMMIT")
        finally:
            connection.close()

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        connection = open_store(self.store)
        try:
            return list(connection.execute(sql, args).fetchall())
        finally:
            connection.close()


@contextlib.contextmanager
def running_service(
    folder: Path, *, fake: CloudApiFake | None = None, **config: Any
) -> Iterator[tuple[Service, CloudApiFake]]:
    """The service with its store in `folder` and a fake Cloud API (or `fake`, kept
    running); `config` goes to `write_config`."""
    port = free_port()
    own = fake is None
    if fake is None:
        fake = CloudApiFake(app_secret=APP_SECRET, webhook_url=f"http://127.0.0.1:{port}/webhook")
        fake.throughput = 2000.0
        fake.add_template(TEMPLATE, "de", parameters=3)
    store = folder / "state" / "whatsapp.sqlite3"
    path = write_config(folder / "repo", fake, port, store, **config)
    app = service_app(load_config(path), None, secrets_env(fake), lambda: datetime.now(UTC))
    served = AppThread(app, port).start()
    try:
        yield Service(served.url, store), fake
    finally:
        served.stop()
        if own:
            fake.stop()
