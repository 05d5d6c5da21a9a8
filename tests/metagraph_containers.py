"""Instagram (Graph API v23.0) and Threads (graph.threads.net v1.0) endpoints of the fake
Meta Graph server: media containers that change state over polls, publishing, quotas, the
account's recent media, and Threads' delete."""

from __future__ import annotations

from typing import Any

from tests.metagraph_facebook import check_params, required
from tests.metagraph_store import Account, Container, Fetched, Image, Published, Store
from tests.metagraph_wire import (
    LIST_PARAMS,
    GraphError,
    Request,
    bad_param,
    crawl,
    distinct_links,
    flag,
    graph_time,
    listing,
    threads_length,
    unknown_path,
    unsupported,
)

IG_CREATE = frozenset(
    {"image_url", "video_url", "media_type", "caption", "alt_text", "is_carousel_item", "children",
     "share_to_feed", "cover_url", "thumb_offset"}
)  # fmt: skip
IG_TYPES = frozenset({"IMAGE", "VIDEO", "CAROUSEL", "REELS"})  # VIDEO: carousel items only
IG_CAPTION_MAX = 2200
IG_HASHTAGS_MAX = 30
THREADS_CREATE = frozenset(
    {"media_type", "text", "image_url", "video_url", "alt_text", "is_carousel_item", "children",
     "reply_to_id", "link_attachment", "reply_control"}
)  # fmt: skip
THREADS_TYPES = frozenset({"TEXT", "IMAGE", "VIDEO", "CAROUSEL"})
THREADS_TEXT_MAX = 500
THREADS_LINKS_MAX = 5
IG_CONTAINER_FIELDS = {"id": 0, "status_code": 0, "status": 0}
THREADS_CONTAINER_FIELDS = {"id": 0, "status": 0, "error_message": 0}
MEDIA_FIELDS = {"id": 0, "caption": 0, "media_type": 0, "timestamp": 0, "permalink": 0}
THREAD_FIELDS = {
    "id": 0, "text": 0, "media_type": 0, "timestamp": 0, "permalink": 0, "is_reply": 0,
    "replied_to": 0,
}  # fmt: skip
IG_LIMIT_FIELDS = {"quota_usage": 0, "config": 0}
THREADS_LIMIT_FIELDS = {"quota_usage": 0, "config": 0, "reply_quota_usage": 0, "reply_config": 0}
_IG_STATUS = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: Media was not published within 24 hours.",
}


def ig_edge(store: Store, account: Account, request: Request) -> dict[str, Any]:
    edge, method = request.parts[1], request.method
    if edge == "media" and method == "POST":
        return create_ig_container(store, account, request)
    if edge == "media" and method == "GET":
        return recent(store, account, request, MEDIA_FIELDS, "id,caption,media_type,timestamp")
    if edge == "media_publish" and method == "POST":
        return publish(store, account, request, store.ig_quota)
    if edge == "content_publishing_limit" and method == "GET":
        return ig_limit(store, account, request)
    if edge in ("media", "media_publish", "content_publishing_limit"):
        raise unsupported(method, account.id)
    raise unknown_path(f"/{edge}")


def threads_edge(store: Store, account: Account, request: Request) -> dict[str, Any]:
    edge, method = request.parts[1], request.method
    if edge == "threads" and method == "POST":
        return create_threads_container(store, account, request)
    if edge == "threads" and method == "GET":
        return recent(store, account, request, THREAD_FIELDS, "id,text,timestamp", replies=False)
    if edge == "replies" and method == "GET":
        return recent(store, account, request, THREAD_FIELDS, "id,text,timestamp", replies=True)
    if edge == "threads_publish" and method == "POST":
        return publish(store, account, request, store.threads_quota)
    if edge == "threads_publishing_limit" and method == "GET":
        return threads_limit(store, account, request)
    if edge in ("threads", "replies", "threads_publish", "threads_publishing_limit"):
        raise unsupported(method, account.id)
    raise unknown_path(f"/{edge}")


