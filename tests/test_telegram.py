"""The Telegram adapter: golden payloads, sending (JSON and multipart), resume, edit, delete,
error mapping, and a bot token that never shows up in an error."""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, PngImagePlugin

from socialpub.channels.adapter import Lookup
from socialpub.channels.telegram import ADAPTER, TelegramAdapter
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
from socialpub.render import counting
from socialpub.render.parts import visible_text
from socialpub.specs import TELEGRAM
from tests.adapterkit import T0, FakeClock, MemoryProgress, make_http

TOKEN = "123456:AAF-sekrit_Tok3n"
CHAT_ID = -1001234567890
ALBUM = ("media/a.png", "media/b.png", "media/c.jpg")
LONG = "<b>Sperrung</b> der B 27" + " wegen Bauarbeiten an der Brücke." * 32  # > 1024
Golden = Callable[[str, Any], None]


def part(text: str) -> Part:
    return Part(text=text, length=counting.length_function("telegram")(visible_text(text)))


def variant(*texts: str, media: tuple[str, ...] = ()) -> Variant:
    return Variant(
        post_id="sperrung-b27",
        channel="telegram",
        channel_type="telegram",
        parts=tuple(part(t) for t in texts),
        limit=4096,
        unit="UTF-16 code units",
        media=tuple(Media(file=f, alt="Alt-Text") for f in media),
    )


def png(path: Path, color: str = "red") -> Path:
    """A small PNG whose metadata holds a location, which must never be uploaded."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 48.1374,11.5755")
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), color).save(path, "PNG", pnginfo=info)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for name in ("a", "b"):
        png(tmp_path / "media" / f"{name}.png")
    Image.new("RGB", (30, 20), "blue").save(tmp_path / "media" / "c.jpg", "JPEG")
    (tmp_path / "media" / "ansage.ogg").write_bytes(b"OggS" + b"\x00" * 60)
    (tmp_path / "media" / "film.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 40)
    return tmp_path


def adapter(root: Path, **settings: Any) -> TelegramAdapter:
    values = {"chat": "@kreis", "token": SecretRef("TELEGRAM_TOKEN"), **settings}
    return TelegramAdapter(ChannelConfig("telegram", "telegram", values), root, None)


def prepare(root: Path, v: Variant, **settings: Any) -> Payload:
    return adapter(root, **settings).prepare(v, "k3y", created_at=T0)


# --- a Bot API stand-in ---------------------------------------------------------------------


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    fields: list[tuple[str, str | None, str | None, bytes]] = field(default_factory=list)

    def field(self, name: str) -> str:
        return next(d.decode() for n, _, _, d in self.fields if n == name)

    def file(self, name: str) -> tuple[str | None, str | None, bytes]:
        return next((f, t, d) for n, f, t, d in self.fields if n == name)


def multipart(request: httpx.Request) -> list[tuple[str, str | None, str | None, bytes]]:
    """(name, filename, content type, data) of every multipart field, in order."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + request.read())
    found = []
    for item in message.iter_parts():
        name = str(item.get_param("name", header="content-disposition"))
        data = item.get_payload(decode=True)
        assert isinstance(data, bytes)
        ctype = item.get_content_type() if item.get_filename() else None
        found.append((name, item.get_filename(), ctype, data))
    return found


@dataclass
class Bot:
    """Answers like the Bot API; `answers` overrides the answer per method."""

    calls: list[Call] = field(default_factory=list)
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    next_id: int = 100

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        call = Call(method, urllib.parse.unquote(request.url.path))
        if "multipart" in request.headers.get("content-type", ""):
            call.fields = multipart(request)
        else:
            call.json = json.loads(request.read())
        self.calls.append(call)
        if method in self.answers:
            return self.answers[method]
        if method == "sendMediaGroup":
            items = json.loads(call.field("media"))
            return ok([self.message() for _ in items])
        if method.startswith("send"):
            return ok(self.message())
        return ok(True)

    def message(self) -> dict[str, Any]:
        self.next_id += 1
        chat = {"id": CHAT_ID, "type": "channel", "username": "kreis"}
        return {"message_id": self.next_id, "chat": chat, "date": int(T0.timestamp())}


