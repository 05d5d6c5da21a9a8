"""The fake X server's OAuth 2.0 token endpoint (`POST /2/oauth2/token`, refresh grant).

X's OpenAPI description names this endpoint only as the security scheme's `tokenUrl`, so it
is checked here by X's documentation (OAuth 2.0 Authorization Code Flow with PKCE, "Refresh
tokens") and RFC 6749: a form body with `grant_type=refresh_token`, `refresh_token` and
`client_id`; a confidential client also authenticates with HTTP Basic. Each refresh token
works once (a new one comes with every answer); access tokens live `lifetime` seconds.
Errors are OAuth's `{"error", "error_description"}`.
"""

from __future__ import annotations

import base64
import itertools
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.xfake_wire import WireRequest

TOKEN_PATH = "/2/oauth2/token"


@dataclass
class TokenIssuer:
    """Clients, refresh tokens and access-token lifetimes of the fake."""

    bearers: dict[str, str]  # the fake's access token → user id (shared with XFake)
    clients: dict[str, str | None] = field(default_factory=dict)  # id → secret (None: public)
    refresh_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # → client, user
    expires: dict[str, datetime] = field(default_factory=dict)  # access token → end
    lifetime: int = 7200
    exchanges: int = 0
    _serial: Any = field(default_factory=lambda: itertools.count(1))

    def add_client(self, client_id: str, secret: str | None = None) -> None:
        self.clients[client_id] = secret

    def add_refresh_token(self, token: str, client_id: str, user_id: str) -> None:
        self.refresh_tokens[token] = (client_id, user_id)

    def expire(self, access_token: str, now: datetime) -> None:
        self.expires[access_token] = now - timedelta(seconds=1)

    def expired(self, access_token: str, now: datetime) -> bool:
        end = self.expires.get(access_token)
        return end is not None and end <= now

    def exchange(self, request: WireRequest, now: datetime) -> tuple[int, dict[str, Any]]:
        if request.method != "post":
            return _error(405, "invalid_request", "Use POST.")
        if not request.content_type.startswith("application/x-www-form-urlencoded"):
            return _error(400, "invalid_request", "Content-Type must be form-urlencoded.")
        form = dict(urllib.parse.parse_qsl((request.body or b"").decode()))
        if form.get("grant_type") != "refresh_token":
            return _error(400, "unsupported_grant_type", "Only refresh_token is served here.")
        client_id = form.get("client_id", "")
        if client_id not in self.clients:
            return _error(400, "invalid_request", "Missing required parameter [client_id].")
        if not self._client_authenticated(client_id, request.headers.get("authorization", "")):
            return _error(401, "unauthorized_client", "Missing valid authorization header")
        owner = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if owner is None or owner[0] != client_id:
            return _error(400, "invalid_request", "Value passed for the token was invalid.")
        return 200, self._issue(client_id, owner[1], now)

    def _client_authenticated(self, client_id: str, header: str) -> bool:
        secret = self.clients[client_id]
        if secret is None:
            return True  # a public client: PKCE made the tokens, nothing more to show
        expected = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return header == f"Basic {expected}"

    def _issue(self, client_id: str, user_id: str, now: datetime) -> dict[str, Any]:
        self.exchanges += 1
        serial = next(self._serial)
        access, refresh = f"x-oauth2-access-{serial}-5d1c", f"x-oauth2-refresh-{serial}-9e4a"
        self.bearers[access] = user_id
        self.expires[access] = now + timedelta(seconds=self.lifetime)
        self.refresh_tokens[refresh] = (client_id, user_id)
        return {
            "token_type": "bearer",
            "expires_in": self.lifetime,
            "access_token": access,
            "scope": "tweet.read tweet.write users.read media.write offline.access",
            "refresh_token": refresh,
        }


def _error(status: int, error: str, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": error, "error_description": description}
