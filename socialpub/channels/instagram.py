"""Instagram (a professional account): photos, carousels of 2–10 and videos as Reels.

Publishing goes through containers: one per photo (`POST /{ig-user-id}/media` with
`image_url`, `caption`, `alt_text`), for several photos each as `is_carousel_item` and then a
`CAROUSEL` container; Meta fetches every file from its public URL and processes it, socialpub
polls `status_code` until FINISHED, then `POST /{ig-user-id}/media_publish`. Before that it asks
`content_publishing_limit` and stops while the 24-hour quota is used up. Instagram's API has
no caption edits, and Meta's publishing guide documents no delete: that is left to the app.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socialpub.channels import meta, meta_media
from socialpub.channels import meta_containers as mc
from socialpub.channels.adapter import Lookup, Progress, media_files
from socialpub.channels.meta_account import ContainerAdapter
from socialpub.content.codes import problem
from socialpub.errors import ContentError, Rejected
from socialpub.i18n import N_, _
from socialpub.models import MediaFile, Payload, Problem, Receipt, Sent, Variant
from socialpub.specs import (
    INSTAGRAM,
    INSTAGRAM_MAX_HASHTAGS,
    INSTAGRAM_MAX_MENTIONS,
    INSTAGRAM_RECOMMENDED_HASHTAGS,
    VIDEO_KINDS,
    media_kind,
)

if TYPE_CHECKING:
    from socialpub.net.http import Http

MAX_BYTES = 8 * 1024 * 1024  # photos: at most 8 MB
CAPTION_MAX = 2200
RENEW = N_(
    "create a new long-lived token for the Facebook Page linked to the Instagram account "
    "(permissions instagram_basic, instagram_content_publish) and export it again"
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9._]{1,30}")


class InstagramAdapter(ContainerAdapter):
    spec = INSTAGRAM
    service = "Instagram"
    default_base = meta.GRAPH_BASE
    renew = RENEW
    state_field = "status_code"
    detail_field = "status"
    max_image_bytes = MAX_BYTES

    # --- pure: exactly what will be sent ------------------------------------------------

    def check(self, variant: Variant) -> list[Problem]:
        """What Instagram refuses beyond the spec's data rules (media required, caption
        length, 30 hashtags: checked by validation for every channel): the photos' format,
        size and aspect ratio, and more than 20 @mentions; more than 5 hashtags warns."""
        where, text = variant.post_id, variant.text
        found: list[Problem] = []
        for item in variant.media:
            found += _media_problems(self.root, where, item.file, item.line)
        tags, mentions = _hashtags(text), len(_MENTION.findall(text))
        if INSTAGRAM_RECOMMENDED_HASHTAGS < tags <= INSTAGRAM_MAX_HASHTAGS:
            message = _(
                "{tags} hashtags; Instagram recommends {instagram_recommended_hashtags}"
            ).format(tags=tags, instagram_recommended_hashtags=INSTAGRAM_RECOMMENDED_HASHTAGS)
            found.append(
                problem("SP308", where, 1, "tags", message, _("keep the five that matter"))
            )
        if mentions > INSTAGRAM_MAX_MENTIONS:
            message = _(
                "{mentions} @mentions; Instagram takes at most {instagram_max_mentions}"
            ).format(mentions=mentions, instagram_max_mentions=INSTAGRAM_MAX_MENTIONS)
            found.append(problem("SP307", where, 1, "body", message, _("mention fewer accounts")))
        return found

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant, unknown="unknown")
        containers = [_item(n, item, carousel=len(media) > 1) for n, item in enumerate(media, 1)]
        if len(media) > 1:
            containers.append(
                {
                    "media_type": "CAROUSEL",
                    "children": f"<ids of containers 1–{len(media)}>",
                    "caption": variant.text,
                }
            )
        elif containers:
            containers[0]["caption"] = variant.text
        message = {
            "endpoint": f"POST /{self.settings.user_id}/media_publish",
            "containers": containers,  # POST /{ig-user-id}/media each, in order
            "body": {"creation_id": "<id of the last container>"},
            "since": created_at.isoformat(),  # reconcile looks for posts made after this
        }
        return Payload(variant.channel, self.key, variant.post_id, key, (message,), media)

    # --- on the platform ----------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        if progress.sent:
            return Receipt(progress.sent)
        graph, user = self._graph(http), self.settings.user_id
        limit = graph.call(
            "GET",
            f"/{user}/content_publishing_limit",
            idempotent=True,
            params={"fields": "quota_usage,config"},
        )
        mc.check_quota(limit, channel=self.channel.name)
        if not payload.media:
            raise Rejected(
                _("{name}: Instagram publishes only posts with a photo or video").format(
                    name=self.channel.name
                ),
                hint=_("add a JPEG photo under media:, or leave Instagram out of the channels"),
            )
        urls = self._public_urls(payload.media, http)
        log = mc.ContainerLog(self.state_dir, self.channel.name, payload.key)
        progress.before(0)  # from here on a post may come to exist
        children: list[str] = []
        containers = payload.messages[0]["containers"]
        for index, body in enumerate(containers):
            data = {k: urls.get(str(v), str(v)) for k, v in body.items()}
            if "children" in data:
                data["children"] = ",".join(children)
            container, __ = mc.create(graph, f"/{user}/media", data)
            self._wait(graph, container)
            children.append(container)
            if index == len(containers) - 1:
                log.put(0, container)
        media_id, trace = mc.create(graph, f"/{user}/media_publish", {"creation_id": children[-1]})
        refs = {"container": children[-1], **({"fbtrace_id": trace} if trace else {})}
        progress.after(0, Sent(media_id, mc.permalink(graph, media_id), refs))
        log.clear()
        return Receipt(progress.sent)

    def delete(self, http: Http, receipt: Receipt) -> None:
        where = receipt.url or _("the post")
        raise Rejected(
            _(
                "{name}: socialpub does not delete Instagram posts (Meta's content publishing "
                "documentation offers no way to)"
            ).format(name=self.channel.name),
            hint=_("delete {where} by hand in the Instagram app (⋯ → Delete)").format(where=where),
        )

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        if progress.sent:
            return Lookup.FOUND
        graph = self._graph(http)
        log = mc.ContainerLog(self.state_dir, self.channel.name, payload.key)
        container = log.get(0)
        if container:
            state = mc.text_of(
                graph.call(
                    "GET", f"/{container}", idempotent=True, params={"fields": "status_code"}
                ),
                "status_code",
            )
            if state != "PUBLISHED":  # never published: making it again is safe
                log.clear()
                return Lookup.ABSENT
        message = payload.messages[0]
        caption = str(message["containers"][-1].get("caption", "")) if payload.media else ""
        path = f"/{self.settings.user_id}/media"
        recent = mc.recent_posts(graph, path, "id,caption,permalink", message["since"])
        found = mc.find_post(recent, key="caption", wanted=caption, since=message["since"])
        if found is None:  # published (says the container) but not in the recent media
            return Lookup.UNKNOWN if container else Lookup.ABSENT
        refs = {"container": container} if container else {}
        progress.after(0, Sent(mc.text_of(found, "id"), mc.text_of(found, "permalink"), refs))
        log.clear()
        return Lookup.FOUND

    # --- helpers ------------------------------------------------------------------------


ADAPTER = InstagramAdapter


def _item(number: int, item: MediaFile, *, carousel: bool) -> dict[str, str]:
    """The container of one file: a photo with its alt text, or a video (a Reel alone)."""
    if item.kind in VIDEO_KINDS:
        kind = "VIDEO" if carousel else "REELS"
        body = {"media_type": kind, "video_url": meta_media.url_placeholder(number)}
    else:
        body = {"image_url": meta_media.url_placeholder(number)}
        if item.alt:
            body["alt_text"] = item.alt
    if carousel:
        body["is_carousel_item"] = "true"
    return body


def _media_problems(root: Path, where: str, file: str, line: int) -> list[Problem]:
    """A JPEG photo between 4:5 and 1.91:1 and at most 8 MB."""
    from socialpub.net.images import upright_size  # Pillow: only for Instagram's photos

    if media_kind(file) != "jpeg":
        return []  # other kinds: the spec's media_kinds rule (SP203) says what it takes
    path = root / file
    try:
        size = path.stat().st_size
        width, height = upright_size(path)
    except OSError:
        return []  # a missing file is SP201 already
    except ContentError as exc:
        return [problem("SP203", where, line, "media.file", f"{file}: {exc}")]
    found = []
    if 5 * width < 4 * height or 100 * width > 191 * height:
        message = _("{file}: {width}×{height} px is outside Instagram's 4:5 … 1.91:1").format(
            file=file, width=width, height=height
        )
        hint = _("crop it to a format between 4:5 (portrait) and 1.91:1 (landscape)")
        found.append(problem("SP209", where, line, "media.file", message, hint))
    if size > MAX_BYTES:
        message = _("{file}: {value:.1f} MB; Instagram takes photos up to 8 MB").format(
            file=file, value=size / 1048576
        )
        found.append(problem("SP210", where, line, "media.file", message, _("export it smaller")))
    return found


def _hashtags(text: str) -> int:
    """Hashtags as validation counts them for SP304 (twitter-text's rules)."""
    from socialpub.render.counting import find_entities

    return sum(1 for entity in find_entities(text, "twitter") if entity.kind == "hashtag")
