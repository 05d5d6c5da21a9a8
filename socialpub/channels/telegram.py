"""Telegram broadcast channel via the Bot API: HTML text, photos, albums, video, voice.

Messages, in posting order: media first — photos and videos together (one: `sendPhoto`/
`sendVideo`; 2–10: an album via `sendMediaGroup`), each `.ogg` a `sendVoice`, `.mp3`/`.m4a` a
`sendAudio` — then one `sendMessage` per text part. The first part becomes the caption of the
first media message (of an album: of its first item) when its visible text fits `caption_max`
(1024 UTF-16 units); otherwise the media go without caption and all parts follow as text.
A message's `files` maps multipart fields to `Payload.media` indexes (album items: "attach://fileN");
images are re-encoded without metadata. URLs hold the token: shown as `<token>`.

No idempotency key exists, so a send is never retried once it may have reached Telegram; and
bots cannot read a channel's history, so `lookup()` answers UNKNOWN (a person has to look).
`edit()` changes texts and captions in place (media stay); `delete()` works within 48 hours.
"""

from __future__ import annotations

import dataclasses
import mimetypes
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from socialpub import specs
from socialpub.channels.adapter import Adapter, Progress
from socialpub.channels.telegram_parts import (
    Settings,
    caption_of,
    form_value,
    html_field,
    method_of,
    sent_id,
)
from socialpub.errors import AuthFailed, ContentError, Rejected, Transient
from socialpub.i18n import N_, _
from socialpub.models import MediaFile, Payload, Receipt, Sent, Variant
from socialpub.net.images import clean_image

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

PHOTO_MAX_BYTES = 10_000_000  # sendPhoto: at most 10 MB, width + height at most 10000
PHOTO_MAX_SIDE = 5000
UPLOAD_MAX_BYTES = 50_000_000  # what a bot may upload through the public Bot API
ALBUM_MAX = 10
DELETE_WINDOW = timedelta(hours=48)
VISUAL = specs.IMAGE_KINDS | specs.VIDEO_KINDS
#: media kind → Bot API method and file parameter when it goes out alone
SINGLE = dict.fromkeys(specs.IMAGE_KINDS, ("sendPhoto", "photo"))
SINGLE |= dict.fromkeys(specs.VIDEO_KINDS, ("sendVideo", "video"))
SINGLE |= dict.fromkeys(("mp3", "m4a"), ("sendAudio", "audio")) | {"ogg": ("sendVoice", "voice")}
_REMAKE = N_("delete the post (socialpub delete) and publish it again")