def ok(result: Any) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": result})


def refused(status: int, description: str) -> httpx.Response:
    body = {"ok": False, "error_code": status, "description": description}
    return httpx.Response(status, json=body)


def send(
    root: Path, v: Variant, bot: Bot, progress: MemoryProgress | None = None, **settings: Any
) -> Receipt:
    a = adapter(root, **settings)
    http = make_http(httpx.MockTransport(bot), {"token": TOKEN}, channel="telegram")
    return a.send(a.prepare(v, "k3y", created_at=T0), http, progress or MemoryProgress())


# --- prepare ------------------------------------------------------------------------------

CASES = {
    "text_only": variant("<b>Kreistag</b> tagt am Mittwoch.\n\nhttps://kreis.example/kt"),
    "long_text": variant("Erster Teil " * 300 + "1/2", "Zweiter Teil 2/2"),
    "photo_caption": variant("<b>Neue Brücke</b> eröffnet.", media=("media/a.png",)),
    "photo_long_text": variant(LONG, media=("media/a.png",)),
    "album_of_3": variant("Drei Bilder vom Fest.", media=ALBUM),
    "voice": variant("Die Landrätin zur Lage.", media=("media/ansage.ogg",)),
    "video": variant("So wird gebaut.", media=("media/film.mp4",)),
}


@pytest.mark.parametrize("case", CASES)
def test_prepare_matches_golden(case: str, root: Path, golden: Golden) -> None:
    payload = prepare(root, CASES[case])
    golden(f"telegram/{case}", payload.as_dict())
    assert TOKEN not in json.dumps(payload.as_dict())
    assert all(m["endpoint"].startswith("POST /bot<token>/") for m in payload.messages)


def test_prepare_is_pure_and_deterministic(tmp_path: Path) -> None:
    """No file is read: the media do not even exist, and two calls give equal payloads."""
    v = CASES["album_of_3"]
    assert prepare(tmp_path, v) == prepare(tmp_path, v)


def test_caption_limit_counts_utf16_of_the_visible_text(root: Path) -> None:
    fits = "<b>" + "😀" * 512 + "</b>"  # 1024 UTF-16 units once the tags are gone
    assert len(prepare(root, variant(fits, media=("media/a.png",))).messages) == 1
    over = fits + "x"
    assert len(prepare(root, variant(over, media=("media/a.png",))).messages) == 2


def test_more_than_ten_pictures_make_two_albums(root: Path) -> None:
    pictures = tuple(f"media/{i}.png" for i in range(12))
    payload = prepare(root, variant("Bilder.", media=pictures))
    methods = [m["endpoint"].rsplit("/", 1)[-1] for m in payload.messages]
    assert methods == ["sendMediaGroup", "sendMediaGroup"]
    assert [len(m["body"]["media"]) for m in payload.messages] == [10, 2]


def test_mixed_media_pictures_first_then_voice_with_the_caption_on_the_first(root: Path) -> None:
    payload = prepare(root, variant("Text.", media=("media/ansage.ogg", "media/a.png")))
    assert [m["endpoint"].rsplit("/", 1)[-1] for m in payload.messages] == [
        "sendPhoto",
        "sendVoice",
    ]
    assert [m["files"] for m in payload.messages] == [{"photo": 1}, {"voice": 0}]
    assert [m["body"].get("caption") for m in payload.messages] == ["Text.", None]


def test_settings_change_the_body(root: Path) -> None:
    body = prepare(root, CASES["text_only"], disable_notification=True, link_preview=False)
    message = body.messages[0]["body"]
    assert message["disable_notification"] is True
    assert message["link_preview_options"] == {"is_disabled": True}


