"""The network layer every adapter sends through: retries, rate limits, error mapping,
redaction and pacing — all against httpx.MockTransport and a clock that never sleeps."""

from __future__ import annotations

import email.utils
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import httpx
import pytest

from socialpub import __version__
from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.net.http import REDACTED, Clock, Http, RateLimiter, RetryPolicy, make_client
from tests import adapterkit
from tests.adapterkit import T0, FakeClock, make_http

URL = "https://social.example/api/v1/statuses"
DEFAULT_POLICY = RetryPolicy()


class Script(adapterkit.Script):
    """The scripted transport, and an Http that sends through it."""

    def http(self, clock: FakeClock, secrets: Mapping[str, str] | None = None, **kw: Any) -> Http:
        return make_http(httpx.MockTransport(self), secrets or {}, clock=clock, **kw)


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("connection refused")


def read_timeout() -> httpx.ReadTimeout:
    return httpx.ReadTimeout("read timed out")


def ok() -> httpx.Response:
    return httpx.Response(200, json={"id": "1"})


def http_with(
    script: Script,
    clock: FakeClock,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    limiter: RateLimiter | None = None,
    jitter: Callable[[], float] = lambda: 1.0,
    secrets: Mapping[str, str] | None = None,
) -> Http:
    return Http(
        make_client(httpx.MockTransport(script)),
        channel="test",
        secrets=secrets or {},
        clock=clock.clock(),
        limiter=limiter,
        policy=policy,
        jitter=jitter,
    )


# --- retries and the "may it have been sent?" question -------------------------------------


def test_a_2xx_answer_passes_through_untouched() -> None:
    script = Script(httpx.Response(201, json={"id": "42"}))
    clock = FakeClock()
    response = script.http(clock).request("POST", URL, idempotent=False, json={"status": "x"})
    assert response.status_code == 201
    assert response.json() == {"id": "42"}
    assert len(script.requests) == 1 and clock.sleeps == []


def test_connect_errors_are_retried_with_backoff_then_succeed() -> None:
    script = Script(connect_error(), connect_error(), ok())
    clock = FakeClock()
    response = script.http(clock).request("POST", URL, idempotent=False)
    assert response.status_code == 200
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_connect_errors_exhaust_the_attempts_as_not_sent() -> None:
    script = Script(connect_error(), connect_error(), connect_error())
    with pytest.raises(Transient) as info:
        script.http(FakeClock(), attempts=3).request("POST", URL, idempotent=False)
    assert info.value.maybe_sent is False  # nothing left this machine: safe to send later
    assert "ConnectError" in info.value.message and "POST https://social.example" in str(info.value)
    assert len(script.requests) == 3


def test_read_timeout_on_a_non_idempotent_request_is_raised_at_once() -> None:
    script = Script(read_timeout(), ok())
    clock = FakeClock()
    with pytest.raises(Transient) as info:
        script.http(clock).request("POST", URL, idempotent=False)
    assert info.value.maybe_sent is True  # the post may exist: never resend blindly
    assert len(script.requests) == 1 and clock.sleeps == []


def test_read_timeout_on_an_idempotent_request_is_retried() -> None:
    script = Script(read_timeout(), ok())
    clock = FakeClock()
    response = script.http(clock).request("POST", URL, idempotent=True)
    assert response.status_code == 200
    assert len(script.requests) == 2 and clock.sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_5xx_on_a_non_idempotent_request_is_raised_at_once(status: int) -> None:
    script = Script(httpx.Response(status), ok())
    with pytest.raises(Transient) as info:
        script.http(FakeClock()).request("POST", URL, idempotent=False)
    assert info.value.maybe_sent is True
    assert f"HTTP {status}" in info.value.message
    assert len(script.requests) == 1


def test_a_500_on_an_idempotent_request_is_retried() -> None:
    script = Script(httpx.Response(500), httpx.Response(500), ok())
    assert script.http(FakeClock()).request("POST", URL, idempotent=True).status_code == 200
    assert len(script.requests) == 3


def test_503_means_not_processed_so_even_a_non_idempotent_request_is_retried() -> None:
    script = Script(httpx.Response(503), ok())
    clock = FakeClock()
    assert script.http(clock).request("POST", URL, idempotent=False).status_code == 200
    assert len(script.requests) == 2 and clock.sleeps == [0.5]


