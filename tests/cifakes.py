"""Strict local fakes of the two comment APIs the generated pipelines call.

GitHub: `GET/POST /repos/{repo}/issues/{n}/comments`, `PATCH /repos/{repo}/issues/comments/{id}`
(REST "Issue comments"). GitLab: `GET /api/v4/user`, `GET/POST
/api/v4/projects/{id}/merge_requests/{iid}/notes`, `PUT …/notes/{note_id}` (REST "Notes").
Anything else, a wrong token or a body that is not JSON with a string `body` is answered
with an error and recorded in `refused`, which the tests assert is empty.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GITHUB_TOKEN = "ghs_test_token"
GITLAB_TOKEN = "glpat-test-token"
GITHUB_BOT = "github-actions[bot]"


@dataclass
class Store:
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    page_size: int = 100


class _Handler(BaseHTTPRequestHandler):
    store: Store
    kind: str  # "github" or "gitlab"
    base: str

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def do_PUT(self) -> None:
        self._route("PUT")

    def _route(self, method: str) -> None:
        self.store.requests.append(f"{method} {self.path}")
        if self.kind == "github":
            authorised = self.headers.get("Authorization") == f"Bearer {GITHUB_TOKEN}"
        else:
            authorised = self.headers.get("PRIVATE-TOKEN") == GITLAB_TOKEN
        if not authorised:
            self._refuse(401, f"{method} {self.path}: wrong or missing token")
        elif self.kind == "github":
            _github(self, method)
        else:
            _gitlab(self, method)

    def body(self) -> str | None:
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        text = data.get("body") if isinstance(data, dict) else None
        return text if isinstance(text, str) and text else None

    def answer(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _refuse(self, status: int, why: str) -> None:
        self.store.refused.append(why)
        self.answer(status, {"message": why})


def _github(h: _Handler, method: str) -> None:
    store = h.store
    listing = re.fullmatch(r"/repos/county/presse/issues/7/comments(\?.*)?", h.path)
    one = re.fullmatch(r"/repos/county/presse/issues/comments/(\d+)", h.path)
    if listing and method == "GET":
        page = _page(h.path)
        size = store.page_size
        items = store.comments[(page - 1) * size : page * size]
        more = len(store.comments) > page * size
        link = f'<{h.base}/repos/county/presse/issues/7/comments?page={page + 1}>; rel="next"'
        return h.answer(200, items, {"Link": link} if more else None)
    if listing and method == "POST" and (text := h.body()):
        made = {"id": 1000 + len(store.comments), "body": text, "user": {"login": GITHUB_BOT}}
        made["html_url"] = f"https://github.test/county/presse/pull/7#issuecomment-{made['id']}"
        store.comments.append(made)
        return h.answer(201, made)
    if one and method == "PATCH" and (text := h.body()):
        found = next((c for c in store.comments if c["id"] == int(one.group(1))), None)
        if found is None:
            return h._refuse(404, f"no comment {one.group(1)}")
        found["body"] = text
        return h.answer(200, found)
    return h._refuse(404, f"{method} {h.path} is no endpoint of the fake")


def _gitlab(h: _Handler, method: str) -> None:
    store = h.store
    notes = re.fullmatch(r"/api/v4/projects/42/merge_requests/7/notes(\?.*)?", h.path)
    one = re.fullmatch(r"/api/v4/projects/42/merge_requests/7/notes/(\d+)", h.path)
    if h.path == "/api/v4/user" and method == "GET":
        return h.answer(200, {"id": 99, "username": "project_42_bot"})
    if notes and method == "GET":
        page = _page(h.path)
        size = store.page_size
        items = store.comments[(page - 1) * size : page * size]
        more = len(store.comments) > page * size
        return h.answer(200, items, {"X-Next-Page": str(page + 1) if more else ""})
    if notes and method == "POST" and (text := h.body()):
        made = {"id": 500 + len(store.comments), "body": text, "system": False}
        made["author"] = {"id": 99, "username": "project_42_bot"}
        store.comments.append(made)
        return h.answer(201, made)
    if one and method == "PUT" and (text := h.body()):
        found = next((n for n in store.comments if n["id"] == int(one.group(1))), None)
        if found is None:
            return h._refuse(404, f"no note {one.group(1)}")
        found["body"] = text
        return h.answer(200, found)
    return h._refuse(404, f"{method} {h.path} is no endpoint of the fake")


def _page(path: str) -> int:
    match = re.search(r"[?&]page=(\d+)", path)
    return int(match.group(1)) if match else 1


@contextmanager
def comment_server(kind: str) -> Iterator[tuple[str, Store]]:
    """A fake on 127.0.0.1: yields (its base URL, its store)."""
    store = Store()

    class Handler(_Handler):
        pass

    Handler.store, Handler.kind = store, kind
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    Handler.base = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, store
    finally:
        server.shutdown()
        server.server_close()
