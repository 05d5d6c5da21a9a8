"""Instagram's and Threads' limits in the fake Meta Graph server: what an Instagram caption
and image may be, and the publishing-quota endpoints of both."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image as PILImage

from tests.metagraph_facebook import check_params
from tests.metagraph_store import Account, Store
from tests.metagraph_wire import GraphError, Request, bad_param

IG_CAPTION_MAX = 2200
IG_IMAGE_MAX_BYTES = 8 * 1024 * 1024
IG_RATIO_MIN, IG_RATIO_MAX = 4 / 5, 1.91
IG_HASHTAGS_MAX = 30
IG_LIMIT_FIELDS = {"quota_usage": 0, "config": 0}
THREADS_LIMIT_FIELDS = {"quota_usage": 0, "config": 0, "reply_quota_usage": 0, "reply_config": 0}


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


def check_ig_image(data: bytes) -> None:
    """What Instagram refuses in an image: over 8 MiB (the sample in Meta's IG error codes:
    36000/2207004), not a JPEG, an aspect ratio outside 4:5 – 1.91:1. The last two codes are
    from memory of that table, not re-read: adapters should go by `check()` before sending."""
    if len(data) > IG_IMAGE_MAX_BYTES:
        raise GraphError(400, 36000, "The image size is too large.", subcode=2207004)
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (OSError, ValueError):
        kind, width, height = None, 0, 0
    if kind != "JPEG":
        raise GraphError(400, 36001, "The image format is not supported.", subcode=2207005)
    if not IG_RATIO_MIN <= width / height <= IG_RATIO_MAX:
        raise GraphError(
            400, 36003, f"The submitted image with aspect ratio ({width}/{height}) cannot be "
            "published. Please submit an image with a valid aspect ratio.", subcode=2207009,
        )  # fmt: skip