def test_503_until_the_attempts_run_out_is_not_sent() -> None:
    script = Script(httpx.Response(503), httpx.Response(503))
    with pytest.raises(Transient) as info:
        script.http(FakeClock(), attempts=2).request("POST", URL, idempotent=False)
    assert info.value.maybe_sent is False


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_auth_failures_and_not_retried(status: int) -> None:
    script = Script(httpx.Response(status, json={"error": "The access token is invalid"}))
    with pytest.raises(AuthFailed) as info:
        script.http(FakeClock()).request("GET", URL, idempotent=True)
    assert "The access token is invalid" in info.value.message
    assert info.value.hint and "token" in info.value.hint
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, "limit of 500"),
        (400, {"error": "InvalidRequest", "message": "Record/text must not be longer"}, "Record/"),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            "chat",
        ),
    ],
    ids=["mastodon", "atproto", "telegram"],
)
def test_4xx_is_rejected_with_the_platforms_own_message(
    status: int, body: dict[str, Any], expected: str
) -> None:
    script = Script(httpx.Response(status, json=body))
    with pytest.raises(Rejected) as info:
        script.http(FakeClock()).request("POST", URL, idempotent=True)
    assert f"HTTP {status}" in info.value.message and expected in info.value.message
    assert info.value.status == status
    assert info.value.platform_error == body.get("error", body.get("description"))
    assert len(script.requests) == 1


def test_a_4xx_without_a_readable_body_is_still_rejected() -> None:
    script = Script(httpx.Response(404, text="<html>not found</html>"))
    with pytest.raises(Rejected) as info:
        script.http(FakeClock()).request("GET", URL, idempotent=True)
    assert info.value.message == f"test: HTTP 404 (GET {URL})"
    assert (info.value.status, info.value.platform_error) == (404, "")


# --- 429: waiting out the platform's rate limit ----------------------------------------------


def _in(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


RATE_HINTS = [
    pytest.param({"Retry-After": "30"}, None, 30.0, id="retry-after-seconds"),
    pytest.param(
        {"Retry-After": email.utils.format_datetime(T0 + timedelta(seconds=45), usegmt=True)},
        None,
        45.0,
        id="retry-after-http-date",
    ),
    pytest.param(
        {"Retry-After": email.utils.format_datetime(T0 + timedelta(seconds=20))},
        None,
        20.0,
        id="retry-after-date-with-utc-offset",
    ),
    pytest.param(
        {"Retry-After": "Mon, 23 Nov 2026 09:00:25 -0000"}, None, 25.0, id="retry-after-minus-0000"
    ),
    pytest.param(
        {"X-RateLimit-Reset": _in(60).replace("+00:00", "Z")}, None, 60.0, id="mastodon-iso"
    ),
    pytest.param({"RateLimit-Reset": "12"}, None, 12.0, id="ratelimit-reset-delta"),
    pytest.param(
        {"RateLimit-Reset": str(int(T0.timestamp()) + 90)}, None, 90.0, id="atproto-epoch"
    ),
    pytest.param(
        {},
        {"ok": False, "error_code": 429, "parameters": {"retry_after": 7}},
        7.0,
        id="telegram-body",
    ),
    pytest.param({}, None, 1.0, id="no-hint-waits-a-second"),
]


@pytest.mark.parametrize(("headers", "body", "wait"), RATE_HINTS)
def test_429_waits_as_long_as_the_platform_asks_then_succeeds(
    headers: dict[str, str], body: dict[str, Any] | None, wait: float
) -> None:
    script = Script(httpx.Response(429, headers=headers, json=body), ok())
    clock = FakeClock()
    response = script.http(clock).request("POST", URL, idempotent=False)
    assert response.status_code == 200
    assert clock.sleeps == [pytest.approx(wait)]
    assert len(script.requests) == 2


@pytest.mark.parametrize(("headers", "body", "wait"), RATE_HINTS)
def test_429_with_a_limiter_holds_back_the_next_request(
    headers: dict[str, str], body: dict[str, Any] | None, wait: float
) -> None:
    script = Script(httpx.Response(429, headers=headers, json=body), ok())
    clock = FakeClock()
    limiter = RateLimiter(rate=100.0, burst=10, clock=clock.clock())
    http = http_with(script, clock, limiter=limiter)
    assert http.request("POST", URL, idempotent=False).status_code == 200
    assert clock.elapsed == pytest.approx(wait)  # the limiter slept, not the request loop


def test_a_429_beyond_max_rate_wait_raises_rate_limited_without_waiting() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "120"}))
    clock = FakeClock()
    http = http_with(script, clock, policy=RetryPolicy(max_rate_wait=60))
    with pytest.raises(RateLimited) as info:
        http.request("POST", URL, idempotent=False)
    assert info.value.retry_after == 120
    assert "rate limit" in info.value.message
    assert clock.sleeps == []


def test_repeated_429s_count_against_max_rate_wait() -> None:
    script = Script(*(httpx.Response(429, headers={"Retry-After": "40"}) for _ in range(3)))
    clock = FakeClock()
    http = http_with(script, clock, policy=RetryPolicy(max_rate_wait=100))
    with pytest.raises(RateLimited):
        http.request("POST", URL, idempotent=False)
    assert clock.sleeps == [40, 40]  # a third wait would pass 100 s


