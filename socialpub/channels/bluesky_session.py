"""A Bluesky login that lasts: one session per account, cached, refreshed, rarely renewed.

Logging in (`createSession`) is limited to 30 per 5 minutes and 300 per day, so the session
is kept in the private state folder (mode 0600) and reused by every run. An expired access
token is refreshed with `refreshSession`; only when that fails does socialpub log in again.
The tokens are secrets: no message built here contains one, and platform messages that echo
one are scrubbed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from socialpub.content.textfile import atomic_write, private_folder
from socialpub.errors import AuthFailed, ConfigError, DeliveryError, Rejected, Transient
from socialpub.i18n import _
from socialpub.net.http import REDACTED, Http

#: refresh this long before the access token runs out, so a request never carries a dead one
EXPIRY_MARGIN = timedelta(minutes=1)
#: a 400 about the token (atproto's ExpiredToken / InvalidToken) is an expired login
_TOKEN_TROUBLE = re.compile(r"HTTP 400: [^(]*\btoken\b", re.IGNORECASE)
_Error = TypeVar("_Error", bound=DeliveryError)


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access: str
    refresh: str

    @classmethod
    def from_answer(cls, data: Any) -> Session:
        """A session from createSession/refreshSession's answer; Transient when malformed."""
        fields = ("did", "handle", "accessJwt", "refreshJwt")
        if not isinstance(data, dict) or not all(isinstance(data.get(f), str) for f in fields):
            raise Transient(_("bluesky: the login answer has no session in it"))
        return cls(data["did"], data["handle"], data["accessJwt"], data["refreshJwt"])


def token_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT (read without verifying: only to know when to refresh)."""
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error):
        return None


def is_token_trouble(exc: DeliveryError) -> bool:
    return exc.status == 401 or bool(_TOKEN_TROUBLE.search(exc.message))


class SessionStore:
    """The cached session of one account in `path` (None: memory only)."""

    def __init__(self, path: Path | None, service: str, handle: str) -> None:
        self.path = path
        self._owner = {"service": service, "handle": handle}

    def load(self) -> Session | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self._owner.items()):
            return None  # another account or server: never reuse its tokens
        try:
            return Session.from_answer(data)
        except Transient:
            return None

    def save(self, session: Session) -> None:
        """Write atomically, readable by the owner only; a failure keeps it in memory only."""
        if self.path is None:
            return
        data = {
            **self._owner,
            "did": session.did,
            "handle": session.handle,
            "accessJwt": session.access,
            "refreshJwt": session.refresh,
        }
        with contextlib.suppress(OSError):  # mkstemp's file is the owner's alone (0600)
            private_folder(self.path.parent)
            atomic_write(self.path, json.dumps(data).encode("utf-8"))


class Xrpc:
    """XRPC calls to one account's PDS, logged in with a reused, refreshed session."""

    def __init__(self, service: str, handle: str, store: SessionStore, channel: str) -> None:
        self.service = service.rstrip("/")
        self.handle = handle
        self.channel = channel
        self._store = store
        self._session: Session | None = None
        self._tokens: set[str] = set()  # every token used, to scrub them from error texts
        self._lock = threading.Lock()

    def session(self, http: Http) -> Session:
        """The current session: from memory, else the cache (refreshed when its access token
        has run out), else a login. Later expiries show up as refused calls (see `call`),
        which also keeps a skewed local clock from causing a refresh on every call."""
        with self._lock:
            if self._session is not None:
                return self._session
            cached = self._store.load()
            if cached is None:
                return self._keep(self._login(http))
            self._tokens |= {cached.access, cached.refresh}
            if self._expired(cached.access, http):
                return self._keep(self._renew(http, cached))
            self._session = cached
            return cached

    def call(self, http: Http, method: str, nsid: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """An authenticated call; one refresh (or login) and retry when the token is dead."""
        try:
            session = self.session(http)
            try:
                return self._send(http, method, nsid, session, idempotent, kwargs)
            except (AuthFailed, Rejected) as exc:
                if not is_token_trouble(exc):
                    raise
            return self._send(http, method, nsid, self._replace(http, session), idempotent, kwargs)
        except DeliveryError as exc:
            raise self._scrub(exc) from None

    def resolve_handle(self, http: Http, handle: str) -> str | None:
        """The DID of a handle, or None when it does not resolve (needs no login)."""
        url = self.url("com.atproto.identity.resolveHandle")
        try:
            answer = http.json(http.request("GET", url, idempotent=True, params={"handle": handle}))
        except Rejected:
            return None
        did = answer.get("did") if isinstance(answer, dict) else None
        return did if isinstance(did, str) and did.startswith("did:") else None

    def url(self, nsid: str) -> str:
        return f"{self.service}/xrpc/{nsid}"

    def _send(
        self,
        http: Http,
        method: str,
        nsid: str,
        session: Session,
        idempotent: bool,
        kwargs: dict[str, Any],
    ) -> Any:
        options = dict(kwargs)
        options["headers"] = {**options.get("headers", {}), **self._auth(session.access)}
        response = http.request(method, self.url(nsid), idempotent=idempotent, **options)
        return http.json(response)

    def _auth(self, token: str) -> dict[str, str]:
        self._tokens.add(token)
        return {"Authorization": f"Bearer {token}"}

    def _replace(self, http: Http, failed: Session) -> Session:
        """A new session after `failed` was refused, unless another thread made one."""
        with self._lock:
            if self._session is not None and self._session != failed:
                return self._session
            return self._keep(self._renew(http, failed))

    def _renew(self, http: Http, old: Session) -> Session:
        if not self._expired(old.refresh, http):
            try:
                response = http.request(
                    "POST",
                    self.url("com.atproto.server.refreshSession"),
                    idempotent=True,
                    headers=self._auth(old.refresh),
                )
                return Session.from_answer(http.json(response))
            except (AuthFailed, Rejected):
                pass  # revoked or expired: log in again
        return self._login(http)

    def _login(self, http: Http) -> Session:
        try:
            password = http.secret("app_password")
        except KeyError:
            raise ConfigError(
                _("channel {channel!r} has no app_password").format(channel=self.channel),
                hint=_(
                    "add app_password: ${BLUESKY_APP_PASSWORD} (an app password, not the "
                    "account password)"
                ),
            ) from None
        body = {"identifier": self.handle, "password": password}
        try:
            response = http.request(
                "POST", self.url("com.atproto.server.createSession"), idempotent=True, json=body
            )
        except Rejected as exc:  # atproto answers a wrong password with 401, some PDS with 400
            raise AuthFailed(exc.message, hint=_("check the handle and the app password")) from None
        return Session.from_answer(http.json(response))

    def _keep(self, session: Session) -> Session:
        self._session = session
        self._tokens |= {session.access, session.refresh}
        self._store.save(session)
        return session

    def _expired(self, token: str, http: Http) -> bool:
        expiry = token_expiry(token)
        return expiry is not None and expiry - EXPIRY_MARGIN <= http.clock.now()

    def _scrub(self, exc: _Error) -> _Error:
        """The error without any token of this account in its text."""
        text = exc.message
        for token in sorted(self._tokens, key=len, reverse=True):
            text = text.replace(token, REDACTED)
        if text == exc.message:
            return exc
        clean = copy.copy(exc)
        clean.message = text
        clean.args = (text,)
        return clean
