"""The Mastodon adapter against an in-memory Mastodon (httpx.MockTransport): the payloads it
prepares (golden files), sending with media, threads, idempotency and resume, edit, delete,
reconcile's lookup, the instance's limits and their cache, metadata stripping, secrecy."""

from __future__ import annotations

import email
import email.policy
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from socialpub.channels import mastodon_api
from socialpub.channels.adapter import Lookup, adapter_class
from socialpub.channels.mastodon import ADAPTER, MastodonAdapter
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, DeliveryError, Rejected, Transient
from socialpub.models import Media, Part, Payload, Receipt, Sent, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http

INSTANCE = "https://social.example"
TOKEN = "tok-3f9a7c1e5b2d8f4a"  # a secret that must never show up anywhere
GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: EXIF with GPS position and camera maker."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 7.0, 12.5), 3: "E", 4: (8.0, 16.0, 3.2)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def html_of(text: str) -> str:
    """Roughly how Mastodon renders plain text: paragraphs, line breaks, entities."""
    paragraphs = html.escape(text, quote=False).split("\n\n")
    return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs)


def form_parts(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """A multipart request's fields: name → (file name, bytes)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        parts[name] = (part.get_filename(), data)
    return parts


@dataclass
class FakeMastodon:
    """Just enough Mastodon: statuses (with Idempotency-Key), scheduled statuses, async media."""

    max_characters: int = 500
    processing_polls: int = 0  # answers of 206 before an uploaded media is processed
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    scheduled: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    #: (method, path) → a function that may answer instead (fault injection)
    faults: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response | None]] = field(
        default_factory=dict
    )
    last_id: int = 100

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = (request.method, request.url.path)
        fault = self.faults.get(route)
        answer = fault(request) if fault else None
        if answer is not None:
            return answer
        if route == ("GET", "/api/v2/instance"):
            return self._instance()
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": "The access token is invalid"})
        return self._route(request, *route)

    def calls(self, method: str = "", prefix: str = "") -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (not method or r.method == method) and r.url.path.startswith(prefix)
        ]

    def add_status(self, text: str, reply_to: str | None = None) -> dict[str, Any]:
        self.last_id += 1
        status_id = str(self.last_id)
        self.statuses[status_id] = {
            "id": status_id,
            "url": f"{INSTANCE}/@kreis/{status_id}",
            "content": html_of(text),
            "in_reply_to_id": reply_to,
            "media_attachments": [],
        }
        return self.statuses[status_id]

    def _route(self, request: httpx.Request, method: str, path: str) -> httpx.Response:
        tail = path.rsplit("/", 1)[-1]
        if (method, path) == ("POST", "/api/v1/statuses"):
            return self._post_status(request)
        if (method, path) == ("POST", "/api/v2/media"):
            return self._upload(request)
        if method == "GET" and path.startswith("/api/v1/media/"):
            item = self.media[tail]
            item["polls"] -= 1
            if item["polls"] >= 0:
                return httpx.Response(206)
            return httpx.Response(200, json={"id": tail, "url": f"{INSTANCE}/m/{tail}"})
        if method == "PUT" and path.startswith("/api/v1/statuses/"):
            return self._put_status(tail, json.loads(request.content))
        if method == "DELETE":
            store = self.scheduled if "/scheduled_statuses/" in path else self.statuses
            found = store.pop(tail, None)
            return (
                httpx.Response(404, json={"error": "Record not found"})
                if found is None
                else (httpx.Response(200, json=found))
            )
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, json={"id": "7", "username": "kreis"})
        if path == "/api/v1/accounts/7/statuses":
            return httpx.Response(200, json=self._page(request.url.params))
        if path == "/api/v1/scheduled_statuses":
            return httpx.Response(200, json=list(self.scheduled.values()))
        return httpx.Response(404, json={"error": "Not found"})

    def _instance(self) -> httpx.Response:
        configuration = {
            "statuses": {"max_characters": self.max_characters, "max_media_attachments": 4},
            "media_attachments": {"image_size_limit": 8_000_000, "image_matrix_limit": 4_000_000},
        }
        return httpx.Response(
            200, json={"domain": "social.example", "configuration": configuration}
        )

    def _post_status(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key in self.keys:
            known = self.keys[key]
            return httpx.Response(200, json=self.statuses.get(known) or self.scheduled[known])
        body = json.loads(request.content)
        if "scheduled_at" in body:
            self.last_id += 1
            answer = {
                "id": str(self.last_id),
                "scheduled_at": body["scheduled_at"],
                "params": {"text": body["status"], "visibility": body["visibility"]},
                "media_attachments": [{"id": m} for m in body.get("media_ids", [])],
            }
            self.scheduled[answer["id"]] = answer
        else:
            answer = self.add_status(body["status"], body.get("in_reply_to_id"))
            answer["media_attachments"] = [{"id": m} for m in body.get("media_ids", [])]
            answer.update({k: body.get(k) for k in ("spoiler_text", "visibility", "language")})
        if key:
            self.keys[key] = answer["id"]
        return httpx.Response(200, json=answer)

    def _put_status(self, status_id: str, body: dict[str, Any]) -> httpx.Response:
        status = self.statuses.get(status_id)
        if status is None:
            return httpx.Response(404, json={"error": "Record not found"})
        status.update(content=html_of(body["status"]), spoiler_text=body["spoiler_text"])
        if "media_ids" in body:
            status["media_attachments"] = [{"id": m} for m in body["media_ids"]]
        return httpx.Response(200, json=status)

    def _upload(self, request: httpx.Request) -> httpx.Response:
        self.last_id += 1
        media_id = str(self.last_id)
        fields = form_parts(request)
        self.media[media_id] = {"polls": self.processing_polls, "fields": fields}
        if self.processing_polls:
            return httpx.Response(202, json={"id": media_id, "url": None})
        return httpx.Response(200, json={"id": media_id, "url": f"{INSTANCE}/m/{media_id}"})

    def _page(self, params: httpx.QueryParams) -> list[dict[str, Any]]:
        newest_first = sorted(self.statuses.values(), key=lambda s: -int(s["id"]))
        below = int(params.get("max_id", 10**9))
        above = int(params.get("since_id", 0))
        chosen = [s for s in newest_first if above < int(s["id"]) < below]
        return chosen[: int(params.get("limit", 20))]


@dataclass
class World:
    root: Path
    fake: FakeMastodon
    clock: FakeClock
    state: Path

    def adapter(self, **settings: Any) -> MastodonAdapter:
        values = {"instance": INSTANCE + "/", "token": SecretRef("MASTO_TOKEN"), **settings}
        channel = ChannelConfig(name="masto", type="mastodon", settings=values)
        return MastodonAdapter(channel, self.root, self.state)

    def http(self) -> Any:
        return make_http(
            httpx.MockTransport(self.fake), {"token": TOKEN}, channel="masto", clock=self.clock
        )

    def image(self, name: str = "foto.jpg", data: bytes | None = None) -> Media:
        path = self.root / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(jpeg_with_gps() if data is None else data)
        return Media(f"media/{name}", alt=f"Alt-Text zu {name}")

    def send(self, payload: Payload, progress: MemoryProgress | None = None) -> Receipt:
        return self.adapter().send(payload, self.http(), progress or MemoryProgress())


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "repo", FakeMastodon(), FakeClock(), tmp_path / "state")


def variant(*texts: str, media: tuple[Media, ...] = (), lang: str = "de") -> Variant:
    parts = tuple(Part(text, len(text)) for text in texts)
    return Variant("kreistag", "masto", "mastodon", parts, 500, "graphemes", media, lang)


THREAD = (
    "Der Kreistag tagt am Mittwoch. 1/3",
    "Tagesordnung: Haushalt. 2/3",
    "Gäste willkommen. 3/3",
)
KEY = "4b1d0c2e9a7f3e51"


def prepare(adapter: MastodonAdapter, v: Variant, **kwargs: Any) -> Payload:
    return adapter.prepare(v, KEY, created_at=T0, **kwargs)


# --- prepare: golden ------------------------------------------------------------------


def test_the_adapter_is_registered_for_the_channel_type() -> None:
    assert adapter_class("mastodon") is ADAPTER is MastodonAdapter
    assert MastodonAdapter.idempotent and MastodonAdapter.idempotency_window == timedelta(hours=1)
    assert MastodonAdapter.default_rate == (300, 300.0)


@pytest.mark.parametrize(
    ("case", "texts", "settings", "extra"),
    [
        ("single", ("Der Kreistag tagt am Mittwoch um 17 Uhr. #Kreistag",), {}, {}),
        ("thread", THREAD, {}, {}),
        ("content-warning-unlisted", ("Unfall auf der B 27.",), {
            "visibility": "unlisted", "content_warning": "Verkehrsunfall"}, {}),
        ("scheduled", ("Morgen: Tag der offenen Tür.",), {"schedule": "native"}, {
            "schedule_at": T0 + timedelta(days=1, hours=2)}),
    ],
)  # fmt: skip
def test_prepare_golden(
    world: World,
    golden: Callable[[str, Any], None],
    case: str,
    texts: tuple[str, ...],
    settings: dict[str, Any],
    extra: dict[str, Any],
) -> None:
    payload = prepare(world.adapter(**settings), variant(*texts), **extra)
    golden(f"mastodon/{case}", payload.as_dict())


def test_prepare_golden_with_an_image_and_alt_text(
    world: World, golden: Callable[[str, Any], None]
) -> None:
    media = (
        Media("media/foto.jpg", alt="Landrätin am Rednerpult"),
        Media("media/plan.png", "Lageplan"),
    )
    payload = prepare(world.adapter(), variant("Mit Bildern.", media=media))
    golden("mastodon/image-alt", payload.as_dict())
    assert payload.messages[0]["body"]["media_ids"] == ["<id of media 1>", "<id of media 2>"]


def test_prepare_is_pure_and_never_shows_the_token(world: World) -> None:
    adapter = world.adapter()
    first = prepare(adapter, variant(*THREAD))
    assert first == prepare(adapter, variant(*THREAD))
    text = json.dumps(first.as_dict())
    assert "Authorization" not in text and "MASTO_TOKEN" not in text and TOKEN not in text
    assert world.fake.requests == []


# --- send -----------------------------------------------------------------------------


def test_send_a_single_status(world: World) -> None:
    progress = MemoryProgress()
    receipt = world.send(prepare(world.adapter(), variant("Hallo Kreis!")), progress)
    (status,) = world.fake.statuses.values()
    assert receipt.url == status["url"] and not receipt.scheduled
    assert progress.events == [("before", 0), ("after", 0)]
    (post,) = world.fake.calls("POST", "/api/v1/statuses")
    assert json.loads(post.content) == {
        "status": "Hallo Kreis!",
        "language": "de",
        "visibility": "public",
    }
    assert post.headers["idempotency-key"] == f"{KEY}-0"


def test_a_thread_answers_each_previous_part_with_its_own_key(world: World) -> None:
    receipt = world.send(prepare(world.adapter(), variant(*THREAD)))
    posts = world.fake.calls("POST", "/api/v1/statuses")
    assert [p.headers["idempotency-key"] for p in posts] == [f"{KEY}-0", f"{KEY}-1", f"{KEY}-2"]
    ids = [sent.id for sent in receipt.sent]
    replies = [json.loads(p.content).get("in_reply_to_id") for p in posts]
    assert replies == [None, ids[0], ids[1]]
    assert [world.fake.statuses[i]["in_reply_to_id"] for i in ids] == [None, ids[0], ids[1]]


def test_media_are_uploaded_first_and_polled_until_processed(world: World) -> None:
    world.fake.processing_polls = 2
    media = (world.image("a.jpg"), world.image("b.jpg"))
    receipt = world.send(prepare(world.adapter(), variant("Mit Fotos.", media=media)))
    uploads = world.fake.calls("POST", "/api/v2/media")
    polls = world.fake.calls("GET", "/api/v1/media/")
    assert len(uploads) == 2 and len(polls) == 2 * 3  # two 206, then 200, per file
    assert world.clock.sleeps == [mastodon_api.MEDIA_POLL_SECONDS] * 6
    ids = list(world.fake.media)
    (status,) = world.fake.statuses.values()
    assert [m["id"] for m in status["media_attachments"]] == ids
    assert receipt.sent[0].refs == {
        "media_ids": ids,
        "media": [["media/a.jpg", "Alt-Text zu a.jpg"], ["media/b.jpg", "Alt-Text zu b.jpg"]],
    }
    fields = world.fake.media[ids[0]]["fields"]
    assert fields["description"][1].decode() == "Alt-Text zu a.jpg"
    assert fields["file"][0] == "image.jpeg"  # the original file name stays at home
    last = world.fake.requests.index(uploads[-1])
    assert all(world.fake.requests.index(p) > last for p in world.fake.calls("POST", "/api/v1/s"))


def test_media_that_never_finish_processing_fail_before_any_status(world: World) -> None:
    world.fake.processing_polls = 10_000
    payload = prepare(world.adapter(), variant("Video.", media=(world.image(),)))
    with pytest.raises(Transient) as caught:
        world.send(payload)
    assert not caught.value.maybe_sent and world.fake.statuses == {}
    assert len(world.fake.calls("GET", "/api/v1/media/")) == mastodon_api.MEDIA_POLLS


def test_uploaded_photos_carry_no_exif_or_gps(world: World) -> None:
    media = world.image("handy.jpg")
    original = Image.open(world.root / media.file)
    assert original.getexif().get_ifd(GPS_IFD), "the test photo must carry GPS data"
    world.send(prepare(world.adapter(), variant("Foto.", media=(media,))))
    (upload,) = world.fake.media.values()
    data = upload["fields"]["file"][1]
    assert b"Exif" not in data and b"PhoneMaker" not in data
    uploaded = Image.open(io.BytesIO(data))
    assert uploaded.size == (64, 48) and not uploaded.getexif()
    assert not uploaded.getexif().get_ifd(GPS_IFD)


def test_images_are_scaled_to_the_instance_pixel_limit(world: World) -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (10, 90, 200)).save(out, "PNG")
    media = world.image("breit.png", out.getvalue())
    world.send(prepare(world.adapter(), variant("Panorama.", media=(media,))))
    (upload,) = world.fake.media.values()
    name, data = upload["fields"]["file"]
    # the fake instance allows 4,000,000 pixels: 2000 px a side at most
    assert name == "image.png" and Image.open(io.BytesIO(data)).size == (2000, 500)


def test_videos_and_gifs_go_as_they_are(world: World) -> None:
    video = world.image("clip.mp4", b"\x00\x00\x00\x18ftypmp42-not-really")
    payload = prepare(world.adapter(), variant("Video.", media=(video,)))
    world.send(payload)
    (upload,) = world.fake.media.values()
    assert upload["fields"]["file"] == ("media.mp4", b"\x00\x00\x00\x18ftypmp42-not-really")
    assert payload.media[0].kind == "mp4"


def test_resume_sends_only_the_missing_parts(world: World) -> None:
    first = world.fake.add_status(THREAD[0])
    progress = MemoryProgress(done=[Sent(first["id"], first["url"])])
    receipt = world.send(prepare(world.adapter(), variant(*THREAD)), progress)
    posts = world.fake.calls("POST", "/api/v1/statuses")
    assert [p.headers["idempotency-key"] for p in posts] == [f"{KEY}-1", f"{KEY}-2"]
    assert json.loads(posts[0].content)["in_reply_to_id"] == first["id"]
    assert progress.events == [("before", 1), ("after", 1), ("before", 2), ("after", 2)]
    assert len(receipt.sent) == 3 and len(world.fake.statuses) == 3


def test_a_timeout_after_posting_is_retried_with_the_same_key_and_posts_once(world: World) -> None:
    timeouts = iter([True])

    def lose_the_first_answer(request: httpx.Request) -> httpx.Response | None:
        if next(timeouts, False):
            world.fake.faults.clear()
            world.fake(request)  # stored on the server, but the answer is lost
            raise httpx.ReadTimeout("timed out", request=request)
        return None

    world.fake.faults[("POST", "/api/v1/statuses")] = lose_the_first_answer
    receipt = world.send(prepare(world.adapter(), variant("Nur einmal.")))
    assert len(world.fake.statuses) == 1
    assert receipt.sent[0].id == next(iter(world.fake.statuses))


def test_a_resend_keeps_the_media_the_first_attempt_attached(world: World) -> None:
    answers_lost = [True]

    def store_but_lose_the_answer(request: httpx.Request) -> httpx.Response | None:
        if not answers_lost[0]:
            return None
        del world.fake.faults[("POST", "/api/v1/statuses")]
        world.fake(request)
        world.fake.faults[("POST", "/api/v1/statuses")] = store_but_lose_the_answer
        raise httpx.ReadTimeout("timed out", request=request)

    world.fake.faults[("POST", "/api/v1/statuses")] = store_but_lose_the_answer
    payload = prepare(world.adapter(), variant("Foto.", media=(world.image(),)))
    with pytest.raises(Transient) as caught:
        world.send(payload)
    assert caught.value.maybe_sent
    answers_lost[0] = False
    receipt = world.send(payload)  # the engine resumes with the same key: uploads again
    first_upload, second_upload = world.fake.media
    (status,) = world.fake.statuses.values()
    assert status["media_attachments"] == [{"id": first_upload}]
    assert receipt.sent[0].refs["media_ids"] == [first_upload] != [second_upload]


def test_a_scheduled_status_is_a_scheduled_receipt(world: World) -> None:
    at = T0 + timedelta(hours=3)
    payload = prepare(world.adapter(schedule="native"), variant("Später."), schedule_at=at)
    receipt = world.send(payload)
    (scheduled,) = world.fake.scheduled.values()
    assert scheduled["scheduled_at"] == "2026-11-23T12:00:00Z"
    assert receipt.scheduled and receipt.url == ""
    refs = {"scheduled": True, "scheduled_at": "2026-11-23T12:00:00Z"}
    assert receipt.sent == (Sent(scheduled["id"], "", refs),)
    assert world.fake.statuses == {}


def test_a_thread_cannot_be_scheduled(world: World) -> None:
    payload = prepare(world.adapter(), variant(*THREAD), schedule_at=T0 + timedelta(hours=3))
    with pytest.raises(Rejected, match="cannot schedule a thread"):
        world.send(payload)


def test_an_answer_without_an_id_may_have_posted(world: World) -> None:
    world.fake.faults[("POST", "/api/v1/statuses")] = lambda r: httpx.Response(200, json={})
    with pytest.raises(Transient) as caught:
        world.send(prepare(world.adapter(), variant("Hallo.")))
    assert caught.value.maybe_sent


def test_invalid_json_is_transient_not_a_crash(world: World) -> None:
    world.fake.faults[("POST", "/api/v1/statuses")] = lambda r: httpx.Response(200, text="<html>")
    with pytest.raises(Transient) as caught:
        world.send(prepare(world.adapter(), variant("Hallo.")))
    assert caught.value.maybe_sent


# --- instance limits ------------------------------------------------------------------


def test_a_text_over_the_instance_limit_is_rejected_before_sending(world: World) -> None:
    world.fake.max_characters = 20
    payload = prepare(world.adapter(), variant("Dieser Text ist länger als zwanzig Zeichen."))
    with pytest.raises(Rejected) as caught:
        world.send(payload)
    message = str(caught.value)
    assert "has 43 characters, more than the 20 that https://social.example allows" in message
    assert "max_characters: 20" in message
    assert world.fake.calls("POST") == []


def test_the_content_warning_counts_too(world: World) -> None:
    world.fake.max_characters = 26
    payload = prepare(world.adapter(content_warning="Achtung: Unfallbericht"), variant("Kurz."))
    with pytest.raises(Rejected, match="message 1 has 27 characters"):
        world.send(payload)


def test_instance_limits_are_cached_for_a_day(world: World) -> None:
    world.fake.max_characters = 1000
    world.send(prepare(world.adapter(), variant("Eins.")))
    cache = world.state / "mastodon-masto-instance.json"
    assert json.loads(cache.read_text())["max_characters"] == 1000
    world.send(prepare(world.adapter(), variant("Zwei.")))  # a new adapter, a new run
    assert len(world.fake.calls("GET", "/api/v2/instance")) == 1
    world.clock.elapsed += timedelta(hours=25).total_seconds()
    world.send(prepare(world.adapter(), variant("Drei.")))
    assert len(world.fake.calls("GET", "/api/v2/instance")) == 2


def test_a_damaged_cache_is_asked_again(world: World) -> None:
    world.state.mkdir(parents=True)
    (world.state / "mastodon-masto-instance.json").write_text("{not json")
    world.send(prepare(world.adapter(), variant("Eins.")))
    assert len(world.fake.calls("GET", "/api/v2/instance")) == 1


def test_without_an_instance_endpoint_the_configured_limit_applies(world: World) -> None:
    world.fake.faults[("GET", "/api/v2/instance")] = lambda r: httpx.Response(404)
    adapter = world.adapter(max_characters=10)
    with pytest.raises(Rejected, match="more than the 10"):
        adapter.send(prepare(adapter, variant("Elf Zeichen")), world.http(), MemoryProgress())
    assert not (world.state / "mastodon-masto-instance.json").exists()


def test_parse_limits_reads_the_v2_instance() -> None:
    data = {
        "configuration": {
            "statuses": {"max_characters": 5000},
            "media_attachments": {"image_size_limit": 16777216, "image_matrix_limit": 33177600},
        }
    }
    assert mastodon_api.parse_limits(data) == mastodon_api.Limits(5000, 16777216, 4096)
    assert mastodon_api.parse_limits({"configuration": None}) == mastodon_api.Limits()


# --- edit -----------------------------------------------------------------------------


def test_edit_changes_every_part_in_place(world: World) -> None:
    adapter = world.adapter(content_warning="Hinweis")
    receipt = world.send(prepare(adapter, variant(*THREAD)))
    changed = prepare(adapter, variant("Neu 1/3", "Neu 2/3", "Neu 3/3"))
    edited = adapter.edit(changed, world.http(), receipt)
    puts = world.fake.calls("PUT")
    assert [p.url.path.rsplit("/", 1)[1] for p in puts] == [s.id for s in receipt.sent]
    assert json.loads(puts[0].content) == {
        "status": "Neu 1/3", "language": "de", "spoiler_text": "Hinweis", "media_ids": []
    }  # fmt: skip
    assert "media_ids" not in json.loads(puts[1].content)
    assert [s.id for s in edited.sent] == [s.id for s in receipt.sent]
    assert world.fake.statuses[receipt.sent[2].id]["content"] == "<p>Neu 3/3</p>"
    assert len(world.fake.statuses) == 3


def test_edit_keeps_unchanged_media_and_uploads_changed_ones(world: World) -> None:
    media = (world.image("a.jpg"),)
    adapter = world.adapter()
    receipt = world.send(prepare(adapter, variant("Foto.", media=media)))
    old_ids = receipt.sent[0].refs["media_ids"]
    kept = adapter.edit(prepare(adapter, variant("Foto!", media=media)), world.http(), receipt)
    assert len(world.fake.calls("POST", "/api/v2/media")) == 1
    assert json.loads(world.fake.calls("PUT")[-1].content)["media_ids"] == old_ids
    other = (Media(media[0].file, alt="Ein anderer Alt-Text"),)
    new = adapter.edit(prepare(adapter, variant("Foto!", media=other)), world.http(), kept)
    assert len(world.fake.calls("POST", "/api/v2/media")) == 2
    assert new.sent[0].refs["media_ids"] != old_ids
    assert new.sent[0].refs["media"] == [[media[0].file, "Ein anderer Alt-Text"]]


def test_a_thread_cannot_be_edited_to_another_length(world: World) -> None:
    adapter = world.adapter()
    receipt = world.send(prepare(adapter, variant(*THREAD)))
    with pytest.raises(Rejected) as caught:
        adapter.edit(prepare(adapter, variant("Nur noch einer.")), world.http(), receipt)
    assert "3 message(s)" in str(caught.value) and "delete" in str(caught.value)
    assert world.fake.calls("PUT") == []


def test_a_scheduled_status_cannot_change_its_text(world: World) -> None:
    receipt = Receipt((Sent("55", "", {"scheduled": True}),), scheduled=True)
    with pytest.raises(Rejected, match="scheduled status"):
        world.adapter().edit(prepare(world.adapter(), variant("Neu.")), world.http(), receipt)


def test_edit_finds_the_id_of_a_status_confirmed_by_hand(world: World) -> None:
    status = world.fake.add_status("Alt.")
    receipt = Receipt((Sent("", status["url"]),))
    edited = world.adapter().edit(prepare(world.adapter(), variant("Neu.")), world.http(), receipt)
    assert edited.sent[0].id == status["id"]
    assert world.fake.statuses[status["id"]]["content"] == "<p>Neu.</p>"


# --- delete ---------------------------------------------------------------------------


def test_delete_removes_every_part_last_first(world: World) -> None:
    receipt = world.send(prepare(world.adapter(), variant(*THREAD)))
    world.adapter().delete(world.http(), receipt)
    deleted = [r.url.path.rsplit("/", 1)[1] for r in world.fake.calls("DELETE")]
    assert deleted == [s.id for s in reversed(receipt.sent)] and world.fake.statuses == {}


def test_a_status_deleted_already_counts_as_deleted(world: World) -> None:
    receipt = world.send(prepare(world.adapter(), variant(*THREAD)))
    world.fake.statuses.pop(receipt.sent[1].id)
    world.adapter().delete(world.http(), receipt)
    assert len(world.fake.calls("DELETE")) == 3 and world.fake.statuses == {}


def test_delete_of_a_scheduled_status_cancels_it(world: World) -> None:
    at = T0 + timedelta(hours=3)
    receipt = world.send(prepare(world.adapter(), variant("Später."), schedule_at=at))
    world.adapter().delete(world.http(), receipt)
    (call,) = world.fake.calls("DELETE")
    assert call.url.path == f"/api/v1/scheduled_statuses/{receipt.sent[0].id}"
    assert world.fake.scheduled == {}


def test_a_scheduled_status_cancelled_already_counts_as_deleted(world: World) -> None:
    at = T0 + timedelta(hours=3)
    receipt = world.send(prepare(world.adapter(), variant("Später."), schedule_at=at))
    world.fake.scheduled.clear()  # cancelled on Mastodon by hand
    world.adapter().delete(world.http(), receipt)
    assert len(world.fake.calls("DELETE", "/api/v1/scheduled_statuses/")) == 1


def test_a_scheduled_status_that_went_out_is_not_reported_deleted(world: World) -> None:
    at = T0 + timedelta(hours=3)
    receipt = world.send(prepare(world.adapter(), variant("Später."), schedule_at=at))
    world.fake.scheduled.clear()  # Mastodon published it: a new status with a new id
    world.clock.elapsed += timedelta(hours=4).total_seconds()
    with pytest.raises(Rejected) as caught:
        world.adapter().delete(world.http(), receipt)
    assert "went out at 2026-11-23T12:00:00Z" in str(caught.value)
    assert "by hand" in str(caught.value)


def test_delete_reports_other_failures(world: World) -> None:
    receipt = world.send(prepare(world.adapter(), variant("Hallo.")))
    path = f"/api/v1/statuses/{receipt.sent[0].id}"
    world.fake.faults[("DELETE", path)] = lambda r: httpx.Response(403, json={"error": "nope"})
    with pytest.raises(AuthFailed):
        world.adapter().delete(world.http(), receipt)


# --- lookup (reconcile) ---------------------------------------------------------------


def test_lookup_finds_an_unconfirmed_thread(world: World) -> None:
    payload = prepare(world.adapter(), variant(*THREAD))
    world.fake.add_status("Etwas anderes")
    first = world.fake.add_status(THREAD[0])
    world.fake.add_status("Dazwischen")
    second = world.fake.add_status(THREAD[1], reply_to=first["id"])
    third = world.fake.add_status(THREAD[2], reply_to=second["id"])
    progress = MemoryProgress()
    assert world.adapter().lookup(payload, world.http(), progress) is Lookup.FOUND
    assert [s.id for s in progress.sent] == [first["id"], second["id"], third["id"]]
    assert progress.sent[0].url == first["url"]


def test_lookup_compares_text_loosely(world: World) -> None:
    text = "Tipps & Tricks: @presse@kreis.example\nfragt nach <Details>."
    status = world.fake.add_status("ignored")
    status["content"] = (
        '<p>Tipps &amp; Tricks: <span class="h-card"><a href="https://kreis.example/@presse">'
        "@<span>presse</span></a></span><br />fragt nach &lt;Details&gt;.</p>"
    )
    progress = MemoryProgress()
    found = world.adapter().lookup(prepare(world.adapter(), variant(text)), world.http(), progress)
    assert found is Lookup.FOUND and progress.sent[0].id == status["id"]


def test_lookup_continues_after_the_confirmed_parts(world: World) -> None:
    first = world.fake.add_status(THREAD[0])
    decoy = world.fake.add_status(THREAD[1])  # the same text, but not the reply
    world.fake.add_status(THREAD[1], reply_to=first["id"])
    progress = MemoryProgress(done=[Sent(first["id"], first["url"])])
    found = world.adapter().lookup(
        prepare(world.adapter(), variant(*THREAD)), world.http(), progress
    )
    assert found is Lookup.ABSENT  # part 3 was never sent
    assert len(progress.sent) == 2 and progress.sent[1].id != decoy["id"]
    listing = world.fake.calls("GET", "/api/v1/accounts/7/statuses")[0]
    assert listing.url.params["since_id"] == first["id"]


def test_lookup_absent_when_nothing_matches(world: World) -> None:
    for n in range(3):
        world.fake.add_status(f"Alt {n}")
    progress = MemoryProgress()
    payload = prepare(world.adapter(), variant("Nie gesendet."))
    assert world.adapter().lookup(payload, world.http(), progress) is Lookup.ABSENT
    assert progress.sent == ()


def test_lookup_is_unknown_when_too_many_statuses_came_since(world: World) -> None:
    for n in range(mastodon_api.PAGE * mastodon_api.LOOKUP_PAGES + 1):
        world.fake.add_status(f"Meldung {n}")
    payload = prepare(world.adapter(), variant("Nie gesendet."))
    assert world.adapter().lookup(payload, world.http(), MemoryProgress()) is Lookup.UNKNOWN
    assert len(world.fake.calls("GET", "/api/v1/accounts/7/")) == mastodon_api.LOOKUP_PAGES


def test_lookup_finds_a_scheduled_status(world: World) -> None:
    at = T0 + timedelta(hours=3)
    payload = prepare(world.adapter(), variant("Später."), schedule_at=at)
    world.send(payload)
    progress = MemoryProgress()
    assert world.adapter().lookup(payload, world.http(), progress) is Lookup.FOUND
    assert progress.sent[0].refs == {"scheduled": True, "scheduled_at": "2026-11-23T12:00:00Z"}


def test_lookup_keeps_the_media_ids_for_later_edits(world: World) -> None:
    payload = prepare(world.adapter(), variant("Foto.", media=(world.image(),)))
    world.send(payload)
    progress = MemoryProgress()
    world.adapter().lookup(payload, world.http(), progress)
    assert progress.sent[0].refs["media_ids"] == list(world.fake.media)


# --- secrecy --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403, 422, 500])
def test_the_token_never_appears_in_an_error(world: World, status: int) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        said = request.headers["authorization"]
        return httpx.Response(status, json={"error": f"bad {said} at {request.url}"})

    world.fake.faults[("POST", "/api/v1/statuses")] = echo
    with pytest.raises(DeliveryError) as caught:
        world.send(prepare(world.adapter(), variant("Hallo.")))
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert "***" in str(caught.value)


def test_a_missing_token_is_an_auth_failure_naming_the_setting(world: World) -> None:
    http = make_http(httpx.MockTransport(world.fake), {}, channel="masto", clock=world.clock)
    with pytest.raises(AuthFailed, match="no token"):
        world.adapter().send(prepare(world.adapter(), variant("Hallo.")), http, MemoryProgress())
