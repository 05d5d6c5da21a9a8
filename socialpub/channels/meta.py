"""Meta's Graph APIs as the Facebook, Instagram and Threads adapters use them: one authorised
call, and Meta's error object read onto the error tree.

The token goes in `Authorization: Bearer`, never in a URL, a query or a form, so no log line,
ledger entry or error text can hold it. Meta answers most errors with HTTP 400 and says what
happened in `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id", …}}`:

- 190 (token expired or revoked) → AuthFailed, saying which channel's token and how to renew it;
- 4, 17, 32, 613, 80001–80014 (throttled) → RateLimited, waiting as long as the usage headers'
  `estimated_time_to_regain_access` says (minutes); Http waits short ones out, like a 429;
- 1, 2 (temporary) and any 5xx → Transient; maybe sent unless HTTP 503;
- everything else (100 bad parameter, 368 blocked, 506 duplicate, permissions …) → Rejected
  with Meta's own words, which name the field.

Every error text ends with "(fbtrace_id …)", so the ledger's `last_error` keeps what Meta's
support asks for; `Graph.traced()` gives the `x-fb-trace-id` of a success for `Sent.refs`.

Meta has no idempotency key: every create call goes out with `idempotent=False`, right after
`progress.before(i)`. A timeout or reset after sending is then Transient(maybe_sent=True), the
delivery becomes unconfirmed, and `reconcile` looks the post up instead of creating it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.i18n import _

if TYPE_CHECKING:  # validation imports the adapters for their check(): no httpx for that
    import httpx

    from socialpub.net.http import Http

GRAPH_BASE = "https://graph.facebook.com/v23.0"
THREADS_BASE = "https://graph.threads.net/v1.0"
AUTH_SETTING = "access_token"  # the channel setting that holds the token (a ${ENV} reference)
AUTH_CODES = frozenset({190})
RATE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TEMPORARY_CODES = frozenset({1, 2})
#: how long to wait when Meta throttles without saying for how long (seconds)
DEFAULT_RATE_WAIT = 60.0
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage")
TRACE_HEADER = "x-fb-trace-id"
_NOT_PROCESSED = 503  # like Http: a 503 was not processed, any other 5xx may have posted
_DETAIL_MAX = 300


@dataclass(frozen=True)
class GraphError:
    """Meta's error object, as far as it is there."""

    message: str = ""
    type: str = ""
    code: int = 0
    subcode: int = 0
    user_title: str = ""
    user_msg: str = ""
    fbtrace_id: str = ""

    @classmethod
    def parse(cls, body: Any) -> GraphError | None:
        error = body.get("error") if isinstance(body, Mapping) else None
        if not isinstance(error, Mapping):
            return None
        return cls(
            message=_text(error, "message"),
            type=_text(error, "type"),
            code=_int(error, "code"),
            subcode=_int(error, "error_subcode"),
            user_title=_text(error, "error_user_title"),
            user_msg=_text(error, "error_user_msg"),
            fbtrace_id=_text(error, "fbtrace_id"),
        )

    @property
    def name(self) -> str:
        """A short name for `DeliveryError.platform_error`: "OAuthException 190/463"."""
        sub = f"/{self.subcode}" if self.subcode else ""
        return f"{self.type or 'error'} {self.code}{sub}"

    @property
    def detail(self) -> str:
        """Meta's words: the message, and the user message when it says something more."""
        parts = [p for p in (self.message, self.user_title, self.user_msg) if p]
        return " – ".join(dict.fromkeys(parts)) or _("no reason given")


