"""Mastodon: statuses with media, threads, native scheduling, edit and delete.

`POST /api/v1/statuses` carries an `Idempotency-Key` (`<delivery key>-<part>`) that Mastodon
honours for an hour, so resending after a timeout cannot duplicate a status. Media are
uploaded first; thread parts answer the previous part. The requests: `mastodon_api`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from socialpub.channels import mastodon_api as api
from socialpub.channels.adapter import Adapter, Lookup, Progress, media_files, media_fingerprint
from socialpub.errors import Rejected
from socialpub.i18n import _
from socialpub.models import MediaFile, Payload, Receipt, Sent, Variant
from socialpub.specs import MASTODON

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

ENDPOINT = "POST /api/v1/statuses"


@dataclass(frozen=True)
class Settings:
    instance: str
    visibility: str = "public"
    content_warning: str = ""  # spoiler_text of every status

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> Settings:
        return cls(
            instance=str(values.get("instance", "")).rstrip("/"),
            visibility=str(values.get("visibility") or "public"),
            content_warning=str(values.get("content_warning") or ""),
        )


class MastodonAdapter(Adapter):
    spec = MASTODON
    idempotent: ClassVar[bool] = True
    idempotency_window: ClassVar[timedelta | None] = timedelta(hours=1)
    default_rate: ClassVar[tuple[int, float]] = (300, 300.0)  # Mastodon: 300 per 5 minutes

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = Settings.parse(channel.settings)
        self._limits: api.Limits | None = None

    # --- pure: exactly what will be sent ------------------------------------------------

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant, unknown="unknown")
        messages = tuple(
            {
                "endpoint": ENDPOINT,
                "headers": {"Idempotency-Key": f"{key}-{index}"},
                "body": self._body(part.text, variant.lang, index, len(media), schedule_at),
            }
            for index, part in enumerate(variant.parts)
        )
        return Payload(
            variant.channel, self.key, variant.post_id, key, messages, media, schedule_at
        )

    def _body(
        self, text: str, lang: str, index: int, media: int, schedule_at: datetime | None
    ) -> dict[str, Any]:
        """A status; ids that exist only at send time are shown as placeholders."""
        body: dict[str, Any] = {"status": text, "language": lang}
        body["visibility"] = self.settings.visibility
        if self.settings.content_warning:
            body["spoiler_text"] = self.settings.content_warning
        if index == 0 and media:
            body["media_ids"] = [f"<id of media {n}>" for n in range(1, media + 1)]
        if index > 0:
            body["in_reply_to_id"] = f"<id of message {index}>"
        if index == 0 and schedule_at is not None:
            body["scheduled_at"] = schedule_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return body

    # --- on the platform ----------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if payload.schedule_at is not None and len(payload.messages) > 1:
            raise Rejected(
                _("{name}: Mastodon cannot schedule a thread").format(name=self.channel.name)
            )
        client = self._client(http)
        self._check_lengths(payload, client)
        start = len(progress.sent)
        media = self._upload(payload.media, client) if start == 0 else {}
        for index in range(start, len(payload.messages)):
            message = payload.messages[index]
            body = dict(message["body"])
            if "media_ids" in body:
                body["media_ids"] = media["media_ids"]
            if "in_reply_to_id" in body:
                body["in_reply_to_id"] = progress.sent[-1].id
            progress.before(index)
            answer = client.call("POST", "/api/v1/statuses", headers=message["headers"], json=body)
            uploaded = media.get("media_ids", ())
            refs = api.found_media(answer, payload.media, uploaded) if index == 0 else {}
            progress.after(index, client.sent(answer, refs))
        scheduled = any(sent.refs.get("scheduled") for sent in progress.sent)
        return Receipt(progress.sent, scheduled=scheduled)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        if receipt.scheduled or any(sent.refs.get("scheduled") for sent in receipt.sent):
            raise Rejected(  # PUT /api/v1/scheduled_statuses/:id can change only the time
                _("{name}: Mastodon cannot change the text of a scheduled status").format(
                    name=self.channel.name
                ),
                hint=_("`socialpub delete` it and publish the new text under a new post id"),
            )
        if not receipt.sent or len(receipt.sent) != len(payload.messages):
            raise Rejected(
                _(
                    "{name}: the post has {count} message(s) on Mastodon but {count2} now; a "
                    "thread cannot be edited to another length"
                ).format(
                    name=self.channel.name, count=len(receipt.sent), count2=len(payload.messages)
                ),
                hint=_("`socialpub delete` it and publish it again under a new post id"),
            )
        client = self._client(http)
        self._check_lengths(payload, client)
        media = self._media_for_edit(payload, client, receipt.sent[0].refs)
        edited: list[Sent] = []
        for index, (old, message) in enumerate(zip(receipt.sent, payload.messages, strict=True)):
            body = {key: message["body"][key] for key in ("status", "language")}
            body["spoiler_text"] = message["body"].get("spoiler_text", "")  # "" removes one
            if index == 0:
                body["media_ids"] = media["media_ids"]  # [] removes them
            status_id = _status_id(old)
            answer = client.call("PUT", f"/api/v1/statuses/{status_id}", json=body)
            refs = {**old.refs, **media} if index == 0 else dict(old.refs)
            edited.append(Sent(status_id, api.text(answer, "url") or old.url, refs))
        return Receipt(tuple(edited))

    def delete(self, http: Http, receipt: Receipt) -> None:
        client = self._client(http)
        for sent in reversed(receipt.sent):  # replies first: no part is left without its parent
            if not (receipt.scheduled or sent.refs.get("scheduled")):
                client.remove("statuses", _status_id(sent))  # a 404: gone already, fine
            elif not client.remove("scheduled_statuses", sent.id) and _went_out(sent, http):
                at = sent.refs.get("scheduled_at") or "its time"
                raise Rejected(
                    _(
                        "{name}: the scheduled status went out at {at}, and Mastodon gave the "
                        "published status another id"
                    ).format(name=self.channel.name, at=at),
                    hint=_("delete the published status on Mastodon by hand"),
                )

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        client = self._client(http)
        start = len(progress.sent)
        if payload.schedule_at is not None and start == 0:
            found = self._find_scheduled(payload, client)
            if found is not None:
                progress.after(0, found)
                return Lookup.FOUND
        account = api.text(client.call("GET", "/api/v1/accounts/verify_credentials"), "id")
        statuses, complete = client.recent(account, progress.sent[-1].id if start else None)
        for index in range(start, len(payload.messages)):
            wanted = api.plain(payload.messages[index]["body"]["status"])
            parent = progress.sent[-1].id if index else ""
            match = next(  # the oldest copy is the one this delivery made
                (s for s in reversed(statuses) if api.is_match(s, wanted, parent)), None
            )
            if match is None:
                return Lookup.ABSENT if complete else Lookup.UNKNOWN
            refs = api.found_media(match, payload.media) if index == 0 else {}
            progress.after(index, client.sent(match, refs))
        return Lookup.FOUND

    # --- helpers ------------------------------------------------------------------------

    def _client(self, http: Http) -> api.MastodonApi:
        return api.MastodonApi(http, self.settings.instance, self.channel.name)

    def _find_scheduled(self, payload: Payload, client: api.MastodonApi) -> Sent | None:
        wanted = api.plain(payload.messages[0]["body"]["status"])
        page = client.call("GET", "/api/v1/scheduled_statuses", params={"limit": api.PAGE})
        for item in page if isinstance(page, list) else []:
            if api.plain(str(api.dig(item, "params", "text") or "")) == wanted:
                return client.sent(item, api.found_media(item, payload.media))
        return None

    def _upload(self, media: Sequence[MediaFile], client: api.MastodonApi) -> dict[str, Any]:
        """Upload the media; refs that let an edit keep them: their ids and what they were."""
        if not media:
            return {}
        limits = self._instance_limits(client)
        ids = [client.upload(item, self.root, limits) for item in media]
        return {"media_ids": ids, "media": media_fingerprint(media)}

    def _media_for_edit(
        self, payload: Payload, client: api.MastodonApi, refs: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The uploaded media again if they did not change (file and alt text), else new ones."""
        if "media_ids" in refs and refs.get("media") == media_fingerprint(payload.media):
            return {"media_ids": list(refs["media_ids"]), "media": refs["media"]}
        return self._upload(payload.media, client) or {"media_ids": [], "media": []}

    def _check_lengths(self, payload: Payload, client: api.MastodonApi) -> None:
        from socialpub.render.counting import length_function

        limit = self._instance_limits(client).max_characters
        measure = length_function("mastodon")
        for index, message in enumerate(payload.messages):
            body = message["body"]
            length = measure(body.get("spoiler_text", "")) + measure(body["status"])
            if length > limit:
                raise Rejected(
                    _(
                        "{name}: message {value} has {length} characters, more than the {limit} "
                        "that {instance} allows"
                    ).format(
                        name=self.channel.name,
                        value=index + 1,
                        length=length,
                        limit=limit,
                        instance=self.settings.instance,
                    ),
                    hint=_(
                        "set max_characters: {limit} for this channel, so that validation "
                        "shortens or splits the text to fit"
                    ).format(limit=limit),
                )

    def _instance_limits(self, client: api.MastodonApi) -> api.Limits:
        if self._limits is None:
            cache = None
            if self.state_dir is not None:
                cache = self.state_dir / f"mastodon-{self.channel.name}-instance.json"
            # unknown to the instance: trust the channel's max_characters (default 500)
            self._limits = client.limits(cache, api.Limits(max_characters=self.channel.limit))
        return self._limits


ADAPTER = MastodonAdapter


def _went_out(sent: Sent, http: Http) -> bool:
    """Whether a scheduled status that no longer exists as such was published (else it was
    cancelled); unknown times count as published, to never report a live status deleted."""
    moment = _parse_time(str(sent.refs.get("scheduled_at") or ""))
    return moment is None or moment <= http.clock.now()


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _status_id(sent: Sent) -> str:
    """The id, or the one at the end of a status URL that a person confirmed by hand."""
    tail = sent.url.rstrip("/").rsplit("/", 1)[-1]
    status_id = sent.id or (tail if tail.isdigit() else "")
    if not status_id:
        raise Rejected(
            _("no Mastodon status id known for {value}").format(value=sent.url or "this post")
        )
    return status_id
