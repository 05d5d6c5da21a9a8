"""X's OAuth 2.0 user tokens, kept fresh.

An access token from X's Authorization Code Flow with PKCE lives two hours; with the
`offline.access` scope X also issues a refresh token, exchanged at `POST /2/oauth2/token`
(form fields `grant_type=refresh_token`, `refresh_token`, `client_id`; a confidential client
authenticates with HTTP Basic `client_id:client_secret`). Every exchange hands out a new
refresh token, so the pair in the environment works once: socialpub keeps the newest pair
in the private state folder (`.socialpub/state/x-<channel>-token.json`, mode 0600, never in
git) and uses it until the environment's tokens change. Errors of the token endpoint are
OAuth's (`error`, `error_description`, RFC 6749 §5.2).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from socialpub.content.textfile import atomic_write, private_folder
from socialpub.errors import AuthFailed, DeliveryError, Rejected, Transient
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.net.http import Http

TOKEN_PATH = "/2/oauth2/token"  # noqa: S105 - a path, not a password
EXPIRY_MARGIN = timedelta(minutes=5)  # refresh a little early: a run takes a while
REAUTHORISE = (
    "authorise the app again (Authorization Code Flow with PKCE, scopes tweet.read "
    "tweet.write users.read media.write offline.access) and export the new access and "
    "refresh tokens; in CI, where the state folder does not persist, prefer OAuth 1.0a"
)


@dataclass(frozen=True)
class UserToken:
    access: str
    refresh: str
    expires_at: datetime | None  # None: unknown (the environment's token)


class TokenStore:
    """The newest token pair of one channel in `path` (None: memory only). `origin` names the
    environment's pair it descends from: a new pair there makes the stored one void."""

    def __init__(self, path: Path | None, origin: str) -> None:
        self.path = path
        self.origin = origin

    def load(self) -> UserToken | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("origin") != self.origin:
                return None
            expires = data.get("expires_at")
            return UserToken(
                str(data["access_token"]),
                str(data["refresh_token"]),
                datetime.fromisoformat(expires) if expires else None,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # unreadable: start again from the environment's pair

    def save(self, token: UserToken) -> None:
        """Atomically, readable by the owner only (mkstemp's 0600); a failure keeps it in
        memory, and the next run starts again from the environment."""
        if self.path is None:
            return
        data = {
            "origin": self.origin,
            "access_token": token.access,
            "refresh_token": token.refresh,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        }
        with contextlib.suppress(OSError):
            private_folder(self.path.parent)
            atomic_write(self.path, json.dumps(data, indent=1).encode("utf-8"))


def origin_of(access: str, refresh: str) -> str:
    return hashlib.sha256(f"{access}\n{refresh}".encode()).hexdigest()[:16]


class OAuth2Session:
    """The bearer token of one X channel: the stored pair, else the environment's; refreshed
    before it runs out, or once after X refused it."""

    def __init__(self, *, base: str, channel: str, client_id: str, state_dir: Path | None):
        self.base = base.rstrip("/")
        self.channel = channel
        self.client_id = client_id
        self._state_dir = state_dir
        self._token: UserToken | None = None
        self._lock = threading.Lock()

    def bearer(self, http: Http) -> str:
        with self._lock:
            token = self._token or self._first(http)
            if self._due(token, http):
                token = self._refresh(http, token)
            return token.access

    def renew(self, http: Http, refused: str) -> str | None:
        """A new access token after X refused `refused`; None when there is no way to one."""
        with self._lock:
            token = self._token or self._first(http)
            if token.access != refused:  # another thread renewed it meanwhile
                return token.access
            if not token.refresh or not self.client_id:
                return None
            return self._refresh(http, token).access

    def _first(self, http: Http) -> UserToken:
        access, refresh = _secret(http, "access_token"), _secret(http, "refresh_token")
        store = self._store(access, refresh)
        token = store.load() if refresh else None
        if token is None:
            if not access and not refresh:
                raise AuthFailed(
                    _("{channel}: the X setting access_token is not configured").format(
                        channel=self.channel
                    ),
                    hint=_(
                        "set access_token: ${ENV_VAR} (and refresh_token, client_id) in the "
                        "channel and export it, or use OAuth 1.0a (README: X)"
                    ),
                )
            token = UserToken(access, refresh, None)
        http.redact.add(token.access, token.refresh)
        self._token = token
        return token

    def _store(self, access: str, refresh: str) -> TokenStore:
        path = self._state_dir / f"x-{self.channel}-token.json" if self._state_dir else None
        return TokenStore(path, origin_of(access, refresh))

    def _due(self, token: UserToken, http: Http) -> bool:
        soon = http.clock.now() + EXPIRY_MARGIN
        ends = token.expires_at
        return bool(token.refresh) and (not token.access or (ends is not None and ends <= soon))

    def _refresh(self, http: Http, token: UserToken) -> UserToken:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": token.refresh,
            "client_id": self.client_id,
        }
        secret = _secret(http, "client_secret")
        auth: dict[str, Any] = {"auth": (self.client_id, secret)} if secret else {}
        try:
            response = http.request(
                "POST",
                self.base + TOKEN_PATH,
                idempotent=False,  # a lost answer has used the refresh token up
                data=form,
                read_error=lambda answer: self._read_error(answer, http.redact),
                **auth,
            )
        except Transient as exc:
            raise AuthFailed(f"{exc.message}; {REAUTHORISE}", hint=REAUTHORISE) from None
        fresh = self._answer(http, http.json(response), token)
        env = (_secret(http, "access_token"), _secret(http, "refresh_token"))
        self._store(*env).save(fresh)
        self._token = fresh
        return fresh

    def _answer(self, http: Http, answer: Any, old: UserToken) -> UserToken:
        access = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(access, str) or not access:
            raise AuthFailed(
                _("{channel}: X's token endpoint answered without an access token").format(
                    channel=self.channel
                ),
                hint=REAUTHORISE,
            )
        refresh = answer.get("refresh_token")
        refresh = refresh if isinstance(refresh, str) and refresh else old.refresh
        lifetime = answer.get("expires_in")
        expires = (
            http.clock.now() + timedelta(seconds=lifetime)
            if isinstance(lifetime, int | float) and lifetime > 0
            else None
        )
        http.redact.add(access, refresh)
        return UserToken(access, refresh, expires)

    def _read_error(
        self, response: httpx.Response, redact: Callable[[str], str]
    ) -> DeliveryError | None:
        if response.status_code >= 500:
            return None  # Http retries what may be a passing fault
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        words = (str(body[k]) for k in ("error", "error_description") if body.get(k))
        said = redact(" – ".join(words))
        message = f"{self.channel}: X refused to refresh the OAuth 2.0 token"
        message += f" – X said: {said[:300]}" if said else f" (HTTP {response.status_code})"
        if response.status_code == 429:
            return None  # waited out like any 429
        if response.status_code in (400, 401, 403):
            return AuthFailed(message, hint=REAUTHORISE, status=response.status_code)
        return Rejected(message, hint=REAUTHORISE, status=response.status_code)


def _secret(http: Http, name: str) -> str:
    try:
        return http.secret(name)
    except KeyError:
        return ""
