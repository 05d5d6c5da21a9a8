"""The Facebook Page adapter: golden payloads, the exact Graph requests (header auth, multipart
fields, EXIF-free photos), native scheduling and its window, write-ahead order, edit, delete,
lookup for reconcile, Meta's error codes through the adapter, and check()."""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import io
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from socialpub.channels.adapter import ADAPTERS, Lookup, adapter_class
from socialpub.channels.facebook import ADAPTER, FacebookAdapter
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, ConfigError, RateLimited, Rejected, Transient
from socialpub.models import Media, Part, Payload, Receipt, Sent, Variant
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http

TOKEN = "EAAGfbPageT0ken-sekrit"
PAGE = "1234567890"
BASE = "http://127.0.0.1:9/v23.0"
TEXT = "Die B 27 ist ab Montag wegen Bauarbeiten gesperrt."
GPS = b"GPS 48.1374N 11.5755E"
BUC_90 = {
    "x-business-use-case-usage": json.dumps(
        {PAGE: [{"type": "pages", "estimated_time_to_regain_access": 90}]}
    )
}
Golden = Callable[[str, Any], None]


# --- fixtures -------------------------------------------------------------------------------


def jpeg(path: Path, color: str = "red") -> Path:
    """A small JPEG whose EXIF names a place, which must never reach Facebook."""
    exif = Image.Exif()
    exif[0x010E] = GPS.decode()  # ImageDescription
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), color).save(path, "JPEG", exif=exif.tobytes())
    assert GPS in path.read_bytes()
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for name in ("a", "b", "c"):
        jpeg(tmp_path / "media" / f"{name}.jpg")
    (tmp_path / "media" / "film.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 40)
    (tmp_path / "media" / "clip.webm").write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 20)
    return tmp_path


def variant(
    text: str = TEXT, media: tuple[str, ...] = (), link: str | None = None, alt: bool = True
) -> Variant:
    return Variant(
        post_id="sperrung-b27",
        channel="landkreis-fb",
        channel_type="facebook",
        parts=(Part(text=text, length=len(text)),),
        limit=63206,
        unit="characters",
        media=tuple(
            Media(file=f, alt=f"Bild {n}" if alt else None, line=7 + n) for n, f in enumerate(media)
        ),
        link=link,
    )


def adapter(root: Path, **settings: Any) -> FacebookAdapter:
    values = {"page_id": PAGE, "api_base": BASE, "access_token": SecretRef("FB_TOKEN")}
    return FacebookAdapter(ChannelConfig("landkreis-fb", "facebook", {**values, **settings}), root)


def prepare(root: Path, v: Variant, schedule_at: datetime | None = None) -> Payload:
    return adapter(root).prepare(v, "k3y", created_at=T0, schedule_at=schedule_at)


# --- a Graph API stand-in -------------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str | None, str | None, bytes]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urllib.parse.unquote(self.url.path)


def parse(request: httpx.Request) -> Call:
    call = Call(request.method, request.url, request.headers)
    body = request.read()
    ctype = request.headers.get("content-type", "")
    if "multipart" in ctype:
        head = f"Content-Type: {ctype}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            if part.get_filename():
                call.files[name] = (part.get_filename(), part.get_content_type(), data)
            else:
                call.form[name] = data.decode()
    elif body:
        call.form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    return call


@dataclass
class Graph:
    """Answers like the Graph API; `answers` maps "METHOD /path" to a list of responses."""

    answers: dict[str, list[httpx.Response | Exception]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    next_id: int = 500

    def __call__(self, request: httpx.Request) -> httpx.Response:
        call = parse(request)
        self.calls.append(call)
        route = f"{call.method} {call.path.removeprefix('/v23.0')}"
        self.log.append(route)
        assert TOKEN not in str(request.url), "the token must never be in a URL"
        assert TOKEN not in request.content.decode("latin-1"), "nor in a body"
        if self.answers.get(route):
            step = self.answers[route].pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        self.next_id += 1
        if route.endswith("/photos"):
            return ok({"id": f"{self.next_id}", "post_id": f"{PAGE}_{self.next_id}"})
        if call.method == "POST" and route.endswith(("/feed", "/videos")):
            return ok({"id": f"{PAGE}_{self.next_id}" if "feed" in route else f"{self.next_id}"})
        return ok({"success": True})

    def http(self, clock: FakeClock | None = None) -> Any:
        return make_http(
            httpx.MockTransport(self), {"access_token": TOKEN}, channel="landkreis-fb", clock=clock
        )


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json=data, headers={"x-fb-trace-id": "TrAcE1"})


