"""All network I/O of the adapters goes through here: one client factory and `Http`.

`Http` adds what every platform needs: a User-Agent, rate limiting before each request,
retries with exponential backoff and jitter for connection errors and 5xx, waiting out 429s
(Retry-After, X-RateLimit-Reset, RateLimit-Reset, Telegram's `retry_after`), and the mapping
of failures onto the error tree. Secrets are redacted from every message it produces.
Clocks and sleeping are injected (`Clock`), so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import urllib.parse
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from socialpub import __version__
from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.i18n import _

USER_AGENT = f"socialpub/{__version__} (+https://github.com/socialpub/socialpub)"
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=30.0)
REDACTED = "***"
#: errors raised before the request left this machine: always safe to retry
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: 5xx answers that mean "not processed"; any other 5xx may have stored the post
_NOT_PROCESSED = frozenset({503})
#: the least a 429 costs: "retry after 0" again and again must still end at max_rate_wait
_MIN_RATE_WAIT = 0.1
#: characters httpx leaves unencoded in a URL path (a secret there is shown in this form)
_PATH_SAFE = "/:@!$&'()*+,;=%"
#: a platform's reading of an error answer: an error of the tree, or None to go by the status
ErrorReader = Callable[[httpx.Response], DeliveryError | None]


@dataclass(frozen=True)
class Clock:
    """Time as the network layer sees it; the command line passes the real one."""

    now: Callable[[], datetime]  # wall clock, timezone-aware (for X-RateLimit-Reset)
    monotonic: Callable[[], float]
    sleep: Callable[[float], None]


def make_client(
    transport: httpx.BaseTransport | None = None, timeout: httpx.Timeout = TIMEOUT
) -> httpx.Client:
    """The one httpx client factory: timeouts, User-Agent, no redirects to other hosts."""
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


class Redactor:
    """Replaces every secret value (and its URL-encoded form) in a text with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {s for s in secrets if s}
        values |= {
            encoded
            for s in values
            for encoded in (
                urllib.parse.quote(s, safe=""),
                urllib.parse.quote(s),
                urllib.parse.quote(s, safe=_PATH_SAFE),
                urllib.parse.quote_plus(s),
            )
        }
        self._values = sorted(values, key=len, reverse=True)

    def add(self, *secrets: str) -> None:
        """Also hide these (tokens a platform hands out during a run)."""
        fresh = {s for s in secrets if s} - set(self._values)
        if fresh:
            values = set(self._values) | set(Redactor(fresh)._values)
            self._values = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text


