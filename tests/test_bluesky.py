"""The Bluesky adapter against an in-memory PDS (httpx.MockTransport): payloads, record keys,
the cached session, threads, images without metadata, link cards, lookup and delete."""

from __future__ import annotations

import base64
import io
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from socialpub.channels import bluesky_records as records
from socialpub.channels.adapter import Lookup, adapter_class
from socialpub.channels.bluesky import BlueskyAdapter
from socialpub.channels.bluesky_media import read_open_graph
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import (
    AuthFailed,
    ConfigError,
    DeliveryError,
    RateLimited,
    Rejected,
    Transient,
)
from socialpub.models import Media, Part, Payload, Receipt, Sent, Variant
from socialpub.render.facets import bluesky_facets
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http

PDS = "https://pds.example"
SITE = "https://kreis.example"
DID = "did:plc:kreis"
PASSWORD = "app-pw-0123-secret"
KEY = "5f2c0d9e8b7a6f5e"
Handler = Callable[[httpx.Request], httpx.Response]


def jwt(kind: str, serial: int, expires: datetime) -> str:
    """A token shaped like the PDS's: only the exp claim matters to the adapter."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    exp = int(expires.timestamp())
    return f"{part({'typ': kind})}.{part({'exp': exp, 'n': serial})}.SIG{kind}{serial}SECRET"


def error(status: int, name: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message})


@dataclass
class FakePds:
    """Enough of com.atproto to post, plus a web site for link cards."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: list[bytes] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    handles: dict[str, str] = field(default_factory=lambda: {"nachbar.bsky.social": "did:plc:n"})
    pages: dict[str, Handler] = field(default_factory=dict)
    hooks: dict[str, Handler] = field(default_factory=dict)
    clock: FakeClock = field(default_factory=FakeClock)  # the time tokens are issued at
    serial: int = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None))
        if not url.startswith(PDS):
            self.calls.append(f"GET {url}")
            page = self.pages.get(url)
            return page(request) if page else httpx.Response(404, text="not found")
        nsid = request.url.path.removeprefix("/xrpc/")
        self.calls.append(nsid)
        if nsid in self.hooks:
            return self.hooks[nsid](request)
        handler: Handler = getattr(self, nsid.replace(".", "_"))
        return handler(request)

    def session(self) -> dict[str, str]:
        self.serial += 1
        now = self.clock.clock().now()
        access = jwt("access", self.serial, now + timedelta(hours=2))
        refresh = jwt("refresh", self.serial, now + timedelta(days=60))
        self.access.add(access)
        self.refresh.add(refresh)
        return {"did": DID, "handle": "kreis.test", "accessJwt": access, "refreshJwt": refresh}

    def expire_all(self) -> None:
        self.access.clear()

    def authed(self, request: httpx.Request, tokens: set[str]) -> bool:
        return request.headers.get("authorization", "").removeprefix("Bearer ") in tokens

    def com_atproto_server_createSession(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body != {"identifier": "kreis.test", "password": PASSWORD}:
            return error(401, "AuthenticationRequired", "Invalid identifier or password")
        return httpx.Response(200, json=self.session())

    def com_atproto_server_refreshSession(self, request: httpx.Request) -> httpx.Response:
        if not self.authed(request, self.refresh):
            return error(400, "ExpiredToken", "Token has been revoked")
        return httpx.Response(200, json=self.session())

    def com_atproto_repo_uploadBlob(self, request: httpx.Request) -> httpx.Response:
        if not self.authed(request, self.access):
            return error(400, "ExpiredToken", "Token has expired")
        self.blobs.append(request.content)
        ref = {"$link": f"bafkblob{len(self.blobs)}"}
        mime = request.headers["content-type"]
        blob = {"$type": "blob", "ref": ref, "mimeType": mime, "size": len(request.content)}
        return httpx.Response(200, json={"blob": blob})

    def com_atproto_repo_putRecord(self, request: httpx.Request) -> httpx.Response:
        if not self.authed(request, self.access):
            return error(400, "ExpiredToken", "Token has expired")
        body = json.loads(request.content)
        uri = f"at://{body['repo']}/{body['collection']}/{body['rkey']}"
        cid = f"bafyrei{abs(hash(json.dumps(body['record'], sort_keys=True))) % 10**8}"
        self.records[body["rkey"]] = {"uri": uri, "cid": cid, "value": body["record"]}
        return httpx.Response(200, json={"uri": uri, "cid": cid})

    def com_atproto_repo_getRecord(self, request: httpx.Request) -> httpx.Response:
        found = self.records.get(request.url.params["rkey"])
        if found is None:
            return error(400, "RecordNotFound", "Could not locate record: at://…")
        return httpx.Response(200, json=found)

    def com_atproto_repo_deleteRecord(self, request: httpx.Request) -> httpx.Response:
        if not self.authed(request, self.access):
            return error(400, "ExpiredToken", "Token has expired")
        self.records.pop(json.loads(request.content)["rkey"], None)
        return httpx.Response(200, json={})

    def com_atproto_identity_resolveHandle(self, request: httpx.Request) -> httpx.Response:
        did = self.handles.get(request.url.params["handle"])
        if did is None:
            return error(400, "InvalidRequest", "Unable to resolve handle")
        return httpx.Response(200, json={"did": did})

    def texts(self) -> list[str]:
        return [self.records[k]["value"]["text"] for k in sorted(self.records)]


@dataclass
class Setup:
    pds: FakePds
    clock: FakeClock
    root: Path
    state: Path | None

    def adapter(self, **settings: Any) -> BlueskyAdapter:
        values = {"handle": "kreis.test", "service": PDS, "app_password": SecretRef("BSKY_PW")}
        channel = ChannelConfig("bsky", "bluesky", {**values, **settings})
        return BlueskyAdapter(channel, self.root, self.state)

    def http(self) -> Any:
        return make_http(
            httpx.MockTransport(self.pds), {"app_password": PASSWORD}, clock=self.clock
        )

    def send(self, payload: Payload, adapter: BlueskyAdapter | None = None) -> MemoryProgress:
        progress = MemoryProgress()
        (adapter or self.adapter()).send(payload, self.http(), progress)
        return progress


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    (tmp_path / "repo").mkdir()
    clock = FakeClock()
    return Setup(FakePds(clock=clock), clock, tmp_path / "repo", tmp_path / "state")


def variant(
    *texts: str, media: tuple[Media, ...] = (), link: str | None = None, lang: str = "de"
) -> Variant:
    parts = tuple(Part(text, len(text), bluesky_facets(text)) for text in texts)
    return Variant("sperrung-b27", "bsky", "bluesky", parts, 300, "graphemes", media, lang, link)


def prepare(adapter: BlueskyAdapter, v: Variant) -> Payload:
    return adapter.prepare(v, KEY, created_at=T0)


SINGLE = "Die B 27 ist ab Montag gesperrt. #Verkehr"
THREAD = (
    "Sturmwarnung für den Landkreis 🌪️ Infos: https://kreis.example/sturm #Unwetter 1/3",
    "Bitte meidet Wälder und Parks, sagt @nachbar.bsky.social. 2/3",
    "Notruf: 112. Aktuelles bei @unbekannt.bsky.social 3/3",
)
CASES: dict[str, Variant] = {
    "single": variant(SINGLE),
    "image": variant(SINGLE, media=(Media("posts/media/b27.jpg", "Absperrgitter auf der B 27"),)),
    "thread": variant(*THREAD, lang="de"),
    "card": variant(SINGLE + " https://kreis.example/b27", link=f"{SITE}/b27"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_prepare_matches_golden(
    setup: Setup, case: str, golden: Callable[[str, Any], None]
) -> None:
    payload = prepare(setup.adapter(), CASES[case])
    golden(f"bluesky/{case}", payload.as_dict())
    assert PASSWORD not in json.dumps(payload.as_dict())


def test_prepare_is_pure_and_keys_sort_in_thread_order(setup: Setup) -> None:
    adapter = setup.adapter()
    first, again = prepare(adapter, CASES["thread"]), prepare(adapter, CASES["thread"])
    assert first == again
    rkeys = [m["body"]["rkey"] for m in first.messages]
    assert rkeys == sorted(rkeys) and len(set(rkeys)) == 3
    stamps = [m["body"]["record"]["createdAt"] for m in first.messages]
    assert stamps == [
        "2026-11-23T09:00:00.000000Z",
        "2026-11-23T09:00:00.000001Z",
        "2026-11-23T09:00:00.000002Z",
    ]
    other = adapter.prepare(CASES["thread"], "another-key", created_at=T0)
    assert [m["body"]["rkey"] for m in other.messages] != rkeys


def test_tid_encoding() -> None:
    assert records.tid(0, 0) == "2222222222222"
    # the example of the atproto TID documentation (@atcute/tid README)
    assert records.tid(1724171495793000, 512) == "3l25zusnsfck2"
    assert records.tid_parts("3l25zusnsfck2") == (1724171495793000, 512)
    biggest = records.tid((1 << 53) - 1, 1023)
    assert len(biggest) == 13 and biggest[0] in "234567ab"
    with pytest.raises(ValueError):
        records.tid(1 << 53, 0)


def test_record_key_derives_from_created_at_index_and_key() -> None:
    rkey = records.record_key(KEY, T0, 2)
    micros, clock_id = records.tid_parts(rkey)
    assert micros == int(T0.timestamp()) * 1_000_000 + 2
    assert clock_id == records.tid_parts(records.record_key(KEY, T0, 0))[1]
    assert set(rkey) <= set(records.TID_ALPHABET) and len(rkey) == 13
    assert rkey == records.record_key(KEY, T0, 2)


def test_send_posts_with_write_ahead_and_returns_links(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    progress = setup.send(payload)
    rkey = payload.messages[0]["body"]["rkey"]
    assert progress.events == [("before", 0), ("after", 0)]
    assert progress.done[0].url == f"https://bsky.app/profile/kreis.test/post/{rkey}"
    assert progress.done[0].refs["uri"] == f"at://{DID}/app.bsky.feed.post/{rkey}"
    stored = setup.pds.records[rkey]["value"]
    assert stored["text"] == SINGLE and stored["langs"] == ["de"] and "embed" not in stored
    assert stored["facets"][0]["features"] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "Verkehr"}
    ]


def test_resend_overwrites_instead_of_duplicating(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["thread"])
    setup.send(payload)
    setup.send(payload)
    assert len(setup.pds.records) == 3


def test_thread_replies_and_mentions(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["thread"])
    sent = setup.send(payload).done
    first, second, third = (setup.pds.records[s.refs["rkey"]]["value"] for s in sent)
    root = {"uri": sent[0].refs["uri"], "cid": sent[0].refs["cid"]}
    assert "reply" not in first
    assert second["reply"] == {"root": root, "parent": root}
    assert third["reply"]["parent"] == {"uri": sent[1].refs["uri"], "cid": sent[1].refs["cid"]}
    mention = second["facets"][0]["features"][0]
    assert mention == {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:n"}
    assert "facets" not in third  # @unbekannt… does not resolve: stays plain text
    link = first["facets"][0]
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert THREAD[0].encode()[start:end] == b"https://kreis.example/sturm"


def test_resume_sends_only_the_rest_and_replies_to_the_ledger_refs(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["thread"])
    done = setup.send(payload).done
    setup.pds.calls.clear()
    progress = MemoryProgress(done=[done[0]])
    setup.adapter().send(payload, setup.http(), progress)
    assert setup.pds.calls.count("com.atproto.repo.putRecord") == 2
    assert progress.events == [("before", 1), ("after", 1), ("before", 2), ("after", 2)]
    second = setup.pds.records[progress.done[1].refs["rkey"]]["value"]
    assert second["reply"]["root"]["uri"] == done[0].refs["uri"]


def test_resume_without_refs_looks_the_first_part_up(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["thread"])
    done = setup.send(payload).done
    progress = MemoryProgress(done=[Sent(id="", url=done[0].url)])
    setup.adapter().send(payload, setup.http(), progress)
    second = setup.pds.records[progress.done[1].refs["rkey"]]["value"]
    assert second["reply"]["root"] == {"uri": done[0].refs["uri"], "cid": done[0].refs["cid"]}


def test_session_is_cached_and_reused(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    setup.send(payload)
    setup.send(payload)  # a new adapter, as in the next run
    assert setup.pds.calls.count("com.atproto.server.createSession") == 1
    assert setup.state is not None
    cache = setup.state / "bluesky-bsky-session.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert PASSWORD not in cache.read_text()
    # no temp file left; the folder ignores itself in git
    assert sorted(p.name for p in setup.state.iterdir()) == [".gitignore", cache.name]


def test_cache_of_another_account_is_not_used(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    setup.send(payload)
    other = setup.adapter(handle="presse.test")
    with pytest.raises(AuthFailed):  # it logs in as presse.test, which the PDS refuses
        setup.send(payload, other)
    assert setup.pds.calls.count("com.atproto.server.createSession") == 2


def test_without_state_dir_the_session_lives_in_memory(setup: Setup) -> None:
    setup.state = None
    adapter = setup.adapter()
    payload = prepare(adapter, CASES["single"])
    setup.send(payload, adapter)
    setup.send(payload, adapter)
    assert setup.pds.calls.count("com.atproto.server.createSession") == 1


def test_expired_access_token_is_refreshed_before_use(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    setup.send(payload)
    setup.clock.elapsed += 3 * 3600  # past the access token's exp
    setup.send(payload)
    calls = setup.pds.calls
    assert calls.count("com.atproto.server.refreshSession") == 1
    assert calls.count("com.atproto.server.createSession") == 1


def test_refused_token_is_refreshed_and_the_call_repeated(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    setup.send(payload)
    setup.pds.expire_all()  # the server says ExpiredToken although exp is still ahead
    setup.send(payload)
    assert setup.pds.calls[-3:] == [
        "com.atproto.repo.putRecord",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.putRecord",
    ]


def test_login_again_when_refresh_fails(setup: Setup) -> None:
    payload = prepare(setup.adapter(), CASES["single"])
    setup.send(payload)
    setup.pds.expire_all()
    setup.pds.refresh.clear()
    setup.send(payload)
    assert setup.pds.calls.count("com.atproto.server.refreshSession") == 1
    assert setup.pds.calls.count("com.atproto.server.createSession") == 2


def gps_jpeg(path: Path, size: tuple[int, int] = (640, 480), noise: bool = False) -> None:
    picture = (
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        if noise
        else Image.new("RGB", size, (30, 120, 200))
    )
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, "JPEG", exif=exif, quality=95)
    assert Image.open(path).getexif().get_ifd(0x8825)  # the source does carry a position


def test_uploaded_images_carry_no_exif_and_fit_the_limit(setup: Setup) -> None:
    gps_jpeg(setup.root / "posts/media/b27.jpg", (900, 600), noise=True)
    adapter = setup.adapter(image_max_bytes=120_000)
    setup.send(prepare(adapter, CASES["image"]), adapter)
    (data,) = setup.pds.blobs
    assert len(data) <= 120_000
    uploaded = Image.open(io.BytesIO(data))
    assert not uploaded.getexif() and b"SpyCam" not in data and b"Exif" not in data
    (record,) = setup.pds.records.values()
    (image,) = record["value"]["embed"]["images"]
    assert image["alt"] == "Absperrgitter auf der B 27"
    assert image["image"]["ref"] == {"$link": "bafkblob1"}
    assert image["aspectRatio"] == {"width": uploaded.width, "height": uploaded.height}
    assert uploaded.width < 900  # shrunk to fit


def html_page(body: str) -> Handler:
    return lambda request: httpx.Response(
        200, headers={"content-type": "text/html; charset=utf-8"}, text=body
    )


OG_PAGE = """<html><head><title>Fallback</title>
<meta property="og:title" content="Sperrung der B 27 &amp; Umleitung">
<meta property="og:description" content="Ab Montag,   drei Wochen.">
<meta property="og:image" content="/bilder/b27.jpg"></head><body>…</body></html>"""


def test_link_card_from_open_graph_tags(setup: Setup) -> None:
    gps_jpeg(setup.root / "thumb.jpg")
    thumb = (setup.root / "thumb.jpg").read_bytes()
    setup.pds.pages[f"{SITE}/b27"] = html_page(OG_PAGE)
    setup.pds.pages[f"{SITE}/bilder/b27.jpg"] = lambda r: httpx.Response(200, content=thumb)
    setup.send(prepare(setup.adapter(), CASES["card"]))
    (record,) = setup.pds.records.values()
    external = record["value"]["embed"]["external"]
    assert external["uri"] == f"{SITE}/b27"
    assert external["title"] == "Sperrung der B 27 & Umleitung"
    assert external["description"] == "Ab Montag, drei Wochen."
    assert external["thumb"]["ref"] == {"$link": "bafkblob1"}
    assert b"SpyCam" not in setup.pds.blobs[0]


@pytest.mark.parametrize(
    ("page", "picture", "expect"),
    [
        (None, None, None),  # 404: no card
        (lambda r: httpx.Response(500), None, None),
        (lambda r: httpx.Response(200, json={"not": "html"}), None, None),
        (html_page(OG_PAGE), None, "no thumb"),  # the picture is missing
        (html_page(OG_PAGE), lambda r: httpx.Response(200, content=b"GIF89a broken"), "no thumb"),
        (html_page("<title> Nur ein Titel </title>"), None, "no thumb"),
    ],
)
def test_a_failing_card_never_fails_the_post(
    setup: Setup, page: Handler | None, picture: Handler | None, expect: str | None
) -> None:
    if page:
        setup.pds.pages[f"{SITE}/b27"] = page
    if picture:
        setup.pds.pages[f"{SITE}/bilder/b27.jpg"] = picture
    progress = setup.send(prepare(setup.adapter(), CASES["card"]))
    assert len(progress.done) == 1
    (record,) = setup.pds.records.values()
    embed = record["value"].get("embed")
    if expect is None:
        assert embed is None
    else:
        assert "thumb" not in embed["external"] and embed["external"]["title"]


def test_link_cards_can_be_switched_off(setup: Setup) -> None:
    payload = prepare(setup.adapter(link_cards=False), CASES["card"])
    assert "embed" not in payload.messages[0]["body"]["record"]


def test_open_graph_falls_back_to_title_and_description() -> None:
    found = read_open_graph('<title>A\n b</title><meta name="description" content="D">')
    assert (found.title, found.description, found.image) == ("A b", "D", "")


def test_lookup_records_what_exists_and_stops_at_the_first_gap(setup: Setup) -> None:
    adapter = setup.adapter()
    payload = prepare(adapter, CASES["thread"])
    done = setup.send(payload).done
    progress = MemoryProgress()
    assert adapter.lookup(payload, setup.http(), progress) is Lookup.FOUND
    assert progress.done == done
    del setup.pds.records[done[2].refs["rkey"]]
    partial = MemoryProgress(done=[done[0]])
    assert adapter.lookup(payload, setup.http(), partial) is Lookup.ABSENT
    assert partial.done == done[:2]


def test_delete_removes_every_part_last_first(setup: Setup) -> None:
    adapter = setup.adapter()
    done = setup.send(prepare(adapter, CASES["thread"])).done
    setup.pds.calls.clear()
    deleted: list[str] = []
    remove = setup.pds.com_atproto_repo_deleteRecord

    def record_order(request: httpx.Request) -> httpx.Response:
        deleted.append(json.loads(request.content)["rkey"])
        return remove(request)

    setup.pds.hooks["com.atproto.repo.deleteRecord"] = record_order
    adapter.delete(setup.http(), Receipt(tuple(done)))
    assert deleted == [s.refs["rkey"] for s in reversed(done)]
    assert setup.pds.records == {}
    setup.pds.hooks["com.atproto.repo.deleteRecord"] = lambda r: error(
        400, "RecordNotFound", "Could not locate record"
    )
    adapter.delete(setup.http(), Receipt(tuple(done)))  # gone already: fine


def test_bluesky_cannot_edit(setup: Setup) -> None:
    adapter = setup.adapter()
    with pytest.raises(Rejected):
        adapter.edit(prepare(adapter, CASES["single"]), setup.http(), Receipt(()))


def test_videos_are_refused_before_anything_is_posted(setup: Setup) -> None:
    adapter = setup.adapter()
    v = variant(SINGLE, media=(Media("clip.mp4", "Ein Video"),))
    with pytest.raises(Rejected):
        setup.send(prepare(adapter, v), adapter)
    assert setup.pds.records == {}


def test_wrong_password_fails_without_showing_it(setup: Setup) -> None:
    setup.pds.hooks["com.atproto.server.createSession"] = lambda r: error(
        401, "AuthenticationRequired", f"Invalid password {json.loads(r.content)['password']}"
    )
    with pytest.raises(AuthFailed) as caught:
        setup.send(prepare(setup.adapter(), CASES["single"]))
    assert PASSWORD not in str(caught.value)


def test_tokens_echoed_by_the_server_are_scrubbed(setup: Setup) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        return error(400, "InvalidRequest", f"record rejected for {token}")

    setup.pds.hooks["com.atproto.repo.putRecord"] = echo
    with pytest.raises(Rejected) as caught:
        setup.send(prepare(setup.adapter(), CASES["single"]))
    assert "SECRET" not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>proxy error</html>"),
        httpx.Response(200, json={"uri": 7}),
        httpx.Response(200, json=["nope"]),
    ],
)
def test_malformed_answers_are_transient_and_maybe_sent(
    setup: Setup, answer: httpx.Response
) -> None:
    setup.pds.hooks["com.atproto.repo.putRecord"] = lambda r: answer
    with pytest.raises(Transient) as caught:
        setup.send(prepare(setup.adapter(), CASES["single"]))
    assert caught.value.maybe_sent


def test_malformed_login_answer_is_an_error_of_the_tree(setup: Setup) -> None:
    setup.pds.hooks["com.atproto.server.createSession"] = lambda r: httpx.Response(
        200, json={"did": DID}
    )
    with pytest.raises(DeliveryError):
        setup.send(prepare(setup.adapter(), CASES["single"]))


def test_missing_app_password_is_a_config_error(setup: Setup) -> None:
    http = make_http(httpx.MockTransport(setup.pds), {}, clock=setup.clock)
    with pytest.raises(ConfigError):
        setup.adapter().send(prepare(setup.adapter(), CASES["single"]), http, MemoryProgress())


@pytest.mark.parametrize(
    "settings", [{"image_max_bytes": "1 MB"}, {"link_cards": "ja"}, {"handle": ""}]
)
def test_bad_settings_are_config_errors(setup: Setup, settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        setup.adapter(**settings)


def test_the_channel_module_exports_the_adapter() -> None:
    assert adapter_class("bluesky") is BlueskyAdapter
    assert BlueskyAdapter.idempotent and BlueskyAdapter.idempotency_window is None


def always(failure: Exception | httpx.Response) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        return failure

    return handler


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("refused"), Transient),
        (httpx.ReadTimeout("slow"), Transient),
        (error(401, "AuthenticationRequired", "Authentication Required"), AuthFailed),
        (error(403, "Forbidden", "no"), AuthFailed),
        (httpx.Response(429, headers={"Retry-After": "86400"}, json={}), RateLimited),
        (error(500, "InternalServerError", "boom"), Transient),
        (error(400, "InvalidRequest", "Record/text must not be longer than 300"), Rejected),
    ],
)
def test_failures_map_onto_the_error_tree_without_secrets(
    setup: Setup, failure: Exception | httpx.Response, expected: type[Exception]
) -> None:
    setup.pds.hooks["com.atproto.repo.putRecord"] = always(failure)
    with pytest.raises(expected) as caught:
        setup.send(prepare(setup.adapter(), CASES["single"]))
    text = str(caught.value)
    assert PASSWORD not in text and "SECRET" not in text and "Bearer" not in text


def test_a_rate_limit_is_waited_out(setup: Setup) -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}, json={})])
    put = setup.pds.com_atproto_repo_putRecord
    setup.pds.hooks["com.atproto.repo.putRecord"] = lambda r: next(answers, None) or put(r)
    progress = setup.send(prepare(setup.adapter(), CASES["single"]))
    assert len(progress.done) == 1 and 7.0 in setup.clock.sleeps
