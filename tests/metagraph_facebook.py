"""Facebook Page endpoints of the fake Meta Graph server (Graph API v23.0, Pages API):
POST /{page-id}/feed, /photos, /videos; GET /{page-id}/feed, /posts, /published_posts,
/scheduled_posts; GET, POST (edit message) and DELETE /{post-id}."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.metagraph_store import Account, FbPhoto, FbPost, FbVideo, Fetched, Image, Store
from tests.metagraph_wire import (
    LIST_PARAMS,
    GraphError,
    Request,
    bad_param,
    crawl,
    flag,
    graph_time,
    listing,
    parse_time,
    unknown_path,
    unsupported,
)

MESSAGE_MAX = 63_206  # the Page post limit platforms.md states (not found in Meta's docs)
FEED_PARAMS = frozenset(
    {"message", "link", "published", "scheduled_publish_time", "attached_media"}
)
PHOTO_PARAMS = frozenset(
    {"url", "message", "caption", "published", "scheduled_publish_time", "alt_text_custom",
     "temporary"}
)  # fmt: skip
VIDEO_FIELDS = {"id": 0, "description": 0, "title": 0, "created_time": 0, "permalink_url": 0}
VIDEO_PARAMS = frozenset(
    {"file_url", "description", "title", "published", "scheduled_publish_time"}
)
POST_FIELDS = {
    "id": None,
    "message": None,
    "created_time": None,
    "updated_time": None,
    "is_published": None,
    "scheduled_publish_time": None,
    "permalink_url": None,
}
READ_EDGES = ("feed", "posts", "published_posts", "scheduled_posts")


def page_edge(store: Store, account: Account, request: Request) -> dict[str, Any]:
    edge = request.parts[1]
    if request.method == "POST" and edge == "feed":
        return create_feed_post(store, account, request)
    if request.method == "POST" and edge == "photos":
        return create_photo(store, account, request)
    if request.method == "POST" and edge == "videos":
        return create_video(store, account, request)
    if request.method == "GET" and edge in READ_EDGES:
        return list_posts(store, account, request, scheduled=edge == "scheduled_posts")
    if request.method == "GET" and edge == "videos":
        return list_videos(store, account, request)
    if edge in (*READ_EDGES, "photos", "videos"):
        raise unsupported(request.method, account.id)
    raise unknown_path(f"/{edge}")


def post_node(store: Store, post: FbPost | FbPhoto | FbVideo, request: Request) -> dict[str, Any]:
    """GET, POST (edit the message) or DELETE one post, photo or video."""
    if isinstance(post, FbPost) and request.method == "GET":
        check_params(request, frozenset({"fields"}))
        names = request.fields(POST_FIELDS, "Post", "id,message,created_time")
        return post_json(post, names, store)
    if isinstance(post, FbPost) and request.method == "POST":
        check_params(request, frozenset({"message"}))
        message = required(request, "message")
        check_message(message)
        with store.lock:
            post.edits.append(post.message)
            post.message = message
            post.updated = store.now()
        return {"success": True}
    if isinstance(post, FbVideo) and request.method == "POST":
        check_params(request, frozenset({"description", "title"}))
        with store.lock:
            post.description = request.params.get("description", post.description)
            post.title = request.params.get("title", post.title)
            if isinstance(feed_post := store.objects.get(post.post_id or ""), FbPost):
                feed_post.edits.append(feed_post.message)
                feed_post.message = post.description
        return {"success": True}
    if request.method == "GET" and not isinstance(post, FbPost):
        check_params(request, frozenset({"fields"}))
        return upload_json(post, request)
    if request.method == "DELETE":
        check_params(request, frozenset())
        delete(store, post)
        return {"success": True}
    raise unsupported(request.method, post.id)


def upload_json(item: FbPhoto | FbVideo, request: Request) -> dict[str, Any]:
    """A photo's or video's own node (its feed post is `page_story_id`)."""
    values: dict[str, Any] = {"id": item.id, "created_time": graph_time(item.created)}
    if item.post_id is not None:
        values["page_story_id"] = item.post_id
    if isinstance(item, FbPhoto):
        values.update(name=item.caption or None, alt_text_custom=item.image.alt_text)
        names = request.fields(
            {**values, "name": 0, "alt_text_custom": 0, "page_story_id": 0}, "Photo", "id"
        )
    else:
        values.update(title=item.title or None, description=item.description or None)
        names = request.fields(
            {**values, "title": 0, "description": 0, "page_story_id": 0}, "Video", "id"
        )
    return {name: values[name] for name in names if values.get(name) is not None}


def delete(store: Store, item: FbPost | FbPhoto | FbVideo) -> None:
    """Deleting a post cancels it if scheduled; deleting a photo or video removes its post."""
    with store.lock:
        item.deleted = True
        post_id = item.post_id if not isinstance(item, FbPost) else None
        if post_id is not None and isinstance(post := store.objects.get(post_id), FbPost):
            post.deleted = True


def create_feed_post(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, FEED_PARAMS, indexed=("attached_media",))
    message = request.params.get("message", "")
    link = request.params.get("link")
    media_ids = attached_media(request)
    if not message and not link and not media_ids:
        raise bad_param("Missing message or attachment")
    check_message(message)
    published, scheduled = publication(store, request)
    with store.lock:
        photos = [
            claim_photo(store, account, media_id, index) for index, media_id in enumerate(media_ids)
        ]
        post = new_post(store, account, message, published, scheduled, link=link)
        for photo in photos:
            photo.post_id = post.id
            post.photos.append(photo.image)
    return {"id": post.id}


def create_photo(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, PHOTO_PARAMS, files=("source",))
    if "message" in request.params and "caption" in request.params:
        raise bad_param("Send either message or caption, not both")
    caption = request.params.get("message", request.params.get("caption", ""))
    check_message(caption)
    data, url = media_bytes(store, request, "url", image=True)
    published, scheduled = publication(store, request)
    alt_text = request.params.get("alt_text_custom")
    with store.lock:
        photo = FbPhoto(
            store.new_id(), account.id, Image(data, alt_text, url), caption, published, store.now()
        )
        store.objects[photo.id] = photo
        if not published and scheduled is None:
            return {"id": photo.id}  # an album child: attach it to a feed post
        post = new_post(store, account, caption, published, scheduled)
        post.photos.append(photo.image)
        photo.post_id = post.id
    return {"id": photo.id, "post_id": post.id}


def create_video(store: Store, account: Account, request: Request) -> dict[str, Any]:
    check_params(request, VIDEO_PARAMS, files=("source",))
    description = request.params.get("description", "")
    check_message(description)
    data, url = media_bytes(store, request, "file_url", image=False)
    published, scheduled = publication(store, request)
    title = request.params.get("title", "")
    with store.lock:
        video = FbVideo(store.new_id(), account.id, data, title, description, store.now(), url)
        store.objects[video.id] = video
        post = new_post(store, account, description, published, scheduled)
        post.video = data
        video.post_id = post.id
    return {"id": video.id}


def list_posts(
    store: Store, account: Account, request: Request, *, scheduled: bool
) -> dict[str, Any]:
    check_params(request, LIST_PARAMS)
    names = request.fields(POST_FIELDS, "Post", "id,message,created_time")
    window = listing(request)
    now = store.now()
    posts = [
        p
        for p in reversed(store.feed(account.id))
        if (p.is_scheduled(now) if scheduled else p.is_published(now)) and window.keeps(p.created)
    ]
    return window.answer([post_json(p, names, store) for p in posts])


def list_videos(store: Store, account: Account, request: Request) -> dict[str, Any]:
    """The Page's videos, newest first (Page Videos edge)."""
    check_params(request, LIST_PARAMS)
    names = request.fields(VIDEO_FIELDS, "Video", "id,description,created_time")
    window = listing(request)
    with store.lock:
        videos = [
            o
            for o in reversed(list(store.objects.values()))
            if isinstance(o, FbVideo) and o.page_id == account.id and not o.deleted
        ]
    rows = [video_json(v, names) for v in videos if window.keeps(v.created)]
    return window.answer(rows)


