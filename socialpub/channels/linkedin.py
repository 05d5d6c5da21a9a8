"""LinkedIn organisation page via the versioned Posts and Images APIs (api.linkedin.com/rest).

Every call carries `Linkedin-Version: YYYYMM` (the `api_version` setting) and
`X-Restli-Protocol-Version: 2.0.0`; the token goes in `Authorization: Bearer`. A post is one
`POST /rest/posts`; its URN comes back in the `x-restli-id` header. Images are first
registered (`POST /rest/images?action=initializeUpload`), their EXIF-free bytes PUT to the
upload URL, and the post then refers to their `urn:li:image:…` (one as `media`, several as
`multiImage`). A link without images becomes an `article`. The commentary is little text
(linkedin_text.py). LinkedIn has no idempotency key: the create call is written ahead and
never repeated, and `lookup()` finds it among the page's recent posts for `reconcile`.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from socialpub import specs
from socialpub.channels.adapter import Adapter, Lookup, Progress, media_files, media_fingerprint
from socialpub.channels.linkedin_errors import api_token, read_error
from socialpub.channels.linkedin_text import article, commentary
from socialpub.content.codes import problem
from socialpub.errors import (
    ConfigError,
    ContentError,
    Rejected,
    Transient,
)
from socialpub.i18n import _
from socialpub.models import MediaFile, Payload, Problem, Receipt, Sent, Variant

if TYPE_CHECKING:
    import httpx

    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

API_BASE = "https://api.linkedin.com/rest"
API_VERSION = "202605"  # Marketing May 2026; each version is supported for at least a year
RESTLI = {"X-Restli-Protocol-Version": "2.0.0"}
ALT_TEXT_MAX = 4086  # Posts API: altText of an image, up to 4086 characters
IMAGE_MAX_BYTES = 10_000_000  # socialpub's choice: photos are re-encoded to fit
CLOCK_SKEW = timedelta(minutes=5)
PAGE_SIZE = 50
MAX_PAGES = 10
_VERSION = re.compile(r"^20\d\d(0[1-9]|1[0-2])$")
_GONE = frozenset({404, 410})


class LinkedInAdapter(Adapter):
    spec = specs.LINKEDIN
    idempotent: ClassVar[bool] = False
    default_rate: ClassVar[tuple[int, float]] = (30, 60.0)

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        values = channel.settings
        org = str(values.get("organization") or "").removeprefix("urn:li:organization:")
        if not org.isdigit():
            raise ConfigError(
                _("channel {name!r}: organization must be the page's numeric id").format(
                    name=channel.name
                ),
                hint=_("the number in the page admin's URL linkedin.com/company/NUMBER/admin"),
            )
        version = str(values.get("api_version") or API_VERSION)
        if not _VERSION.match(version):
            raise ConfigError(
                _("channel {name!r}: api_version must be YYYYMM, e.g. 202605").format(
                    name=channel.name
                )
            )
        self.author = f"urn:li:organization:{org}"
        self.version = version
        self.base = str(values.get("api_base") or API_BASE).rstrip("/")

    # --- pure ---------------------------------------------------------------------------

    def check(self, variant: Variant) -> list[Problem]:
        """What LinkedIn refuses beyond the spec's limits: alt texts over 4086 characters."""
        found = []
        for item in variant.media:
            if item.alt and len(item.alt) > ALT_TEXT_MAX:
                why = f"{item.file}: LinkedIn takes alt texts up to {ALT_TEXT_MAX} characters"
                hint = "shorten the alt text"
                found.append(problem("SP205", variant.post_id, item.line, "media.alt", why, hint))
        return found

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant)
        body: dict[str, Any] = {
            "author": self.author,
            "commentary": commentary(variant.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        images = [{"id": f"<image {n + 1}>", "altText": m.alt or ""} for n, m in enumerate(media)]
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        elif variant.link:
            body["content"] = {"article": article(variant)}
        message = {
            "endpoint": "POST /rest/posts",
            "body": body,
            "created_after": created_at.isoformat(),  # lookup(): nothing older is ours
        }
        return Payload(variant.channel, self.key, variant.post_id, key, (message,), media)

    # --- on the platform ----------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if progress.sent:
            return Receipt(progress.sent)
        body = json.loads(json.dumps(payload.messages[0]["body"]))
        images = [self._image(http, item) for item in payload.media]
        if len(images) == 1:
            body["content"]["media"]["id"] = images[0]
        elif images:
            for entry, urn in zip(body["content"]["multiImage"]["images"], images, strict=True):
                entry["id"] = urn
        progress.before(0)
        response = self.call(http, "POST", "/posts", idempotent=False, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise Transient(
                _("{name}: LinkedIn gave no post URN").format(name=self.channel.name),
                maybe_sent=True,
            )
        sent = Sent(urn, _url(urn), {"images": images, "media": media_fingerprint(payload.media)})
        progress.after(0, sent)
        return Receipt((sent,))

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        if len(receipt.sent) != 1:
            raise Rejected(
                _("{name}: the ledger holds no single LinkedIn post").format(name=self.channel.name)
            )
        old = receipt.sent[0]
        if old.refs.get("media", []) != media_fingerprint(payload.media):
            raise Rejected(
                _("{name}: LinkedIn can change only the text of a post").format(
                    name=self.channel.name
                ),
                hint=_("`socialpub delete` it and publish the new version under a new post id"),
            )
        patch = {"patch": {"$set": {"commentary": payload.messages[0]["body"]["commentary"]}}}
        headers = {"X-RestLi-Method": "PARTIAL_UPDATE"}
        self.call(http, "POST", _post_path(old.id), idempotent=True, json=patch, headers=headers)
        return Receipt((old,))

    def delete(self, http: Http, receipt: Receipt) -> None:
        for sent in receipt.sent:
            try:  # deleting twice only finds nothing the second time: safe to repeat
                headers = {"X-RestLi-Method": "DELETE"}
                self.call(http, "DELETE", _post_path(sent.id), idempotent=True, headers=headers)
            except Rejected as exc:
                if exc.status not in _GONE:
                    raise

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        """The post among the page's posts created since the first attempt, matched on its
        exact commentary; the oldest match is the one this delivery made."""
        if progress.sent:
            return Lookup.FOUND
        message = payload.messages[0]
        wanted = message["body"]["commentary"]
        after = datetime.fromisoformat(message["created_after"]) - CLOCK_SKEW
        cutoff = after.timestamp() * 1000
        found: list[Mapping[str, Any]] = []
        complete = False  # True once the pages reach back before the first attempt
        for page in range(MAX_PAGES):
            params = {"author": self.author, "q": "author", "count": PAGE_SIZE}
            params |= {"start": page * PAGE_SIZE, "sortBy": "CREATED"}
            headers = {"X-RestLi-Method": "FINDER"}
            response = self.call(http, "GET", "/posts", idempotent=True, params=params,
                                  headers=headers)  # fmt: skip
            elements = _elements(http.json(response))
            recent = [e for e in elements if _number(e.get("createdAt")) >= cutoff]
            found += [e for e in recent if e.get("commentary") == wanted]
            if len(elements) < PAGE_SIZE or len(recent) < len(elements):
                complete = True
                break
        if found:
            return self._record(found, payload, progress)
        return Lookup.ABSENT if complete else Lookup.UNKNOWN

    # --- helpers ------------------------------------------------------------------------

    def _record(
        self, found: list[Mapping[str, Any]], payload: Payload, progress: Progress
    ) -> Lookup:
        oldest = min(found, key=lambda e: _number(e.get("createdAt")))
        urn = str(oldest.get("id") or "")
        refs = {"found": True, "media": media_fingerprint(payload.media)}
        progress.after(0, Sent(urn, _url(urn), refs))
        return Lookup.FOUND

    def _image(self, http: Http, item: MediaFile) -> str:
        """Register one image, upload its cleaned bytes; its `urn:li:image:…`. Repeating this
        can leave an unused image on LinkedIn, never a post."""
        data, mime = _clean(self.root, item, self.channel.name)
        init = {"initializeUploadRequest": {"owner": self.author}}
        params = {"action": "initializeUpload"}
        response = self.call(http, "POST", "/images", idempotent=True, json=init, params=params)
        answer = http.json(response) if response.content else None
        value = answer.get("value") if isinstance(answer, dict) else None
        upload = value.get("uploadUrl") if isinstance(value, dict) else None
        urn = value.get("image") if isinstance(value, dict) else None
        if not isinstance(upload, str) or not isinstance(urn, str):
            raise Transient(
                _("{name}: LinkedIn gave no upload URL for an image").format(name=self.channel.name)
            )
        if not self._ours(upload):  # the upload carries the token: only to LinkedIn
            raise Rejected(
                _("{name}: LinkedIn's upload URL is not on linkedin.com").format(
                    name=self.channel.name
                )
            )
        self.call(http, "PUT", upload, idempotent=True, content=data,
                   headers={"Content-Type": mime})  # fmt: skip
        return urn

    def _ours(self, url: str) -> bool:
        host = urllib.parse.urlsplit(url).hostname or ""
        api = urllib.parse.urlsplit(self.base).hostname
        return host == api or (url.startswith("https://") and host.endswith(".linkedin.com"))

    def call(
        self, http: Http, method: str, path: str, *, idempotent: bool, **kwargs: Any
    ) -> httpx.Response:
        token = api_token(http, self.channel.name)
        headers = {**RESTLI, "Linkedin-Version": self.version, **kwargs.pop("headers", {})}
        headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith(("http://", "https://")) else self.base + path
        return http.request(
            method,
            url,
            idempotent=idempotent,
            read_error=lambda r: read_error(r, http, self.channel.name),
            headers=headers,
            **kwargs,
        )


ADAPTER = LinkedInAdapter


def _clean(root: Path, item: MediaFile, channel: str) -> tuple[bytes, str]:
    from socialpub.net.images import clean_image  # Pillow only when uploading

    try:
        image = clean_image(root / item.file, max_bytes=IMAGE_MAX_BYTES)
    except ContentError as exc:
        raise Rejected(
            _("{channel}: cannot use {file}: {message}").format(
                channel=channel, file=item.file, message=exc.message
            )
        ) from None
    return image.data, image.mime


def _elements(body: Any) -> list[Mapping[str, Any]]:
    elements = body.get("elements") if isinstance(body, dict) else None
    return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _post_path(urn: str) -> str:
    return "/posts/" + urllib.parse.quote(urn, safe="")


def _url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"
