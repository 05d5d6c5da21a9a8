"""Bluesky (AT Protocol): posts with facets, images, link cards, threads; no edit.

Every thread part is written with `com.atproto.repo.putRecord` under a fixed record key derived
from the delivery (bluesky_records): a retry overwrites instead of posting twice, and
`reconcile` can look each part up by its key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.channels import bluesky_records as records
from socialpub.channels.adapter import Adapter, Lookup, Progress, media_files
from socialpub.errors import ConfigError, Rejected, Transient
from socialpub.i18n import _
from socialpub.models import Payload, Receipt, Sent, Variant
from socialpub.specs import BLUESKY, IMAGE_KINDS

if TYPE_CHECKING:
    from socialpub.channels.bluesky_session import Xrpc
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

DEFAULT_SERVICE = "https://bsky.social"
#: app.bsky.embed.images allowed 1,000,000 bytes per image (2 MB since 2026): a setting
DEFAULT_IMAGE_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Settings:
    handle: str
    service: str = DEFAULT_SERVICE
    image_max_bytes: int = DEFAULT_IMAGE_MAX_BYTES
    link_cards: bool = True

    @classmethod
    def of(cls, channel: ChannelConfig) -> Settings:
        values = channel.settings
        handle = values.get("handle")
        service = values.get("service", DEFAULT_SERVICE)
        max_bytes = values.get("image_max_bytes", DEFAULT_IMAGE_MAX_BYTES)
        cards = values.get("link_cards", True)
        where = f"channels.{channel.name}"
        if not isinstance(handle, str) or not handle.strip("@ "):
            raise ConfigError(
                _("{where}.handle must be a handle such as kreis.bsky.social").format(where=where)
            )
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1000:
            raise ConfigError(
                _("{where}.image_max_bytes must be a number of bytes (≥ 1000)").format(where=where)
            )
        if not isinstance(service, str) or not isinstance(cards, bool):
            raise ConfigError(
                _("{where}: service must be a URL, link_cards true or false").format(where=where)
            )
        return cls(handle.strip("@ "), service.rstrip("/"), max_bytes, cards)


class BlueskyAdapter(Adapter):
    spec = BLUESKY
    idempotent = True  # fixed record keys: a resend overwrites the same record
    idempotency_window = None
    default_rate = (1500, 3600.0)  # the PDS's write budget is 5000 points per hour

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = Settings.of(channel)
        cache = state_dir / f"bluesky-{channel.name}-session.json" if state_dir else None
        from socialpub.channels.bluesky_session import SessionStore, Xrpc  # httpx: not at import

        store = SessionStore(cache, self.settings.service, self.settings.handle)
        self.xrpc: Xrpc = Xrpc(self.settings.service, self.settings.handle, store, channel.name)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant, unknown="unknown")
        images = [m for m in media if m.kind in IMAGE_KINDS][: BLUESKY.capabilities.max_images]
        messages = []
        for index, part in enumerate(variant.parts):
            record: dict[str, Any] = {
                "$type": records.POST,
                "text": part.text,
                "createdAt": records.datetime_text(records.part_moment(created_at, index)),
                "langs": [variant.lang],
            }
            if part.facets:
                record["facets"] = records.facets_json(part.facets)
            if index == 0 and images:
                record["embed"] = records.images_embed(images)
            elif index == 0 and variant.link and self.settings.link_cards:
                record["embed"] = records.card_placeholder(variant.link)
            if index > 0:
                record["reply"] = records.reply_placeholder(index)
            body = {
                "repo": records.DID_PLACEHOLDER,
                "collection": records.POST,
                "rkey": records.record_key(key, created_at, index),
                "record": record,
            }
            messages.append({"endpoint": records.PUT_RECORD, "body": body})
        return Payload(
            channel=variant.channel,
            channel_type=variant.channel_type,
            post_id=variant.post_id,
            key=key,
            messages=tuple(messages),
            media=media,
            schedule_at=None,  # Bluesky cannot schedule: the engine waits until it is due
        )

    # --- send ---------------------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if any(m.kind not in IMAGE_KINDS for m in payload.media):
            raise Rejected(
                _("{name}: socialpub cannot upload videos to Bluesky yet").format(
                    name=self.channel.name
                )
            )
        did = self.xrpc.session(http).did
        sent = list(progress.sent)
        embed = self._embed(payload, http) if not sent else None
        for index in range(len(sent), len(payload.messages)):
            body = self._body(payload, index, did, embed, sent, http)
            progress.before(index)
            answer = self.xrpc.call(
                http, "POST", "com.atproto.repo.putRecord", idempotent=True, json=body
            )
            sent.append(self._sent(answer, body["rkey"]))
            progress.after(index, sent[-1])
        return Receipt(tuple(sent))

    def _body(
        self,
        payload: Payload,
        index: int,
        did: str,
        embed: dict[str, Any] | None,
        sent: list[Sent],
        http: Http,
    ) -> dict[str, Any]:
        """The prepared body of message `index` with the placeholders filled in."""
        body = _copy(payload.messages[index]["body"])
        body["repo"] = did
        record = body["record"]
        self._fill_mentions(record, http)
        if embed is not None and index == 0:
            record["embed"] = embed
        else:
            record.pop("embed", None)  # a card whose page could not be read
        if index > 0:
            record["reply"] = {
                "root": self._ref(http, payload, sent, 0),
                "parent": self._ref(http, payload, sent, index - 1),
            }
        return body

    def _embed(self, payload: Payload, http: Http) -> dict[str, Any] | None:
        record = payload.messages[0]["body"]["record"] if payload.messages else {}
        embed = record.get("embed")
        if not isinstance(embed, dict):
            return None
        if embed.get("$type") == "app.bsky.embed.external":
            from socialpub.channels.bluesky_media import link_card

            return link_card(self.xrpc, http, str(embed["external"]["uri"]))
        images = [m for m in payload.media if m.kind in IMAGE_KINDS]
        entries = []
        for image in images[: BLUESKY.capabilities.max_images]:
            path = self.root / image.file
            from socialpub.channels.bluesky_media import upload_image

            up = upload_image(self.xrpc, http, path, max_bytes=self.settings.image_max_bytes)
            entries.append(records.image_entry(up.blob, image.alt or "", up.width, up.height))
        return {"$type": "app.bsky.embed.images", "images": entries}

    def _fill_mentions(self, record: dict[str, Any], http: Http) -> None:
        """Resolve @handles to DIDs; a handle that does not resolve stays plain text."""
        kept = []
        for facet in record.get("facets", []):
            features = [f for f in facet["features"] if self._resolve(f, http)]
            if features:
                kept.append({**facet, "features": features})
        if kept:
            record["facets"] = kept
        else:
            record.pop("facets", None)

    def _resolve(self, feature: dict[str, Any], http: Http) -> bool:
        """Whether to keep a facet feature; a mention gets the DID of its handle."""
        handle = records.mentioned_handle(feature)
        if handle is None:
            return True
        feature["did"] = self.xrpc.resolve_handle(http, handle)
        return feature["did"] is not None

    def _ref(self, http: Http, payload: Payload, sent: list[Sent], index: int) -> dict[str, str]:
        """uri and cid of message `index`: from the ledger, else looked up by its fixed key."""
        refs = sent[index].refs
        if "uri" in refs and "cid" in refs:
            return records.strong_ref(dict(refs))
        found = self._get(http, payload.messages[index]["body"]["rkey"])
        if found is None:
            raise Rejected(
                _("{name}: message {value} of the thread is gone").format(
                    name=self.channel.name, value=index + 1
                )
            )
        return records.strong_ref(dict(found.refs))

    def _sent(self, answer: Any, rkey: str) -> Sent:
        uri = answer.get("uri") if isinstance(answer, dict) else None
        cid = answer.get("cid") if isinstance(answer, dict) else None
        if not isinstance(uri, str) or not isinstance(cid, str):
            raise Transient(
                _("{name}: the PDS answered without uri/cid").format(name=self.channel.name),
                maybe_sent=True,
            )
        url = records.post_url(self.settings.handle, rkey)
        return Sent(id=uri, url=url, refs={"uri": uri, "cid": cid, "rkey": rkey})

    # --- delete and lookup --------------------------------------------------------------

    def delete(self, http: Http, receipt: Receipt) -> None:
        """Delete every part, the last first (deleting a missing record is a no-op)."""
        did = self.xrpc.session(http).did
        for sent in reversed(receipt.sent):
            rkey = sent.refs.get("rkey") or records.rkey_of(sent.id)
            if not rkey:
                continue  # recorded by hand without a record URI: nothing to address
            body = {"repo": did, "collection": records.POST, "rkey": str(rkey)}
            try:
                self.xrpc.call(
                    http, "POST", "com.atproto.repo.deleteRecord", idempotent=True, json=body
                )
            except Rejected as exc:
                if not _not_found(exc):
                    raise

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        """Each part by its fixed key; the first one missing means: safe to send the rest."""
        for index in range(len(progress.sent), len(payload.messages)):
            found = self._get(http, payload.messages[index]["body"]["rkey"])
            if found is None:
                return Lookup.ABSENT
            progress.after(index, found)
        return Lookup.FOUND

    def _get(self, http: Http, rkey: str) -> Sent | None:
        params = {"repo": self.xrpc.session(http).did, "collection": records.POST, "rkey": rkey}
        try:
            answer = self.xrpc.call(
                http, "GET", "com.atproto.repo.getRecord", idempotent=True, params=params
            )
        except Rejected as exc:
            if _not_found(exc):
                return None
            raise
        return self._sent(answer, rkey)


def _not_found(exc: Rejected) -> bool:
    """atproto's RecordNotFound (the PDS's message is "Could not locate record")."""
    return exc.platform_error == "RecordNotFound" or "Could not locate record" in exc.message


def _copy(body: Any) -> dict[str, Any]:
    """A private deep copy of a prepared body (the payload stays as prepared)."""
    copied: dict[str, Any] = json.loads(json.dumps(body))
    return copied


ADAPTER = BlueskyAdapter