class _RedactLogs(logging.Filter):
    """httpx logs every request URL at INFO, and a Telegram URL holds the bot token: every
    live Http's secrets are removed from httpx's log records before any handler sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for redact in list(self.redactors):
            text = redact(text)
        record.msg, record.args = text, None
        return True


_LOG_FILTER = _RedactLogs()
# A logger's filters see only records logged on that very logger, not on its children.
for _name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2"):
    logging.getLogger(_name).addFilter(_LOG_FILTER)


class RateLimiter:
    """Paces requests to `rate` per second with bursts of `burst` (GCRA). Thread-safe.

    `pause_until` lets a 429 hold back every request of the channel, not just the one retried.
    """

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._tolerance = max(0, burst - 1) * self._interval
        self._clock = clock
        self._tat = 0.0  # theoretical arrival time of the next request
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock.monotonic()
            tat = max(self._tat, now)
            wait = max(0.0, tat - self._tolerance - now)
            self._tat = tat + self._interval
        if wait > 0:
            self._clock.sleep(wait)

    def pause_until(self, deadline: float) -> None:
        with self._lock:
            self._tat = max(self._tat, deadline + self._tolerance)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries for connection errors and 5xx
    backoff: float = 0.5  # seconds before the 2nd try, doubled each time
    max_backoff: float = 30.0
    max_rate_wait: float = 300.0  # wait out a 429 up to this long, else fail as RateLimited


class Http:
    """The channel-bound network access an adapter gets in `send()`/`edit()`/`delete()`."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        channel: str,
        secrets: Mapping[str, str],
        clock: Clock,
        limiter: RateLimiter | None = None,
        policy: RetryPolicy = RetryPolicy(),
        jitter: Callable[[], float] = lambda: 1.0,
    ) -> None:
        self.client = client
        self.channel = channel
        self.clock = clock
        self.redact = Redactor(secrets.values())
        _LOG_FILTER.redactors.add(self.redact)
        self._secrets = dict(secrets)
        self._limiter = limiter
        self._policy = policy
        self._jitter = jitter  # a factor in [0.5, 1.0]; the command line passes a random one

    def secret(self, name: str) -> str:
        return self._secrets[name]

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        read_error: ErrorReader | None = None,
        paced: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response or raise from the error tree.

        `idempotent`: repeating the request cannot create a second post (GET, an
        Idempotency-Key, a fixed record key). Only then is a request retried after it may
        have reached the server; otherwise that case raises Transient(maybe_sent=True).
        `read_error`: the platform's own reading of an error answer (Meta puts the kind of
        error in the body, not the status); None leaves it to the status. A RateLimited it
        returns is waited out like a 429, a Transient retried like a 5xx.
        `paced=False`: a request to another server than the platform (Meta fetching a photo
        from the county's website is checked first) does not spend the channel's rate limit.
        """
        failures = 0
        waited = 0.0
        while True:
            if paced:
                self._pace()
            try:
                response = self.client.request(method, url, **kwargs)
            except _NOT_SENT as exc:
                failure: DeliveryError = self._transient(method, url, exc, maybe_sent=False)
            except httpx.HTTPError as exc:  # timeout or reset after the request went out
                failure = self._transient(method, url, exc, maybe_sent=True)
                if not idempotent:
                    raise failure from None
            else:
                if response.status_code < 300:
                    return response
                platform = read_error(response) if read_error else None
                if isinstance(platform, RateLimited):
                    waited += self._wait_for_rate(
                        method, url, platform.retry_after, waited, platform
                    )
                    continue
                if platform is None and response.status_code == 429:
                    delay = retry_after(response, self.clock.now())
                    waited += self._wait_for_rate(method, url, delay, waited)
                    continue
                failure = platform or self._status_error(method, url, response)
                if not isinstance(failure, Transient):
                    raise failure
                if failure.maybe_sent and not idempotent:
                    raise failure
            failures += 1
            if failures >= self._policy.attempts:
                raise failure
            self.clock.sleep(self._backoff(failures))

    def json(self, response: httpx.Response) -> Any:
        """The response body as JSON; an unreadable answer is Transient (it may have posted)."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            where = self._where(response.request.method, str(response.request.url))
            raise Transient(
                _("{channel}: the platform answered with invalid JSON ({where})").format(
                    channel=self.channel, where=where
                ),
                maybe_sent=True,
            ) from None

    def _pace(self) -> None:
        if self._limiter is not None:
            self._limiter.acquire()

    def _backoff(self, failures: int) -> float:
        delay = min(self._policy.max_backoff, self._policy.backoff * 2.0 ** (failures - 1))
        return delay * self._jitter()

    def _wait_for_rate(
        self,
        method: str,
        url: str,
        delay: float | None,
        waited: float,
        failure: RateLimited | None = None,
    ) -> float:
        delay = 1.0 if delay is None else max(_MIN_RATE_WAIT, delay)
        if waited + delay > self._policy.max_rate_wait:
            raise failure or RateLimited(
                _("{channel}: rate limit reached ({where})").format(
                    channel=self.channel, where=self._where(method, url)
                ),
                retry_after=delay,
            )
        if self._limiter is not None:
            self._limiter.pause_until(self.clock.monotonic() + delay)
        else:
            self.clock.sleep(delay)
        return delay

    def _where(self, method: str, url: str) -> str:
        return self.redact(f"{method} {httpx.URL(url).copy_with(query=None)}")

    def _transient(self, method: str, url: str, exc: Exception, *, maybe_sent: bool) -> Transient:
        kind = type(exc).__name__
        return Transient(
            f"{self.channel}: {kind} ({self._where(method, url)})", maybe_sent=maybe_sent
        )

    def _status_error(
        self, method: str, url: str, response: httpx.Response
    ) -> AuthFailed | Rejected | Transient:
        status = response.status_code
        body = json_object(response)
        detail = self.redact(error_detail(body))[:200]  # redact first: no half secret
        message = f"{self.channel}: HTTP {status}{': ' + detail if detail else ''}"
        message += f" ({self._where(method, url)})"
        if status >= 500:
            return Transient(message, maybe_sent=status not in _NOT_PROCESSED, status=status)
        name = self.redact(error_name(body))[:200]
        if status in (401, 403):
            hint = "check the channel's token or password"
            return AuthFailed(message, hint=hint, status=status, platform_error=name)
        return Rejected(message, status=status, platform_error=name)


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object, or {} when it is not one (an HTML error page, nothing)."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def error_detail(body: Mapping[str, Any]) -> str:
    """The platform's own error text (Mastodon `error`, atproto `message`, Telegram
    `description`); empty when the body says nothing readable."""
    for key in ("error_description", "description", "message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def error_name(body: Mapping[str, Any]) -> str:
    """The platform's name for an error (atproto's `error`, Telegram's `description`)."""
    for key in ("error", "description"):
        value = body.get(key)
        if isinstance(value, str):
            return value
    return ""


def retry_after(response: httpx.Response, now: datetime) -> float | None:
    """Seconds to wait after a 429, from whichever hint the platform gives."""
    headers = response.headers
    if "retry-after" in headers:
        return _seconds_or_date(headers["retry-after"], now)
    if "x-ratelimit-reset" in headers:  # Mastodon: an ISO 8601 time
        return _iso_delay(headers["x-ratelimit-reset"], now)
    if "ratelimit-reset" in headers:  # IETF draft: seconds; atproto: a Unix time
        return _delta_or_epoch(headers["ratelimit-reset"], now)
    return _telegram_retry_after(response)


def _seconds_or_date(value: str, now: datetime) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC without a claim about local time (RFC 5322)
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _iso_delay(value: str, now: datetime) -> float | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _delta_or_epoch(value, now)
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def _delta_or_epoch(value: str, now: datetime) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if number > 1_000_000_000:  # a Unix time, not a number of seconds
        return max(0.0, number - now.timestamp())
    return max(0.0, number)


def _telegram_retry_after(response: httpx.Response) -> float | None:
    params = json_object(response).get("parameters")
    value = params.get("retry_after") if isinstance(params, dict) else None
    return float(value) if isinstance(value, int | float) else None