def video_json(video: FbVideo, names: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": video.id,
        "description": video.description or None,
        "title": video.title or None,
        "created_time": graph_time(video.created),
        "permalink_url": f"/{video.page_id}/videos/{video.id}/",
    }
    return {name: values[name] for name in names if values[name] is not None}


def post_json(post: FbPost, names: list[str], store: Store) -> dict[str, Any]:
    now = store.now()
    values: dict[str, Any] = {
        "id": post.id,
        "message": post.message or None,
        "created_time": graph_time(post.created),
        "updated_time": graph_time(post.updated or post.created),
        "is_published": post.is_published(now),
        "scheduled_publish_time": (
            int(post.scheduled_for.timestamp()) if post.scheduled_for else None
        ),
        "permalink_url": f"https://www.facebook.com/{post.page_id}/posts/{post.id.split('_')[1]}",
    }
    return {name: values[name] for name in names if values[name] is not None}


def new_post(
    store: Store,
    account: Account,
    message: str,
    published: bool,
    scheduled: datetime | None,
    link: str | None = None,
) -> FbPost:
    post_id = f"{account.id}_{store.new_id()}"
    post = FbPost(post_id, account.id, message, store.now(), link, [], None, scheduled, published)
    store.objects[post_id] = post
    return post


def publication(store: Store, request: Request) -> tuple[bool, datetime | None]:
    """`published` and `scheduled_publish_time`: a scheduled post must be unpublished and
    due between 10 minutes and 30 days from now (by the server's clock)."""
    published = flag(request.params, "published", True)
    raw = request.params.get("scheduled_publish_time")
    if raw is None:
        return published, None
    if published:
        raise bad_param("You cannot specify a scheduled publish time on a published post")
    try:
        when = parse_time(raw, "scheduled_publish_time")
    except GraphError as error:
        raise bad_param("The specified scheduled publish time is invalid.") from error
    now = store.now()
    if not now + store.schedule_min <= when <= now + store.schedule_max:
        raise bad_param("The specified scheduled publish time is invalid.")
    return False, when


