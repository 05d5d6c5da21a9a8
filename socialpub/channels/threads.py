"""Threads: text, photos, videos and carousels; a long post becomes a thread of replies.

Every part is a container (`POST /{user-id}/threads`, `media_type` TEXT, IMAGE, VIDEO or
CAROUSEL, `text`, `image_url`/`video_url`, `alt_text`; parts after the first carry
`reply_to_id` of the part before), polled until its `status` is FINISHED and published with
`POST /{user-id}/threads_publish`. A thread resumes after a crash from the ledger: parts that
exist are skipped. Meta's quota (250 posts a day) is asked first; deleting needs the
`threads_delete` permission (100 deletes a day); Threads has no edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialpub.channels import meta, meta_media
from socialpub.channels import meta_containers as mc
from socialpub.channels.adapter import Lookup, Progress, media_files
from socialpub.channels.meta_account import ContainerAdapter
from socialpub.errors import Rejected
from socialpub.i18n import N_, _
from socialpub.models import MediaFile, Payload, Problem, Receipt, Sent, Variant
from socialpub.specs import THREADS, VIDEO_KINDS

if TYPE_CHECKING:
    from socialpub.net.http import Http

RENEW = N_(
    "create a new long-lived Threads token (permissions threads_basic, "
    "threads_content_publish, threads_delete) and export it again; tokens last 60 days"
)
FIELDS = "id,text,permalink"  # and `timestamp`, which the look-up adds
MAX_LINKS = 5  # distinct URLs in one post
GONE_SUBCODE = 33  # Meta: "Object with ID … does not exist"


class ThreadsAdapter(ContainerAdapter):
    spec = THREADS
    service = "Threads"
    default_base = meta.THREADS_BASE
    renew = RENEW
    state_field = "status"
    detail_field = "error_message"

    # --- pure: exactly what will be sent ------------------------------------------------

    def check(self, variant: Variant) -> list[Problem]:
        """Meta refuses a post with more than 5 distinct links (since 22 December 2025)."""
        from socialpub.content.codes import problem
        from socialpub.render.counting import find_entities

        found = []
        for number, part in enumerate(variant.parts, 1):
            links = {e.value for e in find_entities(part.text, "twitter") if e.kind == "url"}
            if len(links) > MAX_LINKS:
                where = f"part {number}: " if len(variant.parts) > 1 else ""
                message = f"{where}{len(links)} links; Threads takes at most {MAX_LINKS}"
                hint = "link fewer pages, or give Threads its own text in overrides"
                found.append(problem("SP309", variant.post_id, 1, "body", message, hint))
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
        user = self.settings.user_id
        messages = tuple(
            {
                "endpoint": f"POST /{user}/threads_publish",
                "containers": _containers(part.text, media if index == 0 else (), index),
                "body": {"creation_id": "<id of the last container>"},
                "since": created_at.isoformat(),  # reconcile looks for posts made after this
            }
            for index, part in enumerate(variant.parts)
        )
        return Payload(variant.channel, self.key, variant.post_id, key, messages, media)

    # --- on the platform ----------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        graph, user = self._graph(http), self.settings.user_id
        start = len(progress.sent)
        if start >= len(payload.messages):
            return Receipt(progress.sent)
        self._check_quotas(
            graph, posts=int(start == 0), replies=len(payload.messages) - max(start, 1)
        )
        urls = self._public_urls(payload.media, http) if start == 0 and payload.media else {}
        log = mc.ContainerLog(self.state_dir, self.channel.name, payload.key)
        for index in range(start, len(payload.messages)):
            parent = progress.sent[-1].id if index else ""
            progress.before(index)  # from here on part `index` may come to exist
            container = self._container(graph, payload.messages[index], urls, parent)
            log.put(index, container)
            media_id, trace = mc.create(
                graph, f"/{user}/threads_publish", {"creation_id": container}
            )
            refs = {"container": container, **({"fbtrace_id": trace} if trace else {})}
            progress.after(index, Sent(media_id, mc.permalink(graph, media_id), refs))
        log.clear()
        return Receipt(progress.sent)

    def _check_quotas(self, graph: meta.Graph, *, posts: int, replies: int) -> None:
        """Meta's 24-hour quotas: 250 posts, and 1,000 replies (every part after the first);
        a thread starts only when all its remaining parts fit, so it is never cut off."""
        fields = ["quota_usage", "config"] if posts else []
        fields += ["reply_quota_usage", "reply_config"] if replies > 0 else []
        limit = graph.call(
            "GET",
            f"/{self.settings.user_id}/threads_publishing_limit",
            idempotent=True,
            params={"fields": ",".join(fields)},
        )
        name = self.channel.name
        if posts:
            mc.check_quota(limit, channel=name)
        if replies > 0:
            mc.check_quota(
                limit,
                channel=name,
                needed=replies,
                usage="reply_quota_usage",
                config_field="reply_config",
                what="replies",
            )

    def delete(self, http: Http, receipt: Receipt) -> None:
        graph = self._graph(http)
        for sent in reversed(receipt.sent):  # replies first: no part is left without its parent
            if not sent.id:
                raise Rejected(
                    _("{name}: no Threads id known for {url}").format(
                        name=self.channel.name, url=sent.url
                    )
                )
            try:
                graph.call("DELETE", f"/{sent.id}", idempotent=True)
            except Rejected as exc:  # "does not exist" (subcode 33) or a 404: gone already
                if exc.status != 404 and not exc.platform_error.endswith(f"/{GONE_SUBCODE}"):
                    raise

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        graph = self._graph(http)
        log = mc.ContainerLog(self.state_dir, self.channel.name, payload.key)
        for index in range(len(progress.sent), len(payload.messages)):
            message = payload.messages[index]
            container = log.get(index)
            if container and self._status(graph, container) != "PUBLISHED":
                return Lookup.ABSENT  # never published: making it (and the rest) is safe
            parent = progress.sent[-1].id if index else ""
            recent = self._recent(graph, parent, message["since"])
            wanted = str(message["containers"][-1].get("text", ""))
            found = mc.find_post(recent, key="text", wanted=wanted, since=message["since"])
            if found is None:
                return Lookup.UNKNOWN if container else Lookup.ABSENT
            refs = {"container": container} if container else {}
            progress.after(
                index, Sent(mc.text_of(found, "id"), mc.text_of(found, "permalink"), refs)
            )
        log.clear()
        return Lookup.FOUND

    # --- helpers ------------------------------------------------------------------------

    def _container(
        self, graph: meta.Graph, message: Mapping[str, Any], urls: dict[str, str], parent: str
    ) -> str:
        """Create the part's containers (carousel items first), each processed; the last."""
        made: list[str] = []
        for body in message["containers"]:
            data = {k: urls.get(str(v), str(v)) for k, v in body.items()}
            if "children" in data:
                data["children"] = ",".join(made)
            if "reply_to_id" in data:
                data["reply_to_id"] = parent
            container, _ = mc.create(graph, f"/{self.settings.user_id}/threads", data)
            self._wait(graph, container)  # text is ready at once, media take a while
            made.append(container)
        return made[-1]

    def _recent(self, graph: meta.Graph, parent: str, since: str) -> dict[str, Any]:
        """The account's recent posts, or (for a later part) its replies to `parent`."""
        edge, fields = ("replies", FIELDS + ",replied_to") if parent else ("threads", FIELDS)
        path = f"/{self.settings.user_id}/{edge}"
        items = mc.recent_posts(graph, path, fields, since)["data"]
        return {
            "data": [
                item
                for item in (items if isinstance(items, list) else [])
                if isinstance(item, dict)
                and (not parent or mc.text_of(item.get("replied_to"), "id") == parent)
            ]
        }

    def _status(self, graph: meta.Graph, container: str) -> str:
        answer = graph.call("GET", f"/{container}", idempotent=True, params={"fields": "status"})
        return mc.text_of(answer, "status")


ADAPTER = ThreadsAdapter


def _containers(text: str, media: tuple[MediaFile, ...], index: int) -> list[dict[str, str]]:
    """The containers of one part, in the order they are made; the last is published."""
    carousel = len(media) > 1
    items = [_item(n, item, carousel=carousel) for n, item in enumerate(media, 1)]
    if carousel:
        final = {"media_type": "CAROUSEL", "children": f"<ids of containers 1–{len(media)}>"}
        items.append(final)
    elif not items:
        items.append({"media_type": "TEXT"})
    items[-1]["text"] = text
    if index:
        items[-1]["reply_to_id"] = f"<id of message {index}>"
    return items


def _item(number: int, item: MediaFile, *, carousel: bool) -> dict[str, str]:
    video = item.kind in VIDEO_KINDS
    body = {
        "media_type": "VIDEO" if video else "IMAGE",
        "video_url" if video else "image_url": meta_media.url_placeholder(number),
    }
    if item.alt:
        body["alt_text"] = item.alt
    if carousel:
        body["is_carousel_item"] = "true"
    return body
