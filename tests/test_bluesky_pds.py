"""The Bluesky adapter and `socialpub publish/delete` against the real, official PDS
(shared/tools/bluesky-pds), checked by reading the records back from the PDS itself.

Skipped only with SOCIALPUB_SKIP_PDS=1; a PDS that does not start fails the tests.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from socialpub.channels.adapter import Lookup
from socialpub.channels.bluesky import BlueskyAdapter
from socialpub.cli import app
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed
from socialpub.models import Media, Part, Payload, Receipt, Variant
from socialpub.net.http import Clock, Http, make_client
from socialpub.render.facets import bluesky_facets
from tests.adapterkit import MemoryProgress
from tests.conftest import Repo
from tests.pds import Account, Pds, create_account, running_pds, web_site
from tests.test_bluesky import gps_jpeg

POST_TEXT = "Die B 27 ist gesperrt 🚧 Infos: https://kreis.example/b27 #Verkehr @alice.test"
THREAD = ("Sturmwarnung für den Landkreis 1/3", "Bitte meidet die Wälder. 2/3", "Notruf 112 3/3")


@pytest.fixture(scope="session")
def pds() -> Iterator[Pds]:
    with running_pds() as server:
        yield server


@pytest.fixture(scope="session")
def alice(pds: Pds) -> Account:
    return create_account(pds, "alice.test")


@pytest.fixture
def adapter(alice: Account, tmp_path: Path) -> BlueskyAdapter:
    return make_adapter(alice, tmp_path)


def make_adapter(account: Account, root: Path, **settings: Any) -> BlueskyAdapter:
    values = {"handle": account.handle, "service": account.pds.url, "app_password": SecretRef("X")}
    channel = ChannelConfig("bsky", "bluesky", {**values, **settings})
    return BlueskyAdapter(channel, root, root / "state")


def real_http(account: Account) -> Http:
    clock = Clock(now=lambda: datetime.now(UTC), monotonic=time.monotonic, sleep=time.sleep)
    return Http(
        make_client(), channel="bsky", secrets={"app_password": account.password}, clock=clock
    )


def variant(*texts: str, media: tuple[Media, ...] = (), link: str | None = None) -> Variant:
    parts = tuple(Part(text, len(text), bluesky_facets(text)) for text in texts)
    return Variant("p", "bsky", "bluesky", parts, 300, "graphemes", media, "de", link)


def send(adapter: BlueskyAdapter, account: Account, payload: Payload) -> MemoryProgress:
    progress = MemoryProgress()
    receipt = adapter.send(payload, real_http(account), progress)
    assert receipt.sent == tuple(progress.done)
    return progress


def value(account: Account, rkey: str) -> dict[str, Any]:
    answer = account.pds.record(account.did, rkey)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["value"]
    return found


def facet_texts(record: dict[str, Any]) -> dict[str, str]:
    data = record["text"].encode()
    return {
        feature["$type"].rsplit("#", 1)[1]: data[
            facet["index"]["byteStart"] : facet["index"]["byteEnd"]
        ].decode()
        for facet in record["facets"]
        for feature in facet["features"]
    }


def assert_clean_image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    assert not picture.getexif() and b"SpyCam" not in data
    return picture


def test_post_with_image_alt_text_and_facets(
    adapter: BlueskyAdapter, alice: Account, tmp_path: Path
) -> None:
    gps_jpeg(tmp_path / "foto.jpg", (800, 600))
    payload = adapter.prepare(
        variant(POST_TEXT, media=(Media("foto.jpg", "Absperrgitter"),)),
        "k-image",
        created_at=datetime.now(UTC),
    )
    (sent,) = send(adapter, alice, payload).done
    record = value(alice, sent.refs["rkey"])
    assert record["text"] == POST_TEXT and record["langs"] == ["de"]
    assert facet_texts(record) == {
        "link": "https://kreis.example/b27",
        "tag": "#Verkehr",
        "mention": "@alice.test",
    }
    features = [f for facet in record["facets"] for f in facet["features"]]
    assert {"$type": "app.bsky.richtext.facet#mention", "did": alice.did} in features
    (image,) = record["embed"]["images"]
    assert image["alt"] == "Absperrgitter"
    assert image["aspectRatio"] == {"width": 800, "height": 600}
    assert_clean_image(alice.pds.blob(alice.did, image["image"]["ref"]["$link"]))


def test_thread_resend_lookup_and_delete(
    adapter: BlueskyAdapter, alice: Account, tmp_path: Path
) -> None:
    payload = adapter.prepare(variant(*THREAD), "k-thread", created_at=datetime.now(UTC))
    done = send(adapter, alice, payload).done
    first, second, third = (value(alice, s.refs["rkey"]) for s in done)
    root = {"uri": done[0].refs["uri"], "cid": done[0].refs["cid"]}
    assert [r["text"] for r in (first, second, third)] == list(THREAD)
    assert "reply" not in first and second["reply"] == {"root": root, "parent": root}
    assert third["reply"] == {
        "root": root,
        "parent": {"uri": done[1].refs["uri"], "cid": done[1].refs["cid"]},
    }
    count = alice.pds.post_count(alice.did)
    again = send(make_adapter(alice, tmp_path), alice, payload).done  # a retry, next run
    assert [s.id for s in again] == [s.id for s in done]
    assert alice.pds.post_count(alice.did) == count
    found = MemoryProgress()
    assert adapter.lookup(payload, real_http(alice), found) is Lookup.FOUND
    assert found.done == done
    adapter.delete(real_http(alice), Receipt(tuple(done)))
    for sent in done:
        answer = alice.pds.record(alice.did, sent.refs["rkey"])
        assert answer.status_code == 400 and answer.json()["error"] == "RecordNotFound"
    assert adapter.lookup(payload, real_http(alice), MemoryProgress()) is Lookup.ABSENT
    assert alice.pds.post_count(alice.did) == count - 3


def test_link_card_with_thumbnail_from_a_local_page(
    adapter: BlueskyAdapter, alice: Account, tmp_path: Path
) -> None:
    gps_jpeg(tmp_path / "thumb.jpg", (1200, 630))
    page = (
        '<html><head><meta property="og:title" content="Sperrung der B 27">'
        '<meta property="og:description" content="Drei Wochen Umleitung.">'
        '<meta property="og:image" content="/thumb.jpg"></head></html>'
    )
    files = {
        "/b27": ("text/html; charset=utf-8", page.encode()),
        "/thumb.jpg": ("image/jpeg", (tmp_path / "thumb.jpg").read_bytes()),
    }
    with web_site(files) as site:
        link = f"{site}/b27"
        payload = adapter.prepare(
            variant("Die B 27 ist gesperrt.", link=link), "k-card", created_at=datetime.now(UTC)
        )
        (sent,) = send(adapter, alice, payload).done
    external = value(alice, sent.refs["rkey"])["embed"]["external"]
    assert external["uri"] == link
    assert (external["title"], external["description"]) == (
        "Sperrung der B 27",
        "Drei Wochen Umleitung.",
    )
    thumb = alice.pds.blob(alice.did, external["thumb"]["ref"]["$link"])
    assert len(thumb) <= 1_000_000
    assert assert_clean_image(thumb).size == (1200, 630)


def test_session_is_reused_and_a_refused_token_refreshed(alice: Account, tmp_path: Path) -> None:
    payload = make_adapter(alice, tmp_path).prepare(
        variant("Sitzung"), "k-session", created_at=datetime.now(UTC)
    )
    logins = alice.pds.requests_to("com.atproto.server.createSession")
    send(make_adapter(alice, tmp_path), alice, payload)
    send(make_adapter(alice, tmp_path), alice, payload)  # next run: the cached session
    assert alice.pds.requests_to("com.atproto.server.createSession") == logins + 1
    cache = tmp_path / "state" / "bluesky-bsky-session.json"
    data = json.loads(cache.read_text())
    cache.write_text(json.dumps({**data, "accessJwt": "not.a-valid.token"}))
    refreshes = alice.pds.requests_to("com.atproto.server.refreshSession")
    send(make_adapter(alice, tmp_path), alice, payload)  # the PDS says InvalidToken (400)
    assert alice.pds.requests_to("com.atproto.server.refreshSession") == refreshes + 1
    assert alice.pds.requests_to("com.atproto.server.createSession") == logins + 1


def test_wrong_app_password_is_auth_failed_without_the_password(
    alice: Account, tmp_path: Path
) -> None:
    wrong = Account(alice.pds, alice.handle, alice.did, "wrong-password-xyz")
    adapter = make_adapter(wrong, tmp_path)
    payload = adapter.prepare(variant("x"), "k-wrong", created_at=datetime.now(UTC))
    with pytest.raises(AuthFailed, match="HTTP 401") as caught:
        send(adapter, wrong, payload)
    assert "wrong-password-xyz" not in str(caught.value)


CLI_CONFIG = """\
timezone: Europe/Berlin
lang: de
channels:
  bluesky:
    type: bluesky
    handle: {handle}
    service: {url}
    app_password: ${{BLUESKY_APP_PASSWORD}}
    link_cards: false
