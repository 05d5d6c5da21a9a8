"""X (API v2): text, up to 4 photos with alt texts or one video, threads as a reply chain.

A post is `POST /2/tweets` with `text`, `media.media_ids` and, for every part after the
first, `reply.in_reply_to_tweet_id`. Uploads (x_media.py) happen before the create call.
An edit is a create with `edit_options.previous_post_id` (30 minutes, 5 times).

X has no idempotency key: each create is written ahead (`progress.before(i)`) and sent
with `idempotent=False`, so a timeout after sending makes the delivery unconfirmed and
`reconcile` looks the parts up among the account's posts since the delivery's first attempt
(`GET /2/users/{id}/tweets` with `start_time`), matched on their exact text. X refuses the
same text twice ("duplicate content"): on a resend after an unconfirmed attempt (reconcile
did not see the post yet), a post with that text since the delivery's first attempt is that
attempt, recorded instead of failing; any other duplicate is Rejected.

Auth: OAuth 1.0a user context (api_key, api_secret, access_token, access_token_secret), or,
without api_key, an OAuth 2.0 user access token in `access_token`, refreshed with
`refresh_token` and `client_id` (x_oauth2.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from socialpub import specs
from socialpub.channels import x_media
from socialpub.channels.adapter import Adapter, Lookup, Progress, media_files
from socialpub.channels.x_api import API_BASE, DUPLICATE, XApi, matches
from socialpub.channels.x_edit import check_editable, edits, offer
from socialpub.channels.x_oauth2 import OAuth2Session
from socialpub.errors import ConfigError, Rejected, Transient
from socialpub.i18n import _
from socialpub.models import Payload, Problem, Receipt, Sent, Variant

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

CLOCK_SKEW = timedelta(minutes=5)  # X's clock against ours, when matching times
PAGE_SIZE = 100  # the most `GET /2/users/{id}/tweets` gives per page
MAX_PAGES = 5  # a county posts far fewer than 500 posts between two runs
STATUS_URL = "https://x.com/i/status/{id}"


@dataclass(frozen=True)
class Settings:
    user_id: str
    api_base: str
    oauth2: bool  # no api_key: access_token is an OAuth 2.0 user token
    client_id: str  # OAuth 2.0: the app's client id, needed to refresh

    @classmethod
    def parse(cls, channel: ChannelConfig) -> Settings:
        values = channel.settings
        user_id = str(values.get("user_id") or "")
        if not user_id.isdigit():
            raise ConfigError(
                _("channel {name!r}: user_id must be the X account's numeric id").format(
                    name=channel.name
                ),
                hint=_("it is the number before the dash in the access token"),
            )
        base = str(values.get("api_base") or API_BASE).rstrip("/")
        client_id = str(values.get("client_id") or "")
        oauth2 = "api_key" not in values
        if oauth2 and "refresh_token" in values and not client_id:
            raise ConfigError(
                _("channel {name!r}: refresh_token needs the app's client_id").format(
                    name=channel.name
                ),
                hint=_("add client_id: (the OAuth 2.0 Client ID from the app's Keys and tokens)"),
            )
        return cls(user_id, base, oauth2, client_id)


class XAdapter(Adapter):
    spec = specs.X
    idempotent: ClassVar[bool] = False
    default_rate: ClassVar[tuple[int, float]] = (100, 900.0)  # creating posts: per 15 min

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = Settings.parse(channel)
        self._oauth2 = (
            OAuth2Session(
                base=self.settings.api_base,
                channel=channel.name,
                client_id=self.settings.client_id,
                state_dir=state_dir,
            )
            if self.settings.oauth2
            else None
        )

    # --- pure -----------------------------------------------------------------------------

    def check(self, variant: Variant) -> list[Problem]:
        return x_media.problems(variant, self.root)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant)
        messages = []
        for index, part in enumerate(variant.parts):
            message: dict[str, Any] = {"endpoint": "POST /2/tweets", "body": {"text": part.text}}
            if index == 0 and media:
                message["media"] = list(range(len(media)))  # uploaded in send()
            if index > 0:
                message["reply_to"] = "<id of the part before>"
            message["created_after"] = created_at.isoformat()  # lookup(): nothing older is ours
            messages.append(message)
        return Payload(
            variant.channel, self.key, variant.post_id, key, tuple(messages), media, schedule_at
        )

    # --- on the platform ------------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        api = self.api(http)
        sent = list(progress.sent)
        for index in range(len(sent), len(payload.messages)):
            message = payload.messages[index]
            body = dict(message["body"])
            if message.get("media"):
                media = [payload.media[i] for i in message["media"]]
                body["media"] = {"media_ids": x_media.upload_all(api, self.root, media)}
            if index > 0:
                body["reply"] = {"in_reply_to_tweet_id": sent[index - 1].id}
            resend = progress.attempted(index)
            progress.before(index)
            try:
                answer = api.call("POST", "/2/tweets", idempotent=False, json=body)
                part = self._sent(answer, body, http.clock.now())
            except Rejected as exc:
                if exc.platform_error != DUPLICATE or not resend:
                    raise
                part = self._own_duplicate(api, message, sent[index - 1].id if index else None, exc)
            progress.after(index, part)
            sent.append(part)
        return Receipt(tuple(sent))

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        """Each changed part is edited; X gives the new version a new id."""
        if len(receipt.sent) != len(payload.messages):
            raise Rejected(
                _(
                    "{name}: the post has {count} part(s) on X but {count2} now; a thread cannot "
                    "be edited to another length"
                ).format(
                    name=self.channel.name, count=len(receipt.sent), count2=len(payload.messages)
                ),
                hint=offer(),
            )
        now, api = http.clock.now(), self.api(http)
        changed = [
            (i, old)
            for i, (old, message) in enumerate(zip(receipt.sent, payload.messages, strict=True))
            if old.refs.get("text") != message["body"]["text"]
        ]
        for __, old in changed:
            check_editable(old, now, self.channel.name)
        edited = list(receipt.sent)
        for index, old in changed:
            body: dict[str, Any] = {
                "text": payload.messages[index]["body"]["text"],
                "edit_options": {"previous_post_id": old.id},
            }
            if old.refs.get("media_ids"):
                body["media"] = {"media_ids": list(old.refs["media_ids"])}
            answer = api.call("POST", "/2/tweets", idempotent=False, json=body)
            new = self._sent(answer, body, now)
            refs = {**new.refs, "posted_at": old.refs["posted_at"], "edits": edits(old) + 1}
            edited[index] = Sent(new.id, new.url, refs)
        return Receipt(tuple(edited))

    def delete(self, http: Http, receipt: Receipt) -> None:
        api = self.api(http)
        for sent in reversed(receipt.sent):  # replies first, so no part is left orphaned
            api.call("DELETE", f"/2/tweets/{sent.id}", idempotent=True)  # twice: deleted false

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        """The parts not yet recorded, matched in order on their exact text (the oldest match
        first) among the account's posts since the delivery's first attempt."""
        api = self.api(http)
        first = payload.messages[0]
        posts, complete = self._recent(api, datetime.fromisoformat(first["created_after"]))
        used = [s.id for s in progress.sent]
        for index in range(len(progress.sent), len(payload.messages)):
            wanted, parent = payload.messages[index]["body"]["text"], used[-1] if used else None
            match = next(
                (p for p in posts if p["id"] not in used and matches(p, wanted, parent)), None
            )
            if match is None:  # not among all posts since then: safe to send
                return Lookup.ABSENT if complete else Lookup.UNKNOWN
            used.append(match["id"])
            progress.after(index, self._found(match))
        return Lookup.FOUND

    # --- helpers --------------------------------------------------------------------------

    def api(self, http: Http) -> XApi:
        base, name = self.settings.api_base, self.channel.name
        return XApi(http, base=base, channel=name, oauth2=self._oauth2)

    def _own_duplicate(
        self, api: XApi, message: Mapping[str, Any], parent: str | None, exc: Rejected
    ) -> Sent:
        """X says the text exists: if a post with it (replying to `parent`) was made since
        this delivery's first attempt, that attempt landed (its answer was lost); otherwise
        it is refused."""
        after = datetime.fromisoformat(message["created_after"])
        posts, __ = self._recent(api, after)
        wanted = message["body"]["text"]
        match = next((p for p in posts if matches(p, wanted, parent)), None)
        if match is None:
            raise exc
        return self._found(match)

    def _recent(self, api: XApi, after: datetime) -> tuple[list[dict[str, Any]], bool]:
        """The account's posts since `after`, oldest first; whether that is all of them."""
        query: dict[str, Any] = {
            "start_time": (after - CLOCK_SKEW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": PAGE_SIZE,
            "tweet.fields": "created_at,entities,referenced_tweets",
        }
        found: list[dict[str, Any]] = []
        path = f"/2/users/{self.settings.user_id}/tweets"
        for __ in range(MAX_PAGES):
            answer = api.call("GET", path, idempotent=True, params=query)
            data = answer.get("data") if isinstance(answer, dict) else None
            found += [p for p in data or [] if isinstance(p, dict) and isinstance(p.get("id"), str)]
            meta = answer.get("meta") if isinstance(answer, dict) else None
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not token:
                return list(reversed(found)), True
            query["pagination_token"] = token
        return list(reversed(found)), False

    def _sent(self, answer: Any, body: Mapping[str, Any], now: datetime) -> Sent:
        """The new post, with what an edit needs: its text, media and when it was posted."""
        data = answer.get("data") if isinstance(answer, dict) else None
        post_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(post_id, str) or not post_id:
            raise Transient(
                _("{name}: X answered without a post id").format(name=self.channel.name),
                maybe_sent=True,
            )
        refs: dict[str, Any] = {"text": body["text"], "posted_at": now.isoformat()}
        if body.get("media"):
            refs["media_ids"] = list(body["media"]["media_ids"])
        return Sent(post_id, STATUS_URL.format(id=post_id), refs)

    def _found(self, post: Mapping[str, Any]) -> Sent:
        return Sent(post["id"], STATUS_URL.format(id=post["id"]), {"found": True})


ADAPTER = XAdapter
