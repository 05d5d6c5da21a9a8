"""X API v2 as the X adapter uses it: one signed call, and X's problem JSON read onto the
error tree.

Auth is OAuth 1.0a user context (the app's API key and secret, the account's access token
and secret): every request is signed by oauthlib at the moment it is sent, so a retry by
`Http` gets a fresh nonce and timestamp. No secret goes into a URL or a body. The OAuth 2.0
alternative (a user access token, refreshed by x_oauth2.py) goes in `Authorization: Bearer`.

X answers errors as problem JSON (`title`, `detail`, `type`, `status`):
- 401 → AuthFailed, with how to make new keys;
- 429 → RateLimited until `x-rate-limit-reset` or `x-user-limit-24hour-reset` (epoch
  seconds); Http waits short ones out;
- 403 "duplicate content" → Rejected with `platform_error` "duplicate" (send() decides
  whether that means its own unconfirmed first attempt landed);
- other 4xx → Rejected with X's words; 5xx → Transient (maybe sent unless 503).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from oauthlib.oauth1 import Client as OAuth1Client

from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.i18n import N_, _

if TYPE_CHECKING:
    from socialpub.channels.x_oauth2 import OAuth2Session
    from socialpub.net.http import Http

API_BASE = "https://api.x.com"
OAUTH1 = ("api_key", "api_secret", "access_token", "access_token_secret")
RENEW = N_(
    "in the X developer portal, give the app 'Read and write' permissions, regenerate the "
    "access token and secret, and export them in the env vars the channel names"
)
DUPLICATE = "duplicate"  # DeliveryError.platform_error of X's duplicate-content refusal
# oauthlib logs the parameters and base string it signs at DEBUG, the API key and access
# token among them: its records never reach a handler.
logging.getLogger("oauthlib").setLevel(logging.WARNING)
_RESET_HEADERS = ("x-rate-limit-reset", "x-user-limit-24hour-reset")
_DETAIL_MAX = 300


class OAuth1(httpx.Auth):
    """Signs each request (HMAC-SHA1, header form) with oauthlib as it goes out."""

    def __init__(self, key: str, secret: str, token: str, token_secret: str) -> None:
        self._client = OAuth1Client(
            key,
            client_secret=secret,
            resource_owner_key=token,
            resource_owner_secret=token_secret,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        form = request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        )
        body = request.content.decode() if form else None
        headers = {"Content-Type": request.headers["content-type"]} if form else {}
        _, signed, _ = self._client.sign(str(request.url), request.method, body, headers)
        request.headers["Authorization"] = signed["Authorization"]
        yield request


class XApi:
    """One channel's X API, through `Http`, with the channel's credentials."""

    def __init__(
        self, http: Http, *, base: str, channel: str, oauth2: OAuth2Session | None = None
    ) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.channel = channel
        self._oauth2 = oauth2  # OAuth 2.0 user tokens; None: OAuth 1.0a

    def call(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """An authorised call to `path` ("/2/tweets"); the answer's JSON ({} when empty).
        A refused OAuth 2.0 token is refreshed once (a 401 created nothing: safe to repeat)."""
        if self._oauth2 is None:
            return self._send(method, path, idempotent, kwargs, {"auth": self._oauth1()})
        bearer = self._oauth2.bearer(self.http)
        try:
            return self._send(method, path, idempotent, kwargs, _bearer(bearer))
        except AuthFailed as exc:
            fresh = self._oauth2.renew(self.http, bearer) if exc.status == 401 else None
            if fresh is None:
                raise
        return self._send(method, path, idempotent, kwargs, _bearer(fresh))

    def _send(
        self,
        method: str,
        path: str,
        idempotent: bool,
        kwargs: dict[str, Any],
        auth: dict[str, Any],
    ) -> Any:
        response = self.http.request(
            method,
            self.base + path,
            idempotent=idempotent,
            read_error=self.read_error,
            **auth,
            **kwargs,
        )
        return self.http.json(response) if response.content.strip() else {}

    def _oauth1(self) -> OAuth1:
        return OAuth1(*(self._secret(name) for name in OAUTH1))

    def _secret(self, name: str) -> str:
        try:
            value = self.http.secret(name)
        except KeyError:
            value = ""
        if not value:
            raise AuthFailed(
                _("{channel}: the X setting {name} is not configured").format(
                    channel=self.channel, name=name
                ),
                hint=_("set {name}: ${{ENV_VAR}} in the channel and export it; {renew}").format(
                    name=name, renew=_(RENEW)
                ),
            )
        return value

    def read_error(self, response: httpx.Response) -> DeliveryError | None:
        return map_error(
            response, self.channel, self.http.clock.now().timestamp(), self.http.redact
        )


def _bearer(token: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def problem(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def map_error(
    response: httpx.Response, channel: str, now: float, redact: Any = str
) -> DeliveryError | None:
    """The error of the tree for one X error answer (see the module's docstring)."""
    status, body = response.status_code, problem(response)
    words = [str(body.get(k)) for k in ("title", "detail") if body.get(k)]
    errors = body.get("errors")
    if isinstance(errors, list):
        words += [str(e.get("message")) for e in errors if isinstance(e, dict) and "message" in e]
    detail = redact(" – ".join(dict.fromkeys(words)) or f"HTTP {status}")[:_DETAIL_MAX]
    kind = redact(str(body.get("type") or ""))
    said = f"X said: {detail}" + (f" ({kind})" if kind and kind != "about:blank" else "")
    if status == 401:
        message = f"{channel}: X did not accept the credentials – {said}"
        return AuthFailed(message, hint=_(RENEW), status=status, platform_error=kind)
    if status == 429 and _wait(response, now) is None:
        return None  # no X reset header: Http goes by Retry-After or waits a little
    if status == 429:
        return RateLimited(
            _("{channel}: X's rate limit is reached – {said}").format(channel=channel, said=said),
            retry_after=_wait(response, now),
        )
    if status >= 500:
        message = f"{channel}: a temporary X problem – {said}"
        return Transient(message, maybe_sent=status != 503, status=status)
    if status == 403 and "duplicate content" in detail.lower():
        hint = "X refuses a text it has already posted: change the text"
        return Rejected(f"{channel}: {said}", hint=hint, status=status, platform_error=DUPLICATE)
    if status == 403:  # the app may not write: its permissions, or the token's age
        hint = "the app needs 'Read and write' permissions and an access token made after that"
        message = f"{channel}: X does not allow this app to do that – {said}"
        return AuthFailed(message, hint=hint, status=status, platform_error=kind)
    return Rejected(
        _("{channel}: X refused the request – {said}").format(channel=channel, said=said),
        status=status,
        platform_error=kind,
    )


def _wait(response: httpx.Response, now: float) -> float | None:
    """Seconds until the latest reset X names (epoch seconds); None when it names none."""
    resets = [
        float(response.headers[name])
        for name in _RESET_HEADERS
        if response.headers.get(name, "").isdigit()
        and (
            name != "x-user-limit-24hour-reset"
            or response.headers.get("x-user-limit-24hour-remaining") == "0"
        )
    ]
    return max(0.0, max(resets) - now) if resets else None


def matches(post: Mapping[str, Any], text: str, parent: str | None) -> bool:
    """Whether `post` is the message with `text` replying to `parent` (None: to nothing)."""
    refs = post.get("referenced_tweets")
    replied = [
        str(r.get("id"))
        for r in (refs if isinstance(refs, list) else [])
        if isinstance(r, dict) and r.get("type") == "replied_to"
    ]
    return _text(post) == text and replied == ([parent] if parent else [])


def _text(post: Mapping[str, Any]) -> str:
    """A post's text as it was sent: X shows links as t.co links, its entities name the
    link each stands for."""
    text = str(post.get("text") or "")
    entities = post.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    for url in urls or []:
        if isinstance(url, dict) and url.get("url") and url.get("expanded_url"):
            text = text.replace(str(url["url"]), str(url["expanded_url"]))
    return text
