"""The Mastodon adapter against mastodon-mock, a real HTTP server on 127.0.0.1 with a real
`Http`: media upload, threads, Idempotency-Key, edit, delete, lookup, scheduling, limits, and
`socialpub publish` end to end."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from typer.testing import CliRunner

from socialpub.channels.adapter import Lookup
from socialpub.channels.mastodon import MastodonAdapter
from socialpub.cli import app
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import Rejected
from socialpub.models import Media, Payload, Receipt
from socialpub.net.http import Clock, Http, make_client
from socialpub.publishing.ledger import Ledger, State
from tests import mastodonmock
from tests.adapterkit import MemoryProgress
from tests.conftest import Repo
from tests.mastodonmock import TOKEN, MockServer
from tests.test_mastodon import GPS_IFD, jpeg_with_gps, variant

REAL_CLOCK = Clock(now=lambda: datetime.now(UTC), monotonic=time.monotonic, sleep=time.sleep)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    running = mastodonmock.start(tmp_path_factory.mktemp("mastodon-mock"))
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Site:
    server: MockServer
    root: Path
    state: Path

    def adapter(self) -> MastodonAdapter:
        settings = {"instance": self.server.url, "token": SecretRef("MASTODON_TOKEN")}
        channel = ChannelConfig(name="masto", type="mastodon", settings=settings)
        return MastodonAdapter(channel, self.root, self.state)

    def http(self) -> Http:
        return Http(make_client(), channel="masto", secrets={"token": TOKEN}, clock=REAL_CLOCK)

    def prepare(self, *texts: str, media: tuple[Media, ...] = (), **kwargs: Any) -> Payload:
        key = uuid.uuid4().hex[:16]  # every test its own deliveries on the shared server
        return self.adapter().prepare(
            variant(*texts, media=media), key, created_at=REAL_CLOCK.now(), **kwargs
        )

    def send(self, payload: Payload) -> Receipt:
        return self.adapter().send(payload, self.http(), MemoryProgress())

    def get(self, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return httpx.get(self.server.url + path, headers=headers, params=params, timeout=10)

    def texts(self) -> list[str]:
        """The content of the account's latest statuses."""
        me = self.get("/api/v1/accounts/verify_credentials").json()["id"]
        page = self.get(f"/api/v1/accounts/{me}/statuses", limit=40).json()
        return [status["content"] for status in page]


@pytest.fixture
def site(server: MockServer, tmp_path: Path) -> Site:
    return Site(server, tmp_path / "repo", tmp_path / "state")


def unique(text: str) -> str:
    return f"{text} [{uuid.uuid4().hex[:8]}]"


def test_a_thread_with_a_photo_arrives_in_order(site: Site) -> None:
    photo = site.root / "media" / "foto.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(jpeg_with_gps())
    media = (Media("media/foto.jpg", alt="Die Landrätin eröffnet die Sitzung"),)
    texts = (unique("Der Kreistag tagt. 1/2"), unique("Gäste willkommen. 2/2"))
    receipt = site.send(site.prepare(*texts, media=media))
    first, second = (site.get(f"/api/v1/statuses/{s.id}").json() for s in receipt.sent)
    assert texts[0] in first["content"] and texts[1] in second["content"]
    assert second["in_reply_to_id"] == first["id"] and first["language"] == "de"
    (attachment,) = first["media_attachments"]
    assert attachment["description"] == "Die Landrätin eröffnet die Sitzung"
    uploaded = httpx.get(attachment["url"], timeout=10).content
    assert not Image.open(io.BytesIO(uploaded)).getexif().get_ifd(GPS_IFD)
    assert receipt.sent[0].url == first["url"]


def test_the_same_idempotency_key_posts_once(site: Site) -> None:
    payload = site.prepare(unique("Nur einmal, auch beim zweiten Versuch."))
    first = site.send(payload)
    again = site.send(payload)  # a retry after a lost answer: the same key
    assert again.sent == first.sent
    assert sum(payload.messages[0]["body"]["status"] in c for c in site.texts()) == 1