def attached_media(request: Request) -> list[str]:
    """`attached_media` as a JSON array, or `attached_media[0]`, `[1]`, … each a JSON object;
    every entry is {"media_fbid": "<photo id>"}."""
    entries: list[Any] = []
    if "attached_media" in request.params:
        try:
            value = json.loads(request.params["attached_media"])
        except ValueError as error:
            raise bad_param("param attached_media must be a JSON array") from error
        entries = value if isinstance(value, list) else [value]
    index = 0
    while (key := f"attached_media[{index}]") in request.params:
        try:
            entries.append(json.loads(request.params[key]))
        except ValueError as error:
            raise bad_param(f"param {key} must be a JSON object") from error
        index += 1
    ids = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"media_fbid"}:
            raise bad_param(f'param attached_media[{position}] must be {{"media_fbid": "<id>"}}')
        ids.append(str(entry["media_fbid"]))
    return ids


def claim_photo(store: Store, account: Account, media_id: str, index: int) -> FbPhoto:
    photo = store.objects.get(media_id)
    usable = (
        isinstance(photo, FbPhoto)
        and photo.page_id == account.id
        and not photo.published
        and photo.post_id is None
        and not photo.deleted
    )
    if not usable or not isinstance(photo, FbPhoto):
        raise bad_param(f"param attached_media[{index}] has invalid media_fbid {media_id}")
    return photo


def media_bytes(
    store: Store, request: Request, url_param: str, *, image: bool
) -> tuple[bytes, str | None]:
    """The uploaded `source`, or the bytes Meta fetches from the URL parameter."""
    upload = request.files.get("source")
    url = request.params.get(url_param)
    if (upload is None) == (url is None):
        if image:
            raise GraphError(400, 324, "(#324) Requires upload file")
        raise bad_param(f"Send either source or {url_param}")
    if upload is not None:
        return upload.data, None
    assert url is not None
    data = crawl(url)
    with store.lock:
        store.fetched.append(Fetched(url, data))
    if data is None:
        if image:
            raise GraphError(400, 324, "(#324) Missing or invalid image file")
        raise GraphError(
            400, 390, "There was a problem uploading your video file. Please try again."
        )
    return data, url


def check_message(text: str) -> None:
    if len(text) > MESSAGE_MAX:
        raise bad_param(f"Param message must be at most {MESSAGE_MAX} characters long")


def required(request: Request, name: str) -> str:
    value = request.params.get(name)
    if not value:
        raise bad_param(f"The parameter {name} is required")
    return value


def check_params(
    request: Request,
    allowed: frozenset[str],
    *,
    indexed: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
) -> None:
    """Strict: a parameter this endpoint does not document is refused, not ignored."""
    for name in request.params:
        base = name.split("[")[0] if "[" in name else name
        if name in allowed or (base in indexed and name.endswith("]")):
            continue
        raise bad_param(f"Param {name} is not a valid parameter of this endpoint")
    for name in request.files:
        if name not in files:
            raise bad_param(f"Param {name} is not a valid file parameter of this endpoint")
