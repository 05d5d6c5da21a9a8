"""A strict fake of the Telegram Bot API's account methods on 127.0.0.1 (fixture `telegram`):
`getMe` and `getChatMember`, for `doctor`. Posting is tested with MockTransport in
tests/test_telegram.py and against tests/fakeplatform.py.

Strict like the Bot API (core.telegram.org/bots/api): methods at `/bot<token>/<method>`,
parameters as JSON or a form; an unknown token is 401 "Unauthorized", an unknown method 404
"Not Found", a missing parameter 400; answers are `{"ok": true, "result": …}` or
`{"ok": false, "error_code", "description"}`. getChatMember answers a ChatMember (status
creator, administrator with its `can_*` rights, member, restricted, left, kicked); a chat
the bot is not in is 403 "Forbidden: bot is not a member of the channel chat", an unknown
chat 400 "Bad Request: chat not found". Unknown parameters are refused (the Bot API
ignores them; socialpub must not send any)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.localserver import QuietServer, ServerThread

TOKEN = "123456:AAE-bot-s3cr3t"
BOT = {"id": 123456, "is_bot": True, "first_name": "Landkreis", "username": "landkreis_bot"}
_PARAMS = {"getMe": frozenset(), "getChatMember": frozenset({"chat_id", "user_id"})}
_REQUIRED = {"getMe": frozenset(), "getChatMember": frozenset({"chat_id", "user_id"})}


def administrator(*, can_post: bool = True) -> dict[str, Any]:
    """ChatMemberAdministrator of a channel, with the rights a posting bot has."""
    return {
        "status": "administrator", "can_be_edited": False, "is_anonymous": False,
        "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": False,
        "can_restrict_members": False, "can_promote_members": False, "can_change_info": False,
        "can_invite_users": False, "can_post_messages": can_post, "can_edit_messages": True,
        "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    }  # fmt: skip


@dataclass
class BotApi:
    token: str = TOKEN
    #: chat ("@name" or id as text) → the bot's ChatMember there; a chat absent is unknown
    chats: dict[str, dict[str, Any] | None] = field(
        default_factory=lambda: {"@landkreis": administrator()}
    )
    requests: list[str] = field(default_factory=list)
    _running: ServerThread | None = None

    @property
    def url(self) -> str:
        assert self._running is not None
        return self._running.url

    def start(self) -> BotApi:
        self._running = ServerThread(_Handler, self)
        return self

    def stop(self) -> None:
        if self._running is not None:
            self._running.stop()

    def answer(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or token != self.token:
            return 401, _refusal(401, "Unauthorized")
        if method not in _PARAMS:
            return 404, _refusal(404, "Not Found")
        self.requests.append(method)
        unknown = set(params) - _PARAMS[method]
        if unknown:
            return 400, _refusal(400, f"Bad Request: unexpected parameter {sorted(unknown)[0]}")
        if _REQUIRED[method] - set(params):
            return 400, _refusal(400, "Bad Request: not enough rights or parameters")
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        return self._member(str(params["chat_id"]), params["user_id"])

    def _member(self, chat: str, user: Any) -> tuple[int, dict[str, Any]]:
        if chat not in self.chats:
            return 400, _refusal(400, "Bad Request: chat not found")
        member = self.chats[chat]
        if member is None:
            return 403, _refusal(403, "Forbidden: bot is not a member of the channel chat")
        if str(user) != str(BOT["id"]):
            return 400, _refusal(400, "Bad Request: user not found")
        return 200, {"ok": True, "result": {"user": BOT, **member}}


def _refusal(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    def _handle(self, raw: bytes) -> None:
        assert isinstance(self.server, QuietServer) and isinstance(self.server.owner, BotApi)
        url = urllib.parse.urlsplit(self.path)
        params: dict[str, Any] = dict(urllib.parse.parse_qsl(url.query))
        kind = self.headers.get("Content-Type", "")
        if raw and kind.startswith("application/json"):
            params |= json.loads(raw)
        elif raw:
            params |= dict(urllib.parse.parse_qsl(raw.decode()))
        status, body = self.server.owner.answer(url.path, params)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def telegram() -> Iterator[BotApi]:
    api = BotApi().start()
    try:
        yield api
    finally:
        api.stop()