@pytest.mark.parametrize(
    "settings", [{"chat": True}, {"chat": ""}, {"link_preview": "no"}, {"disable_notification": 1}]
)
def test_bad_settings_are_config_errors(root: Path, settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        adapter(root, **settings)


def test_module_contract() -> None:
    assert ADAPTER is TelegramAdapter and ADAPTER.spec is TELEGRAM
    assert ADAPTER.idempotent is False and ADAPTER.default_rate == (20, 60.0)
    assert {"disable_notification", "link_preview", "api_base"} <= TELEGRAM.optional


# --- send ---------------------------------------------------------------------------------


def test_send_text_as_json(root: Path) -> None:
    bot = Bot()
    progress = MemoryProgress()
    receipt = send(root, CASES["text_only"], bot, progress)
    (call,) = bot.calls
    assert call.path == f"/bot{TOKEN}/sendMessage"
    assert call.json == prepare(root, CASES["text_only"]).messages[0]["body"]
    assert receipt.url == "https://t.me/kreis/101"
    assert receipt.sent[0].refs == {
        "message_ids": [101],
        "caption": False,
        "chat_id": CHAT_ID,
        "method": "sendMessage",
        "date": int(T0.timestamp()),
    }
    assert progress.events == [("before", 0), ("after", 0)]


def test_send_long_text_as_two_messages_in_order(root: Path) -> None:
    bot = Bot()
    progress = MemoryProgress()
    receipt = send(root, CASES["long_text"], bot, progress)
    assert [c.json["text"][-3:] for c in bot.calls] == ["1/2", "2/2"]
    assert [s.id for s in receipt.sent] == ["101", "102"]
    assert progress.events == [("before", 0), ("after", 0), ("before", 1), ("after", 1)]


def test_send_photo_with_caption_as_multipart_without_metadata(root: Path) -> None:
    bot = Bot()
    receipt = send(root, CASES["photo_caption"], bot)
    (call,) = bot.calls
    assert call.method == "sendPhoto"
    names = [name for name, *_ in call.fields]
    assert names == ["chat_id", "caption", "parse_mode", "disable_notification", "photo"]
    assert call.field("chat_id") == "@kreis" and call.field("disable_notification") == "false"
    assert call.field("caption") == "<b>Neue Brücke</b> eröffnet."
    filename, ctype, data = call.file("photo")
    assert (filename, ctype) == ("a.png", "image/png")
    assert Image.open(io.BytesIO(data)).size == (40, 30)
    assert b"GPS" not in data  # the location in the PNG's text chunk is gone
    assert receipt.sent[0].refs["caption"] is True


def test_send_photo_then_long_text(root: Path) -> None:
    bot = Bot()
    receipt = send(root, CASES["photo_long_text"], bot)
    assert [c.method for c in bot.calls] == ["sendPhoto", "sendMessage"]
    assert "caption" not in [name for name, *_ in bot.calls[0].fields]
    assert bot.calls[1].json["text"] == LONG
    assert [s.refs["caption"] for s in receipt.sent] == [False, False]


def test_send_album_uploads_every_file_and_records_every_id(root: Path) -> None:
    bot = Bot()
    receipt = send(root, CASES["album_of_3"], bot)
    (call,) = bot.calls
    assert call.method == "sendMediaGroup"
    names = [name for name, *_ in call.fields]
    assert names == ["chat_id", "media", "disable_notification", "file0", "file1", "file2"]
    media = json.loads(call.field("media"))
    assert [m["media"] for m in media] == ["attach://file0", "attach://file1", "attach://file2"]
    assert media[0]["caption"] == "Drei Bilder vom Fest." and "caption" not in media[1]
    assert [call.file(f"file{i}")[:2] for i in range(3)] == [
        ("a.png", "image/png"),
        ("b.png", "image/png"),
        ("c.jpg", "image/jpeg"),
    ]
    (sent,) = receipt.sent
    assert sent.id == "101" and sent.refs["message_ids"] == [101, 102, 103]
    assert sent.url == "https://t.me/kreis/101" and sent.refs["caption"] is True


def test_send_voice_and_video_upload_the_file_as_it_is(root: Path) -> None:
    for case, method, param, ctype, name in (
        ("voice", "sendVoice", "voice", "audio/ogg", "ansage.ogg"),
        ("video", "sendVideo", "video", "video/mp4", "film.mp4"),
    ):
        bot = Bot()
        send(root, CASES[case], bot)
        (call,) = bot.calls
        assert call.method == method
        assert [n for n, *_ in call.fields][-1] == param
        assert call.file(param) == (name, ctype, (root / "media" / name).read_bytes())


def test_resume_sends_only_what_is_missing(root: Path) -> None:
    bot = Bot()
    progress = MemoryProgress(done=[Sent("77", "https://t.me/kreis/77", {"message_ids": [77]})])
    receipt = send(root, CASES["long_text"], bot, progress)
    assert [c.json["text"][-3:] for c in bot.calls] == ["2/2"]
    assert [s.id for s in receipt.sent] == ["77", "101"]
    assert progress.events == [("before", 1), ("after", 1)]


def test_api_base_setting_points_elsewhere(root: Path) -> None:
    urls = []

    def local(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return Bot()(request)

    a = adapter(root, api_base="http://127.0.0.1:8081/")
    http = make_http(httpx.MockTransport(local), {"token": TOKEN})
    a.send(a.prepare(CASES["text_only"], "k", created_at=T0), http, MemoryProgress())
    assert urls == [f"http://127.0.0.1:8081/bot{TOKEN}/sendMessage"]


def test_numeric_chat_has_no_public_url(root: Path) -> None:
    receipt = send(root, CASES["text_only"], Bot(), chat=CHAT_ID)
    assert receipt.url == "" and receipt.sent[0].id == "101"


def test_unreadable_media_is_rejected_before_the_write_ahead_mark(root: Path) -> None:
    bot = Bot()
    progress = MemoryProgress()
    with pytest.raises(Rejected, match=r"missing\.png"):
        send(root, variant("Text", media=("media/missing.png",)), bot, progress)
    assert bot.calls == [] and progress.events == []


def test_lookup_cannot_tell(root: Path) -> None:
    a = adapter(root)
    http = make_http(httpx.MockTransport(Bot()), {"token": TOKEN})
    payload = a.prepare(CASES["text_only"], "k", created_at=T0)
    assert a.lookup(payload, http, MemoryProgress()) is Lookup.UNKNOWN


# --- answers and errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (refused(400, "Bad Request: chat not found"), Rejected),
        (refused(401, "Unauthorized"), AuthFailed),
        (refused(403, "Forbidden: bot is not a member of the channel chat"), AuthFailed),
        (refused(404, "Not Found"), AuthFailed),
        (httpx.Response(200, json={"ok": False, "description": "odd"}), Rejected),
        (httpx.Response(200, json={"ok": True, "result": {"chat": {}}}), Transient),
        (httpx.Response(200, json=["not", "an", "object"]), Transient),
        (httpx.Response(200, text="<html>"), Transient),
    ],
    ids=["400", "401", "403", "404", "ok-false", "no-id", "not-object", "not-json"],
)
def test_answers_map_onto_the_error_tree(
    root: Path, answer: httpx.Response, error: type[DeliveryError]
) -> None:
    bot = Bot(answers={"sendMessage": answer})
    with pytest.raises(error) as caught:
        send(root, CASES["text_only"], bot)
    assert type(caught.value) is error
    if isinstance(caught.value, Transient):
        assert caught.value.maybe_sent  # the message may exist: never resend blindly
    if answer.status_code == 400:
        assert "chat not found" in str(caught.value)