"""


def test_publish_and_delete_through_the_command_line(pds: Pds, repo: Repo) -> None:
    carol = create_account(pds, "carol.test")
    repo.write_config(CLI_CONFIG.format(handle=carol.handle, url=pds.url))
    gps_jpeg(repo.root / "posts/media/foto.jpg")
    repo.post(
        "bild.md",
        "---\nid: bild\ntitle: Sperrung\nstatus: approved\napproved_by: Anna\n"
        "media:\n  - file: posts/media/foto.jpg\n    alt: Ein blaues Foto\n---\n"
        "Die B 27 ist gesperrt 🚧 Infos: https://kreis.example/b27 #Verkehr\n",
    )
    sentences = " ".join(f"Satz {i} über die Sturmwarnung im Landkreis." for i in range(1, 17))
    repo.post(
        "faden.md",
        "---\nid: faden\ntitle: Sturm\nstatus: approved\napproved_by: Anna\nthread: true\n"
        f"---\n{sentences}\n",
    )
    env = {"BLUESKY_APP_PASSWORD": carol.password}
    outcomes = cli(repo, env, "publish", "--json")
    assert {o["post"]: o["result"] for o in outcomes} == {"bild": "published", "faden": "published"}
    assert pds.post_count(carol.did) == 4  # one post and a thread of three
    records = [r["value"] for r in listed(pds, carol.did)]
    (image_post,) = [r for r in records if "embed" in r]
    assert image_post["embed"]["images"][0]["alt"] == "Ein blaues Foto"
    assert facet_texts(image_post)["link"] == "https://kreis.example/b27"
    assert sum("reply" in r for r in records) == 2
    assert cli(repo, env, "publish", "--json") == []  # nothing new the second time
    assert pds.post_count(carol.did) == 4
    deleted = cli(repo, env, "delete", "faden", "--json")
    assert [d["result"] for d in deleted] == ["deleted"]
    assert pds.post_count(carol.did) == 1


def cli(repo: Repo, env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--config", str(repo.config)], env=env)
    assert result.exit_code == 0, result.stderr
    assert env["BLUESKY_APP_PASSWORD"] not in result.stdout + result.stderr
    return json.loads(result.stdout)


def listed(pds: Pds, did: str) -> list[dict[str, Any]]:
    answer = pds.get(
        "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit="100"
    )
    records: list[dict[str, Any]] = answer.json()["records"]
    return records