def container_node(store: Store, container: Container, request: Request) -> dict[str, Any]:
    """GET /{container-id}?fields=…: each GET is one poll (IN_PROGRESS, then the outcome)."""
    if request.method != "GET":
        raise unsupported(request.method, container.id)
    check_params(request, frozenset({"fields"}))
    threads = container.family == "threads"
    allowed = THREADS_CONTAINER_FIELDS if threads else IG_CONTAINER_FIELDS
    names = request.fields(allowed, "ThreadsMedia" if threads else "ShadowIGMediaBuilder", "id")
    with store.lock:
        state = container.state(store.now())
        container.polls_seen += 1
    values: dict[str, Any] = {"id": container.id}
    if threads:
        values["status"] = state
        if state == "ERROR":
            values["error_message"] = container.plan.error_message
    else:
        values["status_code"] = state
        values["status"] = _IG_STATUS.get(state, f"Error: {container.plan.error_message}")
    return {name: values[name] for name in names if name in values}


def published_node(store: Store, item: Published, request: Request) -> dict[str, Any]:
    if request.method == "GET":
        check_params(request, frozenset({"fields"}))
        threads = item.family == "threads"
        allowed = THREAD_FIELDS if threads else MEDIA_FIELDS
        names = request.fields(allowed, "ThreadsMedia" if threads else "IGMedia", "id")
        return {k: v for k, v in media_json(item).items() if k in names}
    if request.method == "DELETE" and (item.family == "threads" or store.ig_delete_supported):
        check_params(request, frozenset())
        return delete_published(store, item)
    raise unsupported(request.method, item.id)


def delete_published(store: Store, item: Published) -> dict[str, Any]:
    with store.lock:
        if item.deleted:
            raise unsupported("delete", item.id)
        if (
            item.family == "threads"
            and store.deleted_since(item.owner) >= store.threads_delete_quota
        ):
            raise GraphError(400, 4, "(#4) Application request limit reached: 100 deletes a day")
        item.deleted = True
        item.deleted_at = store.now()
    if item.family == "threads":
        return {"success": True, "deleted_id": item.id}
    return {"success": True}


def create_ig_container(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, IG_CREATE)
    params = request.params
    carousel_item = flag(params, "is_carousel_item", False)
    media_type = params.get("media_type", "IMAGE")
    if media_type not in IG_TYPES:
        raise bad_param(f"The media type {media_type} is unknown", subcode=2207023)
    caption = params.get("caption", "")
    check_caption(caption)
    if "alt_text" in params and media_type != "IMAGE":
        raise bad_param("Param alt_text is only supported for image media")
    if media_type == "VIDEO" and not carousel_item:
        raise bad_param("media_type VIDEO is only for carousel items: publish a video as REELS")
    container = new_container(store, account, media_type, caption, carousel_item, request)
    if media_type == "IMAGE":
        container.image = Image(
            fetch_or_fail(store, required(request, "image_url")),
            params.get("alt_text"),
            params["image_url"],
        )
    elif media_type in ("REELS", "VIDEO"):
        container.video = fetch(store, required(request, "video_url"), container)
    else:
        container.children = claim_children(store, account, request, store.ig_carousel_max)
    return register(store, container)


def create_threads_container(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, THREADS_CREATE)
    params = request.params
    media_type = required(request, "media_type")
    if media_type not in THREADS_TYPES:
        raise bad_param(f"Param media_type must be one of {sorted(THREADS_TYPES)}")
    text = params.get("text", "")
    if threads_length(text) > THREADS_TEXT_MAX:
        raise bad_param(f"Param text must be at most {THREADS_TEXT_MAX} characters long")
    if len(distinct_links(text)) > THREADS_LINKS_MAX:
        raise GraphError(400, 100, "THREADS_API__LINK_LIMIT_EXCEEDED", type_="THApiException")
    carousel_item = flag(params, "is_carousel_item", False)
    container = new_container(store, account, media_type, text, carousel_item, request)
    if reply_to := params.get("reply_to_id"):
        target = store.objects.get(reply_to)
        if not isinstance(target, Published) or target.family != "threads" or target.deleted:
            raise bad_param(f"Param reply_to_id {reply_to} is not a Threads post")
        container.reply_to_id = reply_to
    if media_type == "TEXT":
        required(request, "text")
    elif media_type == "IMAGE":
        url = required(request, "image_url")
        data = fetch(store, url, container)
        container.image = Image(data or b"", params.get("alt_text"), url)
    elif media_type == "VIDEO":
        container.video = fetch(store, required(request, "video_url"), container)
    else:
        container.children = claim_children(store, account, request, store.threads_carousel_max)
    return register(store, container)