def test_429_asking_for_no_wait_at_all_does_not_spin_for_ever() -> None:
    """A platform whose clock is ahead (X-RateLimit-Reset in the past) must not make
    socialpub hammer it without end."""
    answer = httpx.Response(429, headers={"Retry-After": "0"})
    script = Script(*(answer for _ in range(5000)))
    clock = FakeClock()
    http = http_with(script, clock, policy=RetryPolicy(max_rate_wait=10))
    with pytest.raises(RateLimited):
        http.request("POST", URL, idempotent=False)
    assert len(script.requests) <= 101
    assert clock.elapsed <= 10


# --- backoff ---------------------------------------------------------------------------------


def test_backoff_doubles_and_is_capped() -> None:
    script = Script(*(connect_error() for _ in range(7)), ok())
    clock = FakeClock()
    policy = RetryPolicy(attempts=8, backoff=0.5, max_backoff=4.0)
    assert http_with(script, clock, policy=policy).request("GET", URL, idempotent=True)
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_jitter_scales_every_backoff() -> None:
    script = Script(connect_error(), connect_error(), connect_error(), ok())
    clock = FakeClock()
    factors = iter([0.5, 0.75, 1.0])
    http = http_with(script, clock, jitter=lambda: next(factors))
    http.request("GET", URL, idempotent=True)
    assert clock.sleeps == [0.25, 0.75, 2.0]


# --- secrets never leak ----------------------------------------------------------------------

TOKEN = "123:ABC/+="
LONG_SECRET = "s3cr3tToken-abcdefghijklmnopqrstuvwxyz"


def token_url(token: str, quote: Callable[[str], str]) -> str:
    return f"https://api.telegram.org/bot{quote(token)}/sendMessage?token={quote(token)}"


QUOTES: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "quote-all": lambda s: urllib.parse.quote(s, safe=""),
    "quote-default": urllib.parse.quote,
    "quote-plus": urllib.parse.quote_plus,
}
FAILURES: dict[str, Callable[[str], httpx.Response | Exception]] = {
    "connect": lambda s: connect_error(),
    "timeout": lambda s: read_timeout(),
    "401-echo": lambda s: httpx.Response(401, json={"description": f"Unauthorized: {s}"}),
    "422-echo": lambda s: httpx.Response(422, json={"error": f"bad token {s}"}),
    "500-echo": lambda s: httpx.Response(500, json={"message": f"crash for {s}"}),
    "429": lambda s: httpx.Response(429, headers={"Retry-After": "99999"}),
    "404-truncated": lambda s: httpx.Response(404, json={"description": "x" * 190 + s}),
}


def assert_no_secret(exc: BaseException, secret: str) -> None:
    forms = {secret, *(quote(secret) for quote in QUOTES.values()), secret[:8]}
    text = f"{exc} {exc!r} {getattr(exc, 'hint', '')}"
    for form in forms:
        assert form not in text, f"{form!r} leaked in {text!r}"


@pytest.mark.parametrize("secret", [TOKEN, LONG_SECRET, "12 3:ä%B"])
@pytest.mark.parametrize("quote", QUOTES.values(), ids=list(QUOTES))
@pytest.mark.parametrize("failure", FAILURES.values(), ids=list(FAILURES))
def test_no_error_ever_shows_a_secret(
    secret: str, quote: Callable[[str], str], failure: Callable[[str], Any]
) -> None:
    script = Script(*(failure(secret) for _ in range(3)))
    http = http_with(
        script,
        FakeClock(),
        policy=RetryPolicy(attempts=3, max_rate_wait=60),
        secrets={"token": secret},
    )
    with pytest.raises(DeliveryError) as info:
        http.request("POST", token_url(secret, quote), idempotent=False)
    assert_no_secret(info.value, secret)
    assert f"POST https://api.telegram.org/bot{REDACTED}/sendMessage" in str(info.value)


def test_invalid_json_error_does_not_show_the_secret() -> None:
    script = Script(httpx.Response(200, text="<html>"))
    http = http_with(script, FakeClock(), secrets={"token": TOKEN})
    response = http.request("POST", token_url(TOKEN, QUOTES["raw"]), idempotent=False)
    with pytest.raises(Transient) as info:
        http.json(response)
    assert_no_secret(info.value, TOKEN)


def test_redact_hides_plain_and_url_encoded_forms() -> None:
    http = make_http(httpx.MockTransport(lambda r: ok()), {"token": TOKEN, "empty": ""})
    text = f"a {TOKEN} b {urllib.parse.quote(TOKEN, safe='')} c"
    assert http.redact(text) == "a *** b *** c"
    assert http.secret("token") == TOKEN


# --- JSON ------------------------------------------------------------------------------------