class Graph:
    """One channel's Graph API (graph.facebook.com or graph.threads.net), through `Http`."""

    def __init__(self, http: Http, *, base: str, channel: str, service: str, renew: str) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.channel = channel
        self.service = service  # "Facebook", "Instagram", "Threads": for messages
        self.renew = renew  # how to get a new token, for the hint of an AuthFailed

    def call(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        """An authorised call to `path` (e.g. "/123/feed"); the answer's JSON ({} when empty)."""
        return self.traced(method, path, idempotent=idempotent, **kwargs)[0]

    def traced(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> tuple[Any, str]:
        """Like `call`, and the answer's fbtrace id ("" when Meta sent none)."""
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self._token()}"}
        response = self.http.request(
            method,
            self.url(path),
            idempotent=idempotent,
            read_error=self.read_error,
            headers=headers,
            **kwargs,
        )
        data = self.http.json(response) if response.content.strip() else {}
        return data, response.headers.get(TRACE_HEADER, "")

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base + path

    def read_error(self, response: httpx.Response) -> DeliveryError | None:
        """Meta's error answer as an error of the tree; None when the body holds no error
        object (an HTML page from a proxy): then Http goes by the status."""
        try:
            error = GraphError.parse(response.json())
        except (json.JSONDecodeError, UnicodeDecodeError):
            error = None
        if error is None:
            return None
        return map_error(
            error,
            status=response.status_code,
            headers=response.headers,
            channel=self.channel,
            service=self.service,
            renew=_(self.renew),
            redact=self.http.redact,
        )

    def _token(self) -> str:
        try:
            token = self.http.secret(AUTH_SETTING)
        except KeyError:
            token = ""
        if not token:
            raise AuthFailed(
                _("{channel}: no {service} access token configured").format(
                    channel=self.channel, service=self.service
                ),
                hint=_(
                    "set access_token: ${{ENV_VAR}} in the channel and export it; {renew}"
                ).format(renew=_(self.renew)),
            )
        return token


def map_error(
    error: GraphError,
    *,
    status: int,
    headers: Mapping[str, str],
    channel: str,
    service: str,
    renew: str,
    redact: Callable[[str], str] = str,
) -> DeliveryError:
    """The error of the tree for one Meta error object (see the module's docstring)."""
    detail = redact(error.detail)[:_DETAIL_MAX]
    trace = f" (fbtrace_id {redact(error.fbtrace_id)})" if error.fbtrace_id else ""
    said = f"{service} error {error.code}: {detail}{trace}"
    name = redact(error.name)
    if error.code in AUTH_CODES:
        message = _(
            "{channel}: the {service} access token has expired or was revoked – {said}"
        ).format(channel=channel, service=service, said=said)
        return AuthFailed(message, hint=renew, status=status, platform_error=name)
    if error.code in RATE_CODES:
        wait = usage_wait(headers)
        retry = DEFAULT_RATE_WAIT if wait is None else wait
        return RateLimited(
            _("{channel}: {service} throttles this app – {said}").format(
                channel=channel, service=service, said=said
            ),
            retry_after=retry,
        )
    if error.code in TEMPORARY_CODES or status >= 500:
        message = f"{channel}: a temporary {service} problem – {said}"
        return Transient(message, maybe_sent=status != _NOT_PROCESSED, status=status)
    message = _("{channel}: {service} refused the request – {said}").format(
        channel=channel, service=service, said=said
    )
    return Rejected(message, hint=_hint(error), status=status, platform_error=name)


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until Meta lets calls through again, from the usage headers; None if unsaid.

    `X-Business-Use-Case-Usage` maps business object ids to lists of
    `{"type", "call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"}`
    (percentages, and minutes); `X-App-Usage` is one `{"call_count", "total_cputime",
    "total_time"}` object (percentages). The longest wait named anywhere counts.
    """
    minutes = [
        value
        for name in USAGE_HEADERS
        if name in headers
        for value in _regain_minutes(_loads(headers[name]))
    ]
    return max(minutes) * 60.0 if minutes else None


def _regain_minutes(data: Any) -> list[float]:
    """Every `estimated_time_to_regain_access` in a usage header's JSON, however nested."""
    if isinstance(data, Mapping):
        found = [
            float(v)
            for k, v in data.items()
            if k == "estimated_time_to_regain_access"
            and isinstance(v, int | float)
            and not isinstance(v, bool)
            and v >= 0
        ]
        for value in data.values():
            if isinstance(value, Mapping | list):
                found += _regain_minutes(value)
        return found
    if isinstance(data, list):
        return [minutes for item in data for minutes in _regain_minutes(item)]
    return []


def _loads(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


def _hint(error: GraphError) -> str | None:
    if error.code == 506:
        return _("Facebook refuses the same text twice in a row: change the text")
    if error.code == 368:
        return _("Meta blocked this action for a policy reason: check the account in Meta's app")
    if error.code == 10 or 200 <= error.code <= 299:
        return _("the token lacks a permission: create it again with every permission README lists")
    return None


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def api_base(settings: Mapping[str, Any], default: str) -> str:
    """The channel's `api_base` setting (tests point it at a local server), else `default`."""
    value = settings.get("api_base")
    return str(value).rstrip("/") if isinstance(value, str) and value else default


@dataclass(frozen=True)
class Account:
    """The settings of an Instagram or Threads channel: whose account, on which Graph host."""

    user_id: str
    api_base: str

    @classmethod
    def parse(cls, settings: Mapping[str, Any], default_base: str) -> Account:
        return cls(str(settings.get("user_id", "")), api_base(settings, default_base))