def new_container(
    store: Store,
    account: Account,
    media_type: str,
    text: str,
    carousel_item: bool,
    request: Request,
) -> Container:
    if carousel_item and media_type in ("CAROUSEL", "TEXT"):
        raise bad_param(f"A {media_type} container cannot be a carousel item")
    return Container(
        store.new_id(), account.family, account.id, media_type, text, store.now(),
        store.take_plan(), is_carousel_item=carousel_item,
    )  # fmt: skip


def register(store: Store, container: Container) -> dict[str, Any]:
    with store.lock:
        store.objects[container.id] = container
    return {"id": container.id}


def claim_children(store: Store, account: Account, request: Request, most: int) -> list[str]:
    """`children`: comma-separated container ids of this account's carousel items."""
    ids = [c.strip() for c in required(request, "children").split(",") if c.strip()]
    if not 2 <= len(ids) <= most:
        raise bad_param(f"A carousel needs 2 to {most} children, got {len(ids)}")
    with store.lock:
        for child_id in ids:
            child = store.objects.get(child_id)
            if not isinstance(child, Container) or child.owner != account.id:
                raise bad_param(f"Param children: {child_id} is not a container of this account")
            if not child.is_carousel_item or child.used_in is not None:
                raise bad_param(f"Param children: {child_id} is not an unused carousel item")
    return ids


def fetch(store: Store, url: str, container: Container) -> bytes | None:
    """Fetch like Meta's crawler; a URL that is not online makes the container end in ERROR."""
    data = crawl(url)
    with store.lock:
        store.fetched.append(Fetched(url, data))
    if data is None:
        failure = (
            "FAILED_DOWNLOADING_VIDEO" if container.media_type in ("VIDEO", "REELS") else "UNKNOWN"
        )
        container.plan = type(container.plan)(container.plan.polls, "ERROR", failure)
    return data


def fetch_or_fail(store: Store, url: str) -> bytes:
    """Instagram images are fetched while the container is created; failure is immediate."""
    data = crawl(url)
    with store.lock:
        store.fetched.append(Fetched(url, data))
    if data is None:
        raise GraphError(
            400, 9004, "The media could not be fetched from this uri: " + url, subcode=2207052,
            extra={"error_user_title": "Media download has failed."},
        )  # fmt: skip
    return data


def publish(store: Store, account: Account, request: Request, quota: int) -> dict[str, Any]:
    check_params(request, frozenset({"creation_id"}))
    creation_id = required(request, "creation_id")
    threads = account.family == "threads"
    with store.lock:
        container = store.objects.get(creation_id)
        if not isinstance(container, Container) or container.owner != account.id:
            raise bad_param(f"Param creation_id {creation_id} is not a container of this account")
        if container.is_carousel_item:
            raise bad_param("A carousel item is published through its carousel container")
        refuse_unless_finished(container, container.state(store.now()), threads)
        replies = container.reply_to_id is not None if threads else None
        limit = store.threads_reply_quota if replies else quota
        if store.published_since(account.family, account.id, replies) >= limit:
            raise GraphError(
                400, 9, "Application request limit reached: the 24 h publishing quota is used",
                subcode=None if threads else 2207042,
            )  # fmt: skip
        item = make_published(store, container)
    return {"id": item.id}