def test_telegram_429_waits_retry_after_then_gives_up(root: Path) -> None:
    answer = refused(429, "Too Many Requests: retry after 7200")
    answer = httpx.Response(429, json={**answer.json(), "parameters": {"retry_after": 7200}})
    with pytest.raises(RateLimited) as caught:
        send(root, CASES["text_only"], Bot(answers={"sendMessage": answer}))
    assert caught.value.retry_after == 7200


def test_a_timeout_is_not_retried(root: Path) -> None:
    requests = []

    def timeout(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    a = adapter(root)
    http = make_http(httpx.MockTransport(timeout), {"token": TOKEN})
    progress = MemoryProgress()
    with pytest.raises(Transient) as caught:
        a.send(a.prepare(CASES["text_only"], "k", created_at=T0), http, progress)
    assert caught.value.maybe_sent and len(requests) == 1
    assert progress.events == [("before", 0)]  # unconfirmed: the engine decides


# --- the token stays secret ---------------------------------------------------------------

ODD_TOKEN = "987654:AAE-x y/z+ü"  # needs URL-encoding: both forms must stay hidden


def failures() -> Iterator[tuple[str, Callable[[httpx.Request], httpx.Response]]]:
    def raising(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            raise exc(f"failed: {request.url}", request=request)

        return handler

    def echo(status: int) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            return refused(status, f"no such thing: {request.url} {request.url.path}")

        return handler

    yield "connect", raising(httpx.ConnectError)
    yield "timeout", raising(httpx.ReadTimeout)
    for status in (400, 404, 500):
        yield str(status), echo(status)
    yield "ok-false", lambda r: httpx.Response(200, json={"ok": False, "description": str(r.url)})


@pytest.mark.parametrize("token", [TOKEN, ODD_TOKEN], ids=["token", "odd-token"])
@pytest.mark.parametrize(("name", "handler"), list(failures()), ids=[n for n, _ in failures()])
def test_the_token_never_appears_in_errors(
    root: Path,
    token: str,
    name: str,
    handler: Callable[[httpx.Request], httpx.Response],
    caplog: pytest.LogCaptureFixture,
) -> None:
    a = adapter(root)
    http = make_http(httpx.MockTransport(handler), {"token": token}, attempts=2)
    payload = a.prepare(CASES["photo_caption"], "k", created_at=T0)
    with caplog.at_level("DEBUG", logger="socialpub"), pytest.raises(DeliveryError) as caught:
        a.send(payload, http, MemoryProgress())
    exc = caught.value
    shown = f"{exc}\n{exc!r}\n{exc.hint or ''}\n{exc.args}\n{caplog.text}"
    for form in secret_forms(token):
        assert form not in shown, name


def test_the_token_never_appears_in_edit_and_delete_errors(root: Path) -> None:
    a = adapter(root)
    http = make_http(httpx.MockTransport(dict(failures())["500"]), {"token": ODD_TOKEN})
    sent = Sent("5", "", {"message_ids": [5], "method": "sendMessage", "date": None})
    payload = a.prepare(CASES["text_only"], "k", created_at=T0)
    for action in (
        lambda: a.edit(payload, http, Receipt((sent,))),
        lambda: a.delete(http, Receipt((sent,))),
    ):
        with pytest.raises(Transient) as caught:
            action()
        assert not any(f in f"{caught.value!s}{caught.value!r}" for f in secret_forms(ODD_TOKEN))


def secret_forms(secret: str) -> set[str]:
    return {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote(secret, safe=":/"),
        urllib.parse.quote_plus(secret),
        httpx.URL(f"https://x.example/bot{secret}/m").raw_path.decode()[4:-2],
    }


# --- edit and delete ----------------------------------------------------------------------


def published(root: Path, v: Variant) -> Receipt:
    return send(root, v, Bot())


def edit(root: Path, old: Receipt, new: Variant, bot: Bot) -> Receipt:
    a = adapter(root)
    http = make_http(httpx.MockTransport(bot), {"token": TOKEN})
    return a.edit(a.prepare(new, "k3y", created_at=T0), http, old)


def test_edit_text_messages(root: Path) -> None:
    old = published(root, CASES["long_text"])
    bot = Bot()
    receipt = edit(root, old, variant("Neu " * 300 + "1/2", "Neu 2/2"), bot)
    assert [c.method for c in bot.calls] == ["editMessageText", "editMessageText"]
    assert bot.calls[1].json == {
        "chat_id": CHAT_ID,
        "message_id": 102,
        "text": "Neu 2/2",
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": False},
    }
    assert receipt == old


def test_edit_album_caption(root: Path) -> None:
    old = published(root, CASES["album_of_3"])
    bot = Bot()
    new = variant("Vier? Nein, drei Bilder.", media=ALBUM)
    receipt = edit(root, old, new, bot)
    (call,) = bot.calls
    assert call.method == "editMessageCaption"
    assert call.json == {
        "chat_id": CHAT_ID,
        "message_id": 101,
        "caption": "Vier? Nein, drei Bilder.",
        "parse_mode": "HTML",
    }
    assert receipt.sent[0].refs["message_ids"] == [101, 102, 103]


def test_edit_removes_a_caption(root: Path) -> None:
    old = published(root, CASES["photo_caption"])
    bot = Bot()
    receipt = edit(root, old, variant(media=("media/a.png",)), bot)
    (call,) = bot.calls
    assert call.method == "editMessageCaption"
    assert call.json == {"chat_id": CHAT_ID, "message_id": 101}  # no caption: removed
    assert receipt.sent[0].refs["caption"] is False


def test_edit_leaves_media_without_caption_alone(root: Path) -> None:
    old = published(root, CASES["photo_long_text"])
    bot = Bot()
    edit(root, old, variant(LONG + " Neu.", media=("media/a.png",)), bot)
    assert [c.method for c in bot.calls] == ["editMessageText"]


def test_edit_not_modified_counts_as_success(root: Path) -> None:
    old = published(root, CASES["text_only"])
    answer = refused(400, "Bad Request: message is not modified: specified new message content")
    bot = Bot(answers={"editMessageText": answer})
    assert edit(root, old, CASES["text_only"], bot) == old


def test_edit_needs_the_same_messages(root: Path) -> None:
    old = published(root, CASES["text_only"])
    with pytest.raises(Rejected, match="1 messages → 2") as caught:
        edit(root, old, CASES["long_text"], Bot())
    assert caught.value.hint and "delete" in caught.value.hint
    photo = published(root, CASES["photo_caption"])
    with pytest.raises(Rejected, match="sendPhoto → sendMessage"):
        edit(root, photo, CASES["text_only"], Bot())


def test_edit_other_errors_still_fail(root: Path) -> None:
    old = published(root, CASES["text_only"])
    bot = Bot(answers={"editMessageText": refused(400, "Bad Request: message can't be edited")})
    with pytest.raises(Rejected, match="can't be edited"):
        edit(root, old, CASES["text_only"], bot)


def delete(root: Path, receipt: Receipt, bot: Bot, hours_later: float = 1) -> None:
    clock = FakeClock(elapsed=hours_later * 3600)
    http = make_http(httpx.MockTransport(bot), {"token": TOKEN}, clock=clock)
    adapter(root).delete(http, receipt)


def test_delete_every_message_of_an_album_and_the_text(root: Path) -> None:
    receipt = published(root, variant(LONG, media=ALBUM))
    bot = Bot()
    delete(root, receipt, bot)
    assert [c.json for c in bot.calls] == [
        {"chat_id": CHAT_ID, "message_id": i} for i in (101, 102, 103, 104)
    ]


def test_delete_counts_not_found_as_deleted(root: Path) -> None:
    receipt = published(root, CASES["long_text"])
    bot = Bot(answers={"deleteMessage": refused(400, "Bad Request: message to delete not found")})
    delete(root, receipt, bot)
    assert len(bot.calls) == 2


def test_delete_after_48_hours_is_refused_before_any_request(root: Path) -> None:
    receipt = published(root, CASES["long_text"])
    bot = Bot()
    with pytest.raises(Rejected, match="older than 48 hours") as caught:
        delete(root, receipt, bot, hours_later=49)
    assert bot.calls == [] and caught.value.hint


def test_delete_refused_by_telegram_explains_the_48_hours(root: Path) -> None:
    receipt = published(root, CASES["text_only"])
    bot = Bot(answers={"deleteMessage": refused(400, "Bad Request: message can't be deleted")})
    with pytest.raises(Rejected) as caught:
        delete(root, receipt, bot)
    assert caught.value.hint and "48 hours" in caught.value.hint