def test_json_reads_a_valid_body() -> None:
    http = make_http(httpx.MockTransport(lambda r: ok()), {})
    assert http.json(http.request("GET", URL, idempotent=True)) == {"id": "1"}


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"", b"\xff\xfe\xfa{"])
def test_unreadable_json_is_transient_and_may_have_been_sent(body: bytes) -> None:
    http = make_http(httpx.MockTransport(lambda r: httpx.Response(200, content=body)), {})
    response = http.request("POST", URL, idempotent=False)
    with pytest.raises(Transient) as info:
        http.json(response)
    assert info.value.maybe_sent is True
    assert "invalid JSON" in info.value.message and f"POST {URL}" in info.value.message


# --- the rate limiter ------------------------------------------------------------------------


def acquire_times(limiter: RateLimiter, clock: FakeClock, count: int) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire()
        times.append(clock.elapsed)
    return times


def test_limiter_allows_the_burst_then_paces_to_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock.clock())
    times = acquire_times(limiter, clock, 7)
    assert times == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0])


def test_limiter_refills_the_burst_after_a_quiet_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock.clock())
    acquire_times(limiter, clock, 5)
    clock.elapsed += 10  # a quiet spell longer than the burst needs to refill
    start = clock.elapsed
    assert acquire_times(limiter, clock, 4) == pytest.approx([start, start, start, start + 0.5])


def test_limiter_keeps_n_requests_within_the_configured_rate() -> None:
    """300 per 5 minutes with a burst of 10: after the burst, one request a second."""
    clock = FakeClock()
    limiter = RateLimiter(rate=300 / 300, burst=10, clock=clock.clock())
    times = acquire_times(limiter, clock, 100)
    assert times[-1] == pytest.approx(90.0)
    for gap in (10, 30, 60):  # n requests after a burst take at least (n - burst) intervals
        for first, later in zip(times, times[gap:], strict=False):
            assert later - first >= gap - 9 - 1e-9


def test_limiter_with_zero_rate_never_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=0, burst=1, clock=clock.clock())
    assert acquire_times(limiter, clock, 5) == [0.0] * 5


def test_pause_until_delays_the_next_acquire() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=10.0, burst=5, clock=clock.clock())
    limiter.acquire()
    limiter.pause_until(clock.elapsed + 5.0)
    limiter.acquire()
    assert clock.elapsed == pytest.approx(5.0)


def test_pause_until_in_the_past_changes_nothing() -> None:
    clock = FakeClock(elapsed=100.0)
    limiter = RateLimiter(rate=1.0, burst=2, clock=clock.clock())
    limiter.pause_until(50.0)
    assert acquire_times(limiter, clock, 2) == [100.0, 100.0]


def test_limiter_is_thread_safe() -> None:
    """Time stands still; every thread's wait is its slot: the slots must be 0, 0.1, … 19.9
    with none given twice, whatever order the threads ran in."""
    waits: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    clock = Clock(now=lambda: T0, monotonic=lambda: 0.0, sleep=sleep)
    limiter = RateLimiter(rate=10.0, burst=1, clock=clock)
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            limiter.acquire()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(waits) == 199  # the first slot is free: no sleep
    assert sorted(waits) == pytest.approx([k / 10 for k in range(1, 200)])


# --- the client factory ----------------------------------------------------------------------


def test_the_client_sends_the_socialpub_user_agent_and_does_not_follow_redirects() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/"})

    with make_client(httpx.MockTransport(handler)) as client:
        response = client.get(URL)
    assert seen[0].headers["User-Agent"].startswith(f"socialpub/{__version__}")
    assert response.status_code == 302 and len(seen) == 1
    assert client.timeout.connect == 10.0 and client.timeout.read == 30.0


def test_a_redirect_is_not_a_success() -> None:
    script = Script(httpx.Response(302, headers={"Location": "https://elsewhere.example/"}))
    with pytest.raises(Rejected):
        script.http(FakeClock()).request("POST", URL, idempotent=False)


def test_an_unpaced_request_does_not_spend_the_channels_rate_limit() -> None:
    """A photo's public URL is on the county's web server: checking it is not a call to
    the platform, so it neither waits for the limiter nor delays the platform's calls."""
    script = Script(ok(), ok(), ok())
    clock = FakeClock()
    limiter = RateLimiter(rate=1.0, burst=1, clock=clock.clock())
    http = http_with(script, clock, limiter=limiter)
    http.request("GET", URL, idempotent=True)  # the platform: takes the one slot
    http.request("GET", "https://www.kreis.example/media/a.jpg", idempotent=True, paced=False)
    assert clock.elapsed == 0
    http.request("GET", URL, idempotent=True)  # the platform again: waits its second
    assert clock.elapsed == pytest.approx(1.0) and len(script.requests) == 3