def refuse_unless_finished(container: Container, state: str, threads: bool) -> None:
    if state == "FINISHED":
        return
    if state == "PUBLISHED":
        raise bad_param(f"The container {container.id} was already published")
    if state == "EXPIRED":
        raise GraphError(
            400, -2, "The media you are trying to access has expired.", subcode=2207020
        )
    if state == "IN_PROGRESS":
        raise GraphError(
            400, 9007, "Media ID is not available: the media is not ready for publishing",
            subcode=None if threads else 2207027,
        )  # fmt: skip
    raise bad_param(f"The container {container.id} is in state {state} and cannot be published")


def make_published(store: Store, container: Container) -> Published:
    images = [container.image] if container.image is not None else []
    video = container.video
    for child_id in container.children:
        child = store.objects[child_id]
        assert isinstance(child, Container)
        child.used_in = container.id
        images.extend([child.image] if child.image is not None else [])
        video = video or child.video
    item = Published(
        store.new_id(), container.family, container.owner, container.id, container.media_type,
        container.text, store.now(), images, video, container.reply_to_id,
    )  # fmt: skip
    container.published_id = item.id
    store.objects[item.id] = item
    return item


def recent(
    store: Store, account: Account, request: Request, allowed: dict[str, int], default: str,
    replies: bool | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The account's published media, newest first (`limit`, default 25)."""
    check_params(request, LIST_PARAMS)
    names = request.fields(allowed, "ThreadsMedia" if replies is not None else "IGMedia", default)
    window = listing(request)
    items = [
        i
        for i in reversed(
            store.threads(account.id) if replies is not None else store.instagram(account.id)
        )
        if not i.deleted
        and (replies is None or (i.reply_to_id is not None) == replies)
        and window.keeps(i.timestamp)
    ]
    return window.answer([{k: v for k, v in media_json(i).items() if k in names} for i in items])


def media_json(item: Published) -> dict[str, Any]:
    host = "threads.net/@user/post" if item.family == "threads" else "instagram.com/p"
    values: dict[str, Any] = {
        "id": item.id,
        "media_type": "CAROUSEL_ALBUM" if item.media_type == "CAROUSEL" else item.media_type,
        "timestamp": graph_time(item.timestamp),
        "permalink": f"https://www.{host}/{item.id}",
    }
    if item.family == "threads":
        values["text"] = item.text
        values["is_reply"] = item.reply_to_id is not None
        if item.reply_to_id:
            values["replied_to"] = {"id": item.reply_to_id}
    else:
        values["caption"] = item.text
        values["media_type"] = "VIDEO" if item.media_type == "REELS" else values["media_type"]
    return values


def ig_limit(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, frozenset({"fields", "since"}))
    names = request.fields(IG_LIMIT_FIELDS, "ContentPublishingLimit", "quota_usage")
    values = {
        "quota_usage": store.published_since("facebook", account.id),
        "config": {"quota_total": store.ig_quota, "quota_duration": 86400},
    }
    return {"data": [{k: values[k] for k in names}]}


def threads_limit(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, frozenset({"fields"}))
    names = request.fields(THREADS_LIMIT_FIELDS, "ThreadsPublishingLimit", "quota_usage")
    values = {
        "quota_usage": store.published_since("threads", account.id, replies=False),
        "config": {"quota_total": store.threads_quota, "quota_duration": 86400},
        "reply_quota_usage": store.published_since("threads", account.id, replies=True),
        "reply_config": {"quota_total": store.threads_reply_quota, "quota_duration": 86400},
    }
    return {"data": [{k: values[k] for k in names}]}


def check_caption(caption: str) -> None:
    if len(caption) > IG_CAPTION_MAX:
        raise bad_param(f"Param caption must be at most {IG_CAPTION_MAX} characters long")
    if caption.count("#") > IG_HASHTAGS_MAX:
        raise bad_param(f"A caption may contain at most {IG_HASHTAGS_MAX} hashtags")