def meta_error(
    code: int, status: int = 400, subcode: int = 0, headers: dict[str, str] | None = None
) -> httpx.Response:
    error = {"message": f"error {code}", "type": "OAuthException", "code": code}
    error |= {"fbtrace_id": "FbTr4ce"} | ({"error_subcode": subcode} if subcode else {})
    return httpx.Response(status, json={"error": error}, headers=headers)


class OrderedProgress(MemoryProgress):
    """MemoryProgress that writes its events into the Graph's request log, to show order."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def before(self, index: int) -> None:
        super().before(index)
        self.log.append(f"before {index}")

    def after(self, index: int, sent: Sent) -> None:
        super().after(index, sent)
        self.log.append(f"after {index}")


# --- registry, settings ---------------------------------------------------------------------


def test_facebook_is_a_registered_adapter() -> None:
    assert "facebook" in ADAPTERS
    assert adapter_class("facebook") is FacebookAdapter is ADAPTER


def test_page_id_must_be_numeric(root: Path) -> None:
    with pytest.raises(ConfigError, match="page_id"):
        adapter(root, page_id="landkreis")


def test_the_defaults_are_metas_hosts(root: Path) -> None:
    channel = ChannelConfig("fb", "facebook", {"page_id": PAGE})
    settings = FacebookAdapter(channel, root).settings
    assert settings.api_base == "https://graph.facebook.com/v23.0"
    assert settings.video_api_base == "https://graph-video.facebook.com/v23.0"
    assert adapter(root).settings.video_api_base == BASE  # a test server answers both


# --- prepare: golden ------------------------------------------------------------------------

IN_AN_HOUR = T0 + timedelta(hours=1)
CASES: dict[str, tuple[Variant, datetime | None]] = {
    "text_only": (variant(), None),
    "link": (variant(link="https://www.landkreis.example/b27"), None),
    "photo": (variant(media=("media/a.jpg",)), None),
    "album_of_3": (variant(media=("media/a.jpg", "media/b.jpg", "media/c.jpg")), None),
    "video": (variant(media=("media/film.mp4",)), None),
    "scheduled_text": (variant(), IN_AN_HOUR),
    "scheduled_album": (variant(media=("media/a.jpg", "media/b.jpg")), IN_AN_HOUR),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_prepare_matches_golden(case: str, root: Path, golden: Golden) -> None:
    v, schedule_at = CASES[case]
    golden(f"facebook/{case}", prepare(root, v, schedule_at).as_dict())


def test_prepare_is_pure_and_repeatable(root: Path) -> None:
    v = variant(media=("media/a.jpg", "media/b.jpg"))
    assert prepare(root, v, IN_AN_HOUR) == prepare(root, v, IN_AN_HOUR)


# --- send -----------------------------------------------------------------------------------


def test_a_text_post_is_one_feed_request_with_header_auth(root: Path) -> None:
    graph, progress = Graph(), MemoryProgress()
    receipt = adapter(root).send(prepare(root, variant()), graph.http(), progress)
    [call] = graph.calls
    assert (call.method, str(call.url)) == ("POST", f"{BASE}/{PAGE}/feed")
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.form == {"message": TEXT}
    assert progress.events == [("before", 0), ("after", 0)]
    sent = receipt.sent[0]
    assert (sent.id, sent.url) == (f"{PAGE}_501", f"https://www.facebook.com/{PAGE}_501")
    assert sent.refs["fbtrace_id"] == "TrAcE1"
    assert not receipt.scheduled


def test_a_link_post_sends_the_link(root: Path) -> None:
    graph = Graph()
    v = variant(link="https://www.landkreis.example/b27")
    adapter(root).send(prepare(root, v), graph.http(), MemoryProgress())
    assert graph.calls[0].form == {"message": TEXT, "link": "https://www.landkreis.example/b27"}


def test_one_photo_is_uploaded_without_exif_with_message_and_alt_text(root: Path) -> None:
    graph = Graph()
    v = variant(media=("media/a.jpg",))
    receipt = adapter(root).send(prepare(root, v), graph.http(), MemoryProgress())
    [call] = graph.calls
    assert call.path == f"/v23.0/{PAGE}/photos"
    assert call.form == {"message": TEXT, "alt_text_custom": "Bild 0"}
    name, ctype, data = call.files["source"]
    assert (name, ctype) == ("photo.jpeg", "image/jpeg")
    assert GPS not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 30)
        assert not image.getexif()
    sent = receipt.sent[0]
    assert (sent.id, sent.refs["photo_ids"]) == (f"{PAGE}_501", ["501"])


def test_an_album_uploads_hidden_photos_then_one_written_ahead_feed_post(root: Path) -> None:
    graph = Graph()
    progress = OrderedProgress(graph.log)
    v = variant(media=("media/a.jpg", "media/b.jpg", "media/c.jpg"))
    receipt = adapter(root).send(prepare(root, v), graph.http(), progress)
    photos = f"POST /{PAGE}/photos"
    assert graph.log == [photos, photos, photos, "before 0", f"POST /{PAGE}/feed", "after 0"]
    for n, call in enumerate(graph.calls[:3]):
        assert call.form == {"published": "false", "alt_text_custom": f"Bild {n}"}
        assert GPS not in call.files["source"][2]
    feed = graph.calls[3].form
    assert feed["message"] == TEXT
    assert json.loads(feed["attached_media"]) == [
        {"media_fbid": "501"},
        {"media_fbid": "502"},
        {"media_fbid": "503"},
    ]
    assert receipt.sent[0].refs["photo_ids"] == ["501", "502", "503"]


def test_a_video_goes_to_the_video_host_as_multipart(root: Path) -> None:
    graph = Graph()
    v = variant(media=("media/film.mp4",))
    sent = adapter(root).send(prepare(root, v), graph.http(), MemoryProgress()).sent[0]
    [call] = graph.calls
    assert call.path == f"/v23.0/{PAGE}/videos"
    assert call.form == {"description": TEXT}
    assert call.files["source"] == (
        "video.mp4",
        "video/mp4",
        (root / "media/film.mp4").read_bytes(),
    )
    assert (sent.id, sent.refs["video_id"]) == ("501", "501")
    assert sent.url == f"https://www.facebook.com/{PAGE}/videos/501"


def test_a_video_carries_the_posts_title(root: Path) -> None:
    graph = Graph()
    v = dataclasses.replace(variant(media=("media/film.mp4",)), title="Sperrung der B 27")
    adapter(root).send(prepare(root, v), graph.http(), MemoryProgress())
    [call] = graph.calls
    assert call.form == {"description": TEXT, "title": "Sperrung der B 27"}


def test_an_already_sent_post_is_not_sent_again(root: Path) -> None:
    graph, progress = Graph(), MemoryProgress(done=[Sent(f"{PAGE}_1")])
    receipt = adapter(root).send(prepare(root, variant()), graph.http(), progress)
    assert graph.calls == [] and receipt.sent == (Sent(f"{PAGE}_1"),)


def test_a_timeout_on_the_create_call_is_maybe_sent_and_not_repeated(root: Path) -> None:
    graph = Graph(answers={f"POST /{PAGE}/feed": [httpx.ReadTimeout("slow")]})
    progress = MemoryProgress()
    with pytest.raises(Transient) as caught:
        adapter(root).send(prepare(root, variant()), graph.http(), progress)
    assert caught.value.maybe_sent
    assert len(graph.calls) == 1 and progress.events == [("before", 0)]
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (meta_error(190, subcode=463), AuthFailed),
        (meta_error(506), Rejected),
        (meta_error(368), Rejected),
        (meta_error(100), Rejected),
        (meta_error(2, status=500), Transient),
        (
            meta_error(80001, headers=BUC_90),
            RateLimited,
        ),
    ],
)
def test_metas_errors_reach_the_engine_as_the_error_tree(
    root: Path, response: httpx.Response, error: type[Exception]
) -> None:
    graph = Graph(answers={f"POST /{PAGE}/feed": [response]})
    with pytest.raises(error) as caught:
        adapter(root).send(prepare(root, variant()), graph.http(), MemoryProgress())
    assert "landkreis-fb" in str(caught.value)
    assert "(fbtrace_id FbTr4ce)" in str(caught.value)
    assert len(graph.calls) == 1


# --- native scheduling ----------------------------------------------------------------------


def scheduled_send(root: Path, ahead: timedelta) -> tuple[Graph, Receipt]:
    graph = Graph()
    payload = prepare(root, variant(), T0 + ahead)
    return graph, adapter(root).send(payload, graph.http(FakeClock()), MemoryProgress())


@pytest.mark.parametrize("ahead", [timedelta(minutes=10), timedelta(days=30), timedelta(days=2)])
def test_a_post_in_the_window_is_scheduled_natively(root: Path, ahead: timedelta) -> None:
    graph, receipt = scheduled_send(root, ahead)
    form = graph.calls[0].form
    assert form["published"] == "false"
    assert form["scheduled_publish_time"] == str(int((T0 + ahead).timestamp()))
    assert receipt.scheduled
    assert receipt.sent[0].refs["scheduled"] is True


@pytest.mark.parametrize(
    "ahead",
    [timedelta(minutes=9, seconds=59), timedelta(days=30, seconds=1), timedelta(minutes=-1)],
)
def test_a_post_outside_the_window_is_not_sent(root: Path, ahead: timedelta) -> None:
    graph = Graph()
    progress = MemoryProgress()
    with pytest.raises(Transient, match="10 minutes to 30 days") as caught:
        adapter(root).send(prepare(root, variant(), T0 + ahead), graph.http(), progress)
    assert not caught.value.maybe_sent
    assert graph.calls == [] and progress.events == []


def test_a_scheduled_album_schedules_the_feed_post_not_the_photos(root: Path) -> None:
    graph = Graph()
    payload = prepare(root, variant(media=("media/a.jpg", "media/b.jpg")), IN_AN_HOUR)
    adapter(root).send(payload, graph.http(), MemoryProgress())
    assert graph.calls[0].form == {"published": "false", "alt_text_custom": "Bild 0"}
    feed = graph.calls[2].form
    assert (feed["published"], feed["scheduled_publish_time"]) == (
        "false",
        str(int(IN_AN_HOUR.timestamp())),
    )


def test_deleting_a_scheduled_post_cancels_it(root: Path) -> None:
    graph, receipt = scheduled_send(root, timedelta(hours=3))
    adapter(root).delete(graph.http(), receipt)
    assert graph.log[-1] == f"DELETE /{receipt.sent[0].id}"


# --- edit and delete ------------------------------------------------------------------------


def test_edit_changes_the_message_of_the_post(root: Path) -> None:
    graph = Graph()
    old = Receipt((Sent(f"{PAGE}_7", "u", {"media": []}),))
    new = adapter(root).edit(prepare(root, variant("Neuer Text")), graph.http(), old)
    [call] = graph.calls
    assert (call.method, call.path, call.form) == (
        "POST",
        f"/v23.0/{PAGE}_7",
        {"message": "Neuer Text"},
    )
    assert new.sent[0].id == f"{PAGE}_7" and new.sent[0].refs["fbtrace_id"] == "TrAcE1"


def test_edit_of_a_video_changes_its_description(root: Path) -> None:
    graph = Graph()
    v = variant("Neu", media=("media/film.mp4",))
    refs = {"video_id": "88", "media": [["media/film.mp4", "Bild 0"]]}
    adapter(root).edit(prepare(root, v), graph.http(), Receipt((Sent("88", "u", refs),)))
    assert (graph.calls[0].path, graph.calls[0].form) == ("/v23.0/88", {"description": "Neu"})


def test_edit_refuses_changed_media_before_sending(root: Path) -> None:
    graph = Graph()
    old = Receipt((Sent(f"{PAGE}_7", "u", {"media": [["media/a.jpg", "Bild 0"]]}),))
    with pytest.raises(Rejected, match="photos or video"):
        adapter(root).edit(prepare(root, variant(media=("media/b.jpg",))), graph.http(), old)
    assert graph.calls == []


def test_delete_removes_the_post_and_its_photos(root: Path) -> None:
    graph = Graph()
    receipt = Receipt((Sent(f"{PAGE}_7", "u", {"photo_ids": ["1", "2"]}),))
    adapter(root).delete(graph.http(), receipt)
    assert graph.log == [f"DELETE /{PAGE}_7", "DELETE /1", "DELETE /2"]


def test_delete_of_something_already_gone_is_fine(root: Path) -> None:
    graph = Graph(answers={f"DELETE /{PAGE}_7": [meta_error(100, subcode=33)]})
    adapter(root).delete(graph.http(), Receipt((Sent(f"{PAGE}_7"),)))
    assert graph.log == [f"DELETE /{PAGE}_7"]


def test_delete_reports_other_refusals(root: Path) -> None:
    graph = Graph(answers={f"DELETE /{PAGE}_7": [meta_error(200)]})
    with pytest.raises(Rejected, match="permission"):
        adapter(root).delete(graph.http(), Receipt((Sent(f"{PAGE}_7"),)))


# --- lookup for reconcile -------------------------------------------------------------------


def listing(*items: dict[str, Any], after: str = "") -> httpx.Response:
    paging = {"cursors": {"after": after}} if after else {}
    return ok({"data": list(items), **({"paging": paging} if paging else {})})


def post(post_id: str, message: str, at: datetime) -> dict[str, Any]:
    return {
        "id": post_id,
        "message": message,
        "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }


def test_lookup_finds_the_post_in_the_feed_and_records_it(root: Path) -> None:
    feed = listing(
        post(f"{PAGE}_9", "andere", T0), post(f"{PAGE}_8", TEXT, T0 + timedelta(seconds=5))
    )
    graph = Graph(
        answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": [feed]}
    )
    progress = MemoryProgress()
    assert adapter(root).lookup(prepare(root, variant()), graph.http(), progress) is Lookup.FOUND
    assert [s.id for s in progress.done] == [f"{PAGE}_8"]
    assert progress.done[0].refs.get("scheduled") is None
    call = graph.calls[-1]
    assert call.url.params["fields"] == "id,message,created_time"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"


def test_lookup_finds_a_post_still_scheduled(root: Path) -> None:
    queued = listing(post(f"{PAGE}_4", TEXT, T0 + timedelta(seconds=1)))
    graph = Graph(answers={f"GET /{PAGE}/scheduled_posts": [queued]})
    progress = MemoryProgress()
    found = adapter(root).lookup(prepare(root, variant(), IN_AN_HOUR), graph.http(), progress)
    assert found is Lookup.FOUND and progress.done[0].refs["scheduled"] is True


def test_lookup_ignores_the_same_text_posted_before_the_attempt(root: Path) -> None:
    old = listing(post(f"{PAGE}_1", TEXT, T0 - timedelta(days=1)))
    graph = Graph(answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": [old]})
    progress = MemoryProgress()
    assert adapter(root).lookup(prepare(root, variant()), graph.http(), progress) is Lookup.ABSENT
    assert progress.done == []


def test_lookup_pages_by_cursor_and_gives_up_as_unknown(root: Path) -> None:
    full = [post(f"{PAGE}_{n}", "x", T0 + timedelta(minutes=1)) for n in range(100)]
    pages: list[httpx.Response | Exception] = [listing(*full, after=f"c{n}") for n in range(5)]
    graph = Graph(answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": pages})
    assert adapter(root).lookup(prepare(root, variant()), graph.http(), MemoryProgress()) is (
        Lookup.UNKNOWN
    )
    feed_calls = [c for c in graph.calls if c.path.endswith("/feed")]
    assert [c.url.params.get("after") for c in feed_calls] == [None, "c0", "c1", "c2", "c3"]


def test_lookup_of_a_video_finds_its_post_by_the_description(root: Path) -> None:
    feed = listing(post(f"{PAGE}_77", TEXT, T0 + timedelta(seconds=3)))
    graph = Graph(
        answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": [feed]}
    )
    progress = MemoryProgress()
    v = variant(media=("media/film.mp4",))
    assert adapter(root).lookup(prepare(root, v), graph.http(), progress) is Lookup.FOUND
    assert progress.done[0].id == f"{PAGE}_77" and "video_id" not in progress.done[0].refs


# --- check ----------------------------------------------------------------------------------


def test_check_passes_what_facebook_takes(root: Path) -> None:
    fb = adapter(root)
    for media in [(), ("media/a.jpg",), ("media/a.jpg",) * 10, ("media/film.mp4",)]:
        assert fb.check(variant(media=media)) == []


@pytest.mark.parametrize(
    ("media", "code", "field_name", "words"),
    [
        (("media/a.jpg", "media/film.mp4"), "SP206", "media", "1–10 photos or one video"),
        (("media/a.jpg",) * 11, "SP206", "media", "11 and 0"),
        (("media/film.mp4", "media/film.mp4"), "SP206", "media", "0 and 2"),
        (("media/clip.webm",), "SP203", "media.file", "MP4 or MOV"),
    ],
)
def test_check_names_what_facebook_refuses(
    root: Path, media: tuple[str, ...], code: str, field_name: str, words: str
) -> None:
    [found] = adapter(root).check(variant(media=media))
    assert (found.code, found.field, found.line) == (code, field_name, 7)
    assert words in found.message and found.hint


def test_check_refuses_a_video_over_one_gigabyte(root: Path) -> None:
    with (root / "media" / "big.mp4").open("wb") as big:
        big.truncate(1_000_000_001)  # sparse: costs no disk
    [found] = adapter(root).check(variant(media=("media/big.mp4",)))
    assert (found.code, found.line) == ("SP203", 7) and "1 GB" in found.message


def test_lookup_follows_time_based_paging_without_the_token_in_its_url(root: Path) -> None:
    full = [post(f"{PAGE}_{n}", "x", T0 + timedelta(minutes=1)) for n in range(100)]
    following = (
        f"{BASE}/{PAGE}/feed?access_token={TOKEN}&limit=100&until=1795426000&__paging_token=pT"
    )
    first = ok({"data": full, "paging": {"next": following}})
    second = listing(post(f"{PAGE}_1", TEXT, T0 + timedelta(seconds=2)))
    graph = Graph(
        answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": [first, second]}
    )
    progress = MemoryProgress()
    assert adapter(root).lookup(prepare(root, variant()), graph.http(), progress) is Lookup.FOUND
    params = graph.calls[-1].url.params
    assert (params["until"], params["__paging_token"]) == ("1795426000", "pT")
    assert "access_token" not in params
    assert [s.id for s in progress.done] == [f"{PAGE}_1"]


def test_lookup_of_a_full_page_without_a_next_page_is_unknown(root: Path) -> None:
    full = [post(f"{PAGE}_{n}", "x", T0 + timedelta(minutes=1)) for n in range(100)]
    graph = Graph(
        answers={f"GET /{PAGE}/scheduled_posts": [listing()], f"GET /{PAGE}/feed": [listing(*full)]}
    )
    assert adapter(root).lookup(prepare(root, variant()), graph.http(), MemoryProgress()) is (
        Lookup.UNKNOWN
    )
