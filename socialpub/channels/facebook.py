"""Facebook Page via Meta's Graph API: text and link posts, one photo, 2–10 photos, one video.

One post is one request: `POST /{page}/feed` (message, link), `POST /{page}/photos` (the
EXIF-stripped file as `source`, message, alt_text_custom) or `POST /{page}/videos` on
graph-video.facebook.com (source, description). Several photos are first uploaded unpublished
(invisible: repeating an upload can leave an orphan, never a second post) and then attached to
one feed post. A post due 10 minutes to 30 days ahead goes out at once with published=false and
scheduled_publish_time; Facebook publishes it under the same id, and deleting it before then
cancels it. Meta has no idempotency key: the create call is written ahead and never repeated,
and `lookup()` finds it among the Page's recent and scheduled posts for `reconcile`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from socialpub import specs
from socialpub.channels import facebook_media as fb_media
from socialpub.channels import meta
from socialpub.channels import meta_data as data
from socialpub.channels.adapter import Adapter, Lookup, Progress, media_files, media_fingerprint
from socialpub.errors import ConfigError, Rejected, Transient
from socialpub.i18n import N_, _
from socialpub.models import MediaFile, Payload, Problem, Receipt, Sent, Variant

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig
    from socialpub.net.http import Http

VIDEO_BASE = "https://graph-video.facebook.com/v23.0"  # Meta: videos go to this host
CLOCK_SKEW = timedelta(minutes=5)  # Facebook's clock against ours, when matching times
RENEW = N_(
    "create a new Page access token (with pages_manage_posts, pages_read_engagement and "
    "pages_show_list) and put it into the env var the channel's access_token names"
)
_GONE_SUBCODE = 33  # "Object with ID … does not exist": deleted already


@dataclass(frozen=True)
class Settings:
    page_id: str
    api_base: str = meta.GRAPH_BASE
    video_api_base: str = VIDEO_BASE

    @classmethod
    def parse(cls, channel: ChannelConfig) -> Settings:
        values = channel.settings
        page_id = str(values.get("page_id") or "")
        if not page_id.isdigit():
            raise ConfigError(
                _("channel {name!r}: page_id must be the Page's numeric id").format(
                    name=channel.name
                )
            )
        base = meta.api_base(values, meta.GRAPH_BASE)
        video = values.get("video_api_base") or (base if values.get("api_base") else VIDEO_BASE)
        return cls(page_id, base, str(video).rstrip("/"))


class FacebookAdapter(Adapter):
    spec = specs.FACEBOOK
    idempotent: ClassVar[bool] = False

    def __init__(self, channel: ChannelConfig, root: Path, state_dir: Path | None = None) -> None:
        super().__init__(channel, root, state_dir)
        self.settings = Settings.parse(channel)

    # --- pure: what Facebook would refuse, and exactly what will be sent ----------------

    def check(self, variant: Variant) -> list[Problem]:
        return fb_media.problems(variant, self.root)

    def prepare(
        self,
        variant: Variant,
        key: str,
        *,
        created_at: datetime,
        schedule_at: datetime | None = None,
    ) -> Payload:
        media = media_files(variant)
        page, text = self.settings.page_id, variant.text
        schedule: dict[str, Any] = {}
        if schedule_at is not None:
            schedule = {"published": False, "scheduled_publish_time": int(schedule_at.timestamp())}
        photos = [i for i, item in enumerate(media) if item.kind in specs.IMAGE_KINDS]
        videos = [i for i, item in enumerate(media) if item.kind in specs.VIDEO_KINDS]
        message: dict[str, Any]
        if videos:
            title = {"title": variant.title} if variant.title else {}
            body = {"description": text, **title, **schedule}
            files = {"source": videos[0]}
            message = {"endpoint": f"POST /{page}/videos", "body": body, "files": files}
        elif len(photos) == 1:
            body = {"message": text, **fb_media.alt(media[photos[0]]), **schedule}
            files = {"source": photos[0]}
            message = {"endpoint": f"POST /{page}/photos", "body": body, "files": files}
        elif photos:
            hidden = {"published": False}  # invisible until attached to the post
            message = {
                "endpoint": f"POST /{page}/feed",
                "uploads": [
                    {"body": {**hidden, **fb_media.alt(media[i])}, "files": {"source": i}}
                    for i in photos
                ],
                "body": {
                    "message": text,
                    "attached_media": [f"<id of photo {n}>" for n in range(1, len(photos) + 1)],
                    **schedule,
                },
            }
        else:
            link = {"link": variant.link} if variant.link else {}
            message = {
                "endpoint": f"POST /{page}/feed",
                "body": {"message": text, **link, **schedule},
            }
        message["created_after"] = created_at.isoformat()  # lookup(): nothing older is ours
        return Payload(
            variant.channel, self.key, variant.post_id, key, (message,), media, schedule_at
        )

    # --- on the platform ----------------------------------------------------------------

    def send(self, payload: Payload, http: Http, progress: Progress) -> Receipt:
        scheduled = payload.schedule_at is not None
        if progress.sent:  # the one message exists already
            return Receipt(progress.sent, scheduled=scheduled)
        self._check_window(payload.schedule_at, http.clock.now())
        graph, message = self._graph(http), payload.messages[0]
        body = dict(message["body"])
        files = self._files(message, payload.media)  # read and clean before the write-ahead
        photo_ids = [self._upload(graph, up, payload.media) for up in message.get("uploads", [])]
        if photo_ids:
            body["attached_media"] = [{"media_fbid": photo_id} for photo_id in photo_ids]
        progress.before(0)
        path = self._path(message)
        answer, trace = graph.traced("POST", path, idempotent=False, data=data.form(body), **files)
        sent = self._sent(answer, trace, photo_ids, payload)
        progress.after(0, sent)
        return Receipt((sent,), scheduled=scheduled)

    def edit(self, payload: Payload, http: Http, receipt: Receipt) -> Receipt:
        if len(receipt.sent) != 1:
            raise Rejected(
                _("{name}: the ledger holds no single Facebook post").format(name=self.channel.name)
            )
        old, body = receipt.sent[0], payload.messages[0]["body"]
        if old.refs.get("media", []) != media_fingerprint(payload.media):
            raise Rejected(
                _("{name}: Facebook cannot change the photos or video of a post").format(
                    name=self.channel.name
                ),
                hint=_("`socialpub delete` it and publish the new version under a new post id"),
            )
        field = "description" if "description" in body else "message"
        target = old.refs.get("video_id") or old.id
        answer, trace = self._graph(http).traced(  # the same text twice changes nothing
            "POST", f"/{target}", idempotent=True, data={field: body[field]}
        )
        if data.dig(answer, "success") is False:
            raise Transient(
                _("{name}: Facebook did not confirm the edit").format(name=self.channel.name)
            )
        return Receipt((Sent(old.id, old.url, {**old.refs, "fbtrace_id": trace}),))

    def delete(self, http: Http, receipt: Receipt) -> None:
        graph = self._graph(http)
        for sent in receipt.sent:  # the post (a video: the video), then its photos
            targets = [sent.refs.get("video_id") or sent.id, *sent.refs.get("photo_ids", [])]
            for target in dict.fromkeys(t for t in targets if t):
                try:  # deleting twice only finds nothing the second time: safe to repeat
                    graph.call("DELETE", f"/{target}", idempotent=True)
                except Rejected as exc:
                    if exc.status != 404 and not exc.platform_error.endswith(f"/{_GONE_SUBCODE}"):
                        raise

    def lookup(self, payload: Payload, http: Http, progress: Progress) -> Lookup:
        """The post, matched on its exact text (a video's post shows its description) among
        the Page's scheduled and recent posts created after the delivery's first attempt."""
        if progress.sent:
            return Lookup.FOUND
        message, graph = payload.messages[0], self._graph(http)
        body = message["body"]
        wanted = str(body.get("message", body.get("description", ""))).strip()
        after = datetime.fromisoformat(message["created_after"]) - CLOCK_SKEW
        complete = True
        for edge in ("scheduled_posts", "feed"):
            path = f"/{self.settings.page_id}/{edge}"
            found, whole = data.recent(graph, path, "id,message", after)
            complete = complete and whole
            match = next((i for i in reversed(found) if _text(i) == wanted), None)
            if match is not None:  # the oldest match is the one this delivery made
                progress.after(0, self._found(match, edge == "scheduled_posts", payload))
                return Lookup.FOUND
        return Lookup.ABSENT if complete else Lookup.UNKNOWN

    # --- helpers ------------------------------------------------------------------------

    def _graph(self, http: Http) -> meta.Graph:
        return meta.Graph(
            http,
            base=self.settings.api_base,
            channel=self.channel.name,
            service="Facebook",
            renew=_(RENEW),
        )

    def _path(self, message: Mapping[str, Any]) -> str:
        path = str(message["endpoint"]).split(" ", 1)[1]
        return self.settings.video_api_base + path if path.endswith("/videos") else path

    def _check_window(self, schedule_at: datetime | None, now: datetime) -> None:
        """Facebook refuses a time outside its window: nothing is sent, and the engine's own
        run publishes the post when it is due."""
        if schedule_at is not None and not _in_window(schedule_at - now):
            raise Transient(
                _(
                    "{name}: Facebook schedules posts 10 minutes to 30 days ahead, not for "
                    "{schedule_at}"
                ).format(name=self.channel.name, schedule_at=schedule_at.isoformat()),
                hint=_("nothing was sent; a `socialpub publish` run after that time posts it"),
            )

    def _upload(
        self, graph: meta.Graph, upload: Mapping[str, Any], media: Sequence[MediaFile]
    ) -> str:
        """One unpublished photo of an album post; its id."""
        files = self._files(upload, media)
        path = f"/{self.settings.page_id}/photos"
        form = data.form(upload["body"])
        answer = graph.call("POST", path, idempotent=True, data=form, **files)
        photo_id = data.text(answer, "id")
        if not photo_id:
            raise Transient(
                _("{name}: Facebook took a photo but gave no id").format(name=self.channel.name)
            )
        return photo_id

    def _files(self, message: Mapping[str, Any], media: Sequence[MediaFile]) -> dict[str, Any]:
        uploads = message.get("files") or {}
        if not uploads:
            return {}
        name = self.channel.name
        return {
            "files": {k: fb_media.upload(self.root, media[i], name) for k, i in uploads.items()}
        }

    def _sent(self, answer: Any, trace: str, photo_ids: Sequence[str], payload: Payload) -> Sent:
        """The post: its id (of a photo, the post_id; of a video, the video's id), what edit
        and delete need, and the fbtrace id that Meta's support asks for."""
        video = any(item.kind in specs.VIDEO_KINDS for item in payload.media)
        post_id = data.text(answer, "post_id") or data.text(answer, "id")
        if not post_id:
            raise Transient(
                _("{name}: Facebook answered without an id").format(name=self.channel.name),
                maybe_sent=True,
            )
        refs: dict[str, Any] = {"fbtrace_id": trace, "media": media_fingerprint(payload.media)}
        if video:
            refs["video_id"] = post_id
        single = [data.text(answer, "id")] if data.text(answer, "post_id") else []
        if photo_ids or single:
            refs["photo_ids"] = list(photo_ids) or single
        if payload.schedule_at is not None:
            refs |= {"scheduled": True, "scheduled_at": payload.schedule_at.isoformat()}
        return Sent(post_id, self._url(post_id, video), refs)

    def _found(self, item: Mapping[str, Any], scheduled: bool, payload: Payload) -> Sent:
        """A post found by lookup(): its id is the post's (of a video too: edit and delete
        then address the post)."""
        post_id = data.text(item, "id")
        refs: dict[str, Any] = {"media": media_fingerprint(payload.media), "found": True}
        refs |= {"scheduled": True} if scheduled else {}
        return Sent(post_id, self._url(post_id, video=False), refs)

    def _url(self, item_id: str, video: bool) -> str:
        if video:
            return f"https://www.facebook.com/{self.settings.page_id}/videos/{item_id}"
        return f"https://www.facebook.com/{item_id}"


ADAPTER = FacebookAdapter


def _text(item: Mapping[str, Any]) -> str:
    return str(item.get("message") or "").strip()


def _in_window(ahead: timedelta) -> bool:
    """Whether Facebook's scheduler takes a post this far ahead (the window is data in
    specs, where `plan` reads it too)."""
    caps = specs.FACEBOOK.capabilities
    horizon = caps.schedule_horizon
    return caps.schedule_lead <= ahead and (horizon is None or ahead <= horizon)
