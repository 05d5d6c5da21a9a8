"""What Instagram and Threads share besides their media (`meta_media`): containers that Meta
processes before they can be published, the 24-hour publishing quota, and finding a post again.

Which container belongs to which message is kept in the private state folder
(`containers/<channel>-<key>.json`), so `reconcile` can ask Meta whether it was published.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.errors import RateLimited, Rejected, Transient
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.channels.meta import Graph
    from socialpub.net.http import Clock

POLL_FIRST = 2.0  # seconds before the second look at a container, doubled each time
POLL_MAX = 60.0  # Threads: "once per minute"
POLL_BUDGET = 300.0  # "for no more than 5 minutes"; then the next run tries again
QUOTA_CODE = "9"  # Instagram: the publishing limit was reached
DONE = frozenset({"FINISHED", "PUBLISHED"})
FAILED = frozenset({"ERROR", "EXPIRED"})
_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_.-]+")


# --- containers -----------------------------------------------------------------------------


def wait_until_ready(
    graph: Graph, container: str, *, field: str, detail: str, clock: Clock, channel: str
) -> str:
    """Poll a container with growing pauses until Meta has processed it; its final state.

    `field` is Instagram's `status_code` or Threads' `status`; `detail` the field with
    Meta's explanation (`status` or `error_message`)."""
    waited, pause = 0.0, POLL_FIRST
    while True:
        answer = graph.call(
            "GET", f"/{container}", idempotent=True, params={"fields": f"{field},{detail}"}
        )
        state = text_of(answer, field)
        if state in DONE:
            return state
        if state in FAILED:
            why = text_of(answer, detail)
            told = f" ({why})" if why else ""
            hint = (
                "Meta did not publish it within 24 hours; publish again"
                if state == "EXPIRED"
                else "check the media against Meta's requirements, then publish again"
            )
            raise Rejected(
                _("{channel}: Meta could not process container {container}: {state}{told}").format(
                    channel=channel, container=container, state=state, told=told
                ),
                hint=hint,
                platform_error=why or state,
            )
        if waited >= POLL_BUDGET:
            raise Transient(
                _("{channel}: container {container} is still {value} after {waited:.0f} s").format(
                    channel=channel, container=container, value=state or "unknown", waited=waited
                ),
                hint=_("nothing was published; the next run tries again"),
            )
        clock.sleep(pause)
        waited += pause
        pause = min(pause * 2, POLL_MAX)


def check_quota(
    answer: Mapping[str, Any],
    *,
    channel: str,
    needed: int = 1,
    usage: str = "quota_usage",
    config_field: str = "config",
    what: str = "posts",
) -> None:
    """Stop before publishing when the 24-hour quota has no room for `needed` more (Threads
    reports its replies' quota beside the posts': `reply_quota_usage`, `reply_config`)."""
    data = answer.get("data")
    item = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
    found = item.get(config_field)
    config: Mapping[str, Any] = found if isinstance(found, dict) else {}
    used = _number(item.get(usage))
    total = _number(config.get("quota_total"))
    window = _number(config.get("quota_duration")) or 86400
    if total and used + needed > total:
        raise RateLimited(
            _(
                "{channel}: the publishing quota is used up ({used} of {total} {what} in {value} "
                "h); the next run publishes once the window frees a slot"
            ).format(channel=channel, used=used, total=total, what=what, value=window // 3600),
            retry_after=float(window),
        )


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class ContainerLog:
    """The containers made for each message of one delivery, kept until it is done."""

    def __init__(self, state_dir: Path | None, channel: str, key: str) -> None:
        name = _UNSAFE_KEY.sub("-", f"{channel}-{key}")
        self.path = state_dir / "containers" / f"{name}.json" if state_dir else None

    def get(self, index: int) -> str:
        return self._read().get(str(index), "")

    def put(self, index: int, container: str) -> None:
        if self.path is None:
            return
        from socialpub.content.textfile import atomic_write

        found = {**self._read(), str(index): container}
        try:
            atomic_write(self.path, json.dumps(found, indent=2).encode("utf-8"))
        except OSError:
            return  # only a help for reconcile, which then matches on the text

    def clear(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def find_post(answer: Any, *, key: str, wanted: str, since: str) -> dict[str, Any] | None:
    """The oldest post of a listing (newest first, `{"data": [...]}`) whose `key` text is
    `wanted` and that was made after `since` (ISO time, a few minutes' clock skew allowed)."""
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(since) - timedelta(minutes=5) if since else None
    items = answer.get("data") if isinstance(answer, Mapping) else None
    for item in reversed(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or text_of(item, key).strip() != wanted.strip():
            continue
        try:
            made = datetime.strptime(text_of(item, "timestamp"), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            made = None
        if start is None or made is None or made >= start:
            return item
    return None


def recent_posts(graph: Graph, path: str, fields: str, since: str) -> dict[str, Any]:
    """The account's posts on a list edge made after `since` (ISO time, minus the clock
    skew `find_post` allows), page by page: one page of the newest holds only the last 25
    (Threads) or 50 posts, too few after a run that published more."""
    from datetime import UTC, datetime, timedelta

    from socialpub.channels.meta_data import recent

    start = datetime.fromisoformat(since) - timedelta(minutes=5) if since else datetime.min
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    found, _ = recent(graph, path, fields, start, time_field="timestamp")
    return {"data": [dict(item) for item in found]}


def text_of(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    return str(value) if isinstance(value, str | int) and value != "" else ""


def create(graph: Graph, path: str, data: Mapping[str, str]) -> tuple[str, str]:
    """A create call (a container, a publish): the new id and Meta's fbtrace id.

    Instagram answers a full quota at publishing with code 9 (subcode 2207042, "You reached
    maximum number of posts"), which `meta` does not count as throttling: it is one here."""
    try:
        answer, trace = graph.traced("POST", path, idempotent=False, data=dict(data))
    except Rejected as exc:
        if exc.platform_error.rsplit(" ", 1)[-1].split("/")[0] != QUOTA_CODE:
            raise
        raise RateLimited(
            _("{exc} – the 24-hour publishing quota is used up; the next run tries again").format(
                exc=exc
            ),
            retry_after=86400.0,
        ) from None
    created = text_of(answer, "id")
    if not created:
        raise Transient(
            _("{channel}: Meta answered {path} without an id").format(
                channel=graph.channel, path=path
            ),
            maybe_sent=True,
        )
    return created, trace


def permalink(graph: Graph, media_id: str) -> str:
    """The published post's address; "" when Meta does not say (the post exists anyway,
    so no error may escape from here)."""
    from socialpub.errors import DeliveryError

    try:
        answer = graph.call("GET", f"/{media_id}", idempotent=True, params={"fields": "permalink"})
    except DeliveryError:
        return ""
    return text_of(answer, "permalink")