class TelegramAdapter(Adapter):
    spec = specs.TELEGRAM
    idempotent = False
    default_rate = (20, 60.0)  # Telegram allows 20 messages per minute in one channel

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = Settings.parse(channel)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,  # never set: Telegram cannot schedule
    ) -> Payload:
        files = tuple(
            MediaFile(m.file, specs.media_kind(m.file))
            for m in variant.media  # no alt: Telegram has no alt text
        )
        texts = [part.text for part in variant.parts]
        caption = None
        if files and texts and variant.parts[0].length <= self.capabilities.caption_max:
            caption = texts.pop(0)
        messages = (*self._media_messages(files, caption), *map(self._text, texts))
        return Payload(variant.channel, self.key, variant.post_id, key, messages, files)

    def _media_messages(self, files: Sequence[MediaFile], caption: str | None) -> list[Any]:
        visual = [i for i, file in enumerate(files) if file.kind in VISUAL]
        groups = [visual[at : at + ALBUM_MAX] for at in range(0, len(visual), ALBUM_MAX)]
        groups += [[i] for i in range(len(files)) if i not in visual]
        messages = []
        for group in groups:
            if len(group) > 1:
                items = [
                    {"type": SINGLE[files[i].kind][1], "media": f"attach://file{i}"} for i in group
                ]
                items[0].update(html_field("caption", caption))
                uploads = {f"file{i}": i for i in group}
                messages.append(self._message("sendMediaGroup", {"media": items}, uploads))
            else:
                method, param = SINGLE.get(files[group[0]].kind, ("sendDocument", "document"))
                messages.append(
                    self._message(method, html_field("caption", caption), {param: group[0]})
                )
            caption = None  # only the first media message carries the text
        return messages

    def _text(self, text: str) -> dict[str, Any]:
        preview = {"is_disabled": not self.settings.link_preview}
        body = {**html_field("text", text), "link_preview_options": preview}
        return self._message("sendMessage", body)

    def _message(
        self, method: str, body: Mapping[str, Any], files: Mapping[str, int] | None = None
    ) -> dict[str, Any]:
        full = {"chat_id": self.settings.chat, **body}
        full["disable_notification"] = self.settings.disable_notification
        endpoint = f"POST /bot<token>/{method}"
        return {"endpoint": endpoint, "body": full, **({"files": dict(files)} if files else {})}

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        done = list(progress.sent)
        for index in range(len(done), len(payload.messages)):
            message = payload.messages[index]
            request = self._request(message, payload.media)  # read files first
            progress.before(index)
            result = self.call(http, method_of(message), idempotent=False, **request)
            done.append(self._sent(message, result))
            progress.after(index, done[-1])
        return Receipt(tuple(done))

    def reply(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        """The first new message replies to the original's last one (Telegram's thread parts
        are plain messages); the rest follow it."""
        start, parent = len(progress.sent), progress.sent[-1]
        target = (parent.refs.get("message_ids") or [sent_id(parent)])[-1]
        messages = list(payload.messages)
        body = {**messages[start]["body"], "reply_parameters": {"message_id": target}}
        messages[start] = {**messages[start], "body": body}
        return self.send(dataclasses.replace(payload, messages=tuple(messages)), http, progress)

    def _request(self, message: Mapping[str, Any], media: Sequence[MediaFile]) -> dict[str, Any]:
        """httpx arguments: JSON for text, multipart when the message uploads files."""
        body, uploads = message["body"], message.get("files") or {}
        if not uploads:
            return {"json": dict(body)}
        files = [(name, self._file(media[index])) for name, index in uploads.items()]
        return {"data": {key: form_value(value) for key, value in body.items()}, "files": files}

    def _file(self, media: MediaFile) -> tuple[str, bytes, str]:
        path, name = self.root / media.file, PurePosixPath(media.file).name
        try:
            if media.kind in specs.IMAGE_KINDS:
                image = clean_image(path, max_bytes=PHOTO_MAX_BYTES, max_side=PHOTO_MAX_SIDE)
                name = PurePosixPath(name).stem + (".png" if image.mime == "image/png" else ".jpg")
                return name, image.data, image.mime
            data = path.read_bytes()
        except (ContentError, OSError) as exc:
            reason = exc.message if isinstance(exc, ContentError) else exc.strerror
            raise Rejected(
                _("{name}: cannot use {file}: {reason}").format(
                    name=self.channel.name, file=media.file, reason=reason
                )
            ) from None
        if len(data) > UPLOAD_MAX_BYTES:
            too_big = _("{file} is larger than the 50 MB a bot may upload").format(file=media.file)
            raise Rejected(f"{self.channel.name}: {too_big}", hint=_("compress it or link to it"))
        return name, data, mimetypes.guess_type(name)[0] or "application/octet-stream"

    def call(self, http: Http, method: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """POST one Bot API method; its `result`, or an error from the tree."""
        try:
            url = f"{self.settings.api_base}/bot{http.secret('token')}/{method}"
        except KeyError:
            raise AuthFailed(
                _("{name}: no bot token configured").format(name=self.channel.name)
            ) from None
        try:
            response = http.request("POST", url, idempotent=idempotent, **kwargs)
        except Rejected as exc:
            if exc.status == 404:  # the Bot API's answer to a token it does not know
                raise AuthFailed(exc.message, hint=_("check the channel's bot token")) from None
            raise
        answer = http.json(response)
        if not isinstance(answer, dict):
            raise Transient(
                _("{name}: unexpected answer to {method}").format(
                    name=self.channel.name, method=method
                ),
                maybe_sent=True,
            )
        if answer.get("ok") is not True:
            reason = http.redact(str(answer.get("description") or _("no reason given")))
            raise Rejected(
                _("{name}: Telegram refused {method}: {reason}").format(
                    name=self.channel.name, method=method, reason=reason
                )
            )
        return answer.get("result")

    def _sent(self, message: Mapping[str, Any], result: Any) -> Sent:
        items = result if isinstance(result, list) else [result]
        ids = [item.get("message_id") for item in items if isinstance(item, dict)]
        if not ids or len(ids) != len(items) or any(type(i) is not int for i in ids):
            raise Transient(
                _("{name}: answer without message id").format(name=self.channel.name),
                maybe_sent=True,
            )
        chat = items[0].get("chat")
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        date = items[0].get("date")
        refs = {
            "message_ids": ids,
            "caption": caption_of(message["body"]) is not None,
            "chat_id": chat_id if type(chat_id) is int else self.settings.chat,
            "method": method_of(message),
            "date": date if type(date) is int else None,  # for the 48 hours of deleteMessage
        }
        chat_name = str(self.settings.chat)
        url = f"https://t.me/{chat_name[1:]}/{ids[0]}" if chat_name.startswith("@") else ""
        return Sent(id=str(ids[0]), url=url, refs=refs)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        if len(payload.messages) != len(receipt.sent):
            counts = f"{len(receipt.sent)} messages → {len(payload.messages)}"
            raise Rejected(
                _("{name}: cannot edit {counts} in place").format(
                    name=self.channel.name, counts=counts
                ),
                hint=_(_REMAKE),
            )
        pairs = zip(payload.messages, receipt.sent, strict=True)
        return Receipt(tuple(self._edit_one(http, new, old) for new, old in pairs))

    def _edit_one(self, http: Http, message: Mapping[str, Any], old: Sent) -> Sent:
        method, body = method_of(message), message["body"]
        if old.refs.get("method", method) != method:
            kind = f"{old.refs.get('method')} → {method}"
            raise Rejected(
                _("{name}: message {id} is {kind}").format(
                    name=self.channel.name, id=old.id, kind=kind
                ),
                hint=_(_REMAKE),
            )
        target = {
            "chat_id": old.refs.get("chat_id", self.settings.chat),
            "message_id": sent_id(old),
        }
        caption = caption_of(body)
        if method == "sendMessage":
            keep = ("text", "parse_mode", "link_preview_options")
            self._change(http, "editMessageText", {**target, **{k: body[k] for k in keep}})
        elif caption is not None or old.refs.get("caption"):
            self._change(http, "editMessageCaption", {**target, **html_field("caption", caption)})
        return Sent(old.id, old.url, {**old.refs, "caption": caption is not None})

    def _change(self, http: Http, method: str, body: Mapping[str, Any]) -> None:
        try:  # setting the same text twice changes nothing: safe to retry
            self.call(http, method, idempotent=True, json=dict(body))
        except Rejected as exc:
            if "message is not modified" not in exc.message.lower():
                raise

    def delete(self, http: Http, receipt: Receipt) -> None:
        oldest = http.clock.now().timestamp() - DELETE_WINDOW.total_seconds()
        too_old = [sent.id for sent in receipt.sent if (sent.refs.get("date") or oldest) < oldest]
        if too_old:  # refuse before deleting anything, not halfway through
            reason = _("message {too_old} is older than 48 hours: bots may not delete it").format(
                too_old=too_old[0]
            )
            raise Rejected(
                f"{self.channel.name}: {reason}", hint=_("delete it in the Telegram app")
            )
        for sent in receipt.sent:
            chat = sent.refs.get("chat_id", self.settings.chat)
            for message_id in sent.refs.get("message_ids") or [sent_id(sent)]:
                self._delete_one(http, {"chat_id": chat, "message_id": message_id})

    def _delete_one(self, http: Http, body: Mapping[str, Any]) -> None:
        try:  # deleting twice only finds nothing the second time: safe to retry
            self.call(http, "deleteMessage", idempotent=True, json=dict(body))
        except Rejected as exc:
            reason = exc.message.lower()
            if "message to delete not found" in reason:
                return  # already gone
            if "can't be deleted" in reason:
                hint = _("bots may delete messages only within 48 hours: delete it in the app")
                raise Rejected(exc.message, hint=hint) from None
            raise


ADAPTER = TelegramAdapter
