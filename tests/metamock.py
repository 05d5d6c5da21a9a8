"""An in-memory Graph API for the Instagram and Threads unit tests (httpx.MockTransport): it
answers containers, their states over several polls, publishing, quotas, listings and the
public media server, and records every request so a test can assert exactly what was sent.

The strict HTTP fake for end-to-end tests is `tests/metagraph.py`; this one is for unit tests.
"""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "https://graph.example/v1"
MEDIA = "https://www.kreis.example/media"
TOKEN = "EAAG-sekrit/Token+="


@dataclass
class Call:
    method: str
    url: str
    path: str
    params: dict[str, str]
    form: dict[str, str]
    authorization: str


@dataclass
class Container:
    id: str
    form: dict[str, str]
    states: list[str]  # what each poll answers; the last one stays
    media_id: str = ""


@dataclass
class FakeMeta:
    """`edge`: "media" (Instagram) or "threads"; `state_field`: "status_code" or "status"."""

    user: str = "17840000"
    edge: str = "media"
    state_field: str = "status_code"
    polls_until_finished: int = 1
    end_state: str = "FINISHED"
    detail: str = ""
    quota: tuple[int, int] = (0, 100)
    reply_quota: tuple[int, int] = (0, 1000)  # Threads: replies have a quota of their own
    files: dict[str, bytes] = field(default_factory=dict)  # public URL → bytes
    calls: list[Call] = field(default_factory=list)
    containers: dict[str, Container] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)  # newest first, as Meta lists
    fail: Callable[[Call], httpx.Response | None] = lambda call: None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def publish_edge(self) -> str:
        return "media_publish" if self.edge == "media" else "threads_publish"

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def graph_calls(self) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.calls if c.url.startswith(API)]

    def created(self) -> list[dict[str, str]]:
        """The forms of every container creation, in order."""
        wanted = f"/{self.user}/{self.edge}"
        return [c.form for c in self.calls if c.method == "POST" and c.path == wanted]

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None))
        form = dict(urllib.parse.parse_qsl(request.content.decode())) if request.content else {}
        call = Call(
            request.method,
            url,
            url.removeprefix(API),
            dict(request.url.params),
            form,
            request.headers.get("authorization", ""),
        )
        self.calls.append(call)
        failed = self.fail(call)
        if failed is not None:
            return failed
        if url.startswith(MEDIA):
            data = self.files.get(url)
            return httpx.Response(404) if data is None else httpx.Response(200, content=data)
        return self._graph(call)

    def _graph(self, call: Call) -> httpx.Response:
        parts = call.path.strip("/").split("/")
        if call.method == "GET" and parts[-1].endswith("publishing_limit"):
            asked = call.params.get("fields", "").split(",")
            (used, total), (replied, most) = self.quota, self.reply_quota
            answer: dict[str, Any] = {
                "quota_usage": used,
                "config": {"quota_total": total, "quota_duration": 86400},
                "reply_quota_usage": replied,
                "reply_config": {"quota_total": most, "quota_duration": 86400},
            }
            return httpx.Response(200, json={"data": [{k: answer[k] for k in asked}]})
        if call.method == "POST" and parts == [self.user, self.edge]:
            container = Container(self._next("c"), call.form, self._states())
            self.containers[container.id] = container
            return httpx.Response(200, json={"id": container.id})
        if call.method == "POST" and parts == [self.user, self.publish_edge]:
            return self._publish(call.form["creation_id"])
        if call.method == "GET" and parts in ([self.user, "media"], [self.user, "threads"]):
            tops = [p for p in self.posts if "replied_to" not in p]
            return httpx.Response(200, json={"data": tops})
        if call.method == "GET" and parts == [self.user, "replies"]:
            replies = [p for p in self.posts if "replied_to" in p]
            return httpx.Response(200, json={"data": replies})
        if call.method == "GET" and parts[0] in self.containers:
            return self._poll(self.containers[parts[0]])
        if call.method == "GET" and len(parts) == 1:
            return httpx.Response(200, json={"id": parts[0], "permalink": f"https://p/{parts[0]}"})
        if call.method == "DELETE" and len(parts) == 1:
            return httpx.Response(200, json={"success": True, "deleted_id": parts[0]})
        error = {"message": f"no route {call.method} {call.path}", "code": 100}
        return httpx.Response(400, json={"error": error})

    def _publish(self, creation: str) -> httpx.Response:
        container = self.containers[creation]
        container.media_id = self._next("m")
        container.states = ["PUBLISHED"]
        text = container.form.get("caption", container.form.get("text", ""))
        post: dict[str, Any] = {
            "id": container.media_id,
            "caption" if self.edge == "media" else "text": text,
            "permalink": f"https://p/{container.media_id}",
            "timestamp": "2026-11-23T09:00:30+0000",
        }
        if "reply_to_id" in container.form:
            post["replied_to"] = {"id": container.form["reply_to_id"]}
        self.posts.insert(0, post)
        return httpx.Response(200, json={"id": container.media_id})

    def _poll(self, container: Container) -> httpx.Response:
        state = container.states.pop(0) if len(container.states) > 1 else container.states[0]
        answer = {"id": container.id, self.state_field: state}
        if state in ("ERROR", "EXPIRED") and self.detail:
            answer["status" if self.state_field == "status_code" else "error_message"] = self.detail
        return httpx.Response(200, json=answer)

    def _states(self) -> list[str]:
        return ["IN_PROGRESS"] * self.polls_until_finished + [self.end_state]

    def _next(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"