def test_edit_changes_the_published_text(site: Site) -> None:
    receipt = site.send(site.prepare(unique("Sitzung um 17 Uhr.")))
    changed = unique("Sitzung um 18 Uhr.")
    edited = site.adapter().edit(site.prepare(changed), site.http(), receipt)
    assert edited.sent[0].id == receipt.sent[0].id
    assert changed in site.get(f"/api/v1/statuses/{receipt.sent[0].id}").json()["content"]


def test_delete_removes_the_thread_and_a_repeat_is_harmless(site: Site) -> None:
    receipt = site.send(site.prepare(unique("Eins 1/2"), unique("Zwei 2/2")))
    site.adapter().delete(site.http(), receipt)
    assert [site.get(f"/api/v1/statuses/{s.id}").status_code for s in receipt.sent] == [404, 404]
    site.adapter().delete(site.http(), receipt)  # gone already: still fine


def test_lookup_finds_what_an_unconfirmed_delivery_left(site: Site) -> None:
    payload = site.prepare(unique("Teil 1/2"), unique("Teil 2/2 mit @jemand@kreis.example"))
    receipt = site.send(payload)
    progress = MemoryProgress()
    assert site.adapter().lookup(payload, site.http(), progress) is Lookup.FOUND
    assert [s.id for s in progress.sent] == [s.id for s in receipt.sent]
    never = site.prepare(unique("Nie gesendet."))
    assert site.adapter().lookup(never, site.http(), MemoryProgress()) is Lookup.ABSENT


def test_a_scheduled_status_can_be_found_and_cancelled(site: Site) -> None:
    at = REAL_CLOCK.now() + timedelta(days=1)
    payload = site.prepare(unique("Morgen: Tag der offenen Tür."), schedule_at=at)
    receipt = site.send(payload)
    assert receipt.scheduled and receipt.url == ""
    listed = [s["id"] for s in site.get("/api/v1/scheduled_statuses").json()]
    assert receipt.sent[0].id in listed
    progress = MemoryProgress()
    assert site.adapter().lookup(payload, site.http(), progress) is Lookup.FOUND
    assert progress.sent[0].id == receipt.sent[0].id
    site.adapter().delete(site.http(), receipt)
    assert site.get(f"/api/v1/scheduled_statuses/{receipt.sent[0].id}").status_code == 404


def test_the_instance_limit_comes_from_the_server_and_is_cached(site: Site) -> None:
    with pytest.raises(Rejected, match="501 characters, more than the 500"):
        site.send(site.prepare("x" * 501))
    cache = json.loads((site.state / "mastodon-masto-instance.json").read_text())
    assert cache["max_characters"] == 500 and cache["instance"] == site.server.url


def test_publish_through_the_command_line(server: MockServer, repo: Repo) -> None:
    repo.write_config(
        f"timezone: Europe/Berlin\nchannels:\n  masto:\n    type: mastodon\n"
        f"    instance: {server.url}\n    token: ${{MASTODON_TOKEN}}\n"
    )
    text = unique("Der Landkreis informiert: Die Kreisstraße 12 ist wieder frei.")
    repo.post(
        "k12.md",
        "---\nid: k12-frei\ntitle: K 12 frei\nstatus: approved\napproved_by: Presse\n"
        f"---\n{text}\n",
    )
    result = CliRunner().invoke(
        app, ["publish", "--config", str(repo.config)], env={"MASTODON_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert TOKEN not in result.stdout + result.stderr
    record = Ledger(repo.root).get("k12-frei", "masto")
    assert record is not None and record.state is State.PUBLISHED
    status = httpx.get(f"{server.url}/api/v1/statuses/{record.sent[0].id}", timeout=10).json()
    assert text in status["content"] and status["url"] == record.url
