"""The shared Meta Graph client: header auth, Meta's error object onto the error tree, the
usage headers' waits, fbtrace ids in every error text, and no token anywhere it could leak."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from socialpub.channels.meta import (
    GRAPH_BASE,
    THREADS_BASE,
    Graph,
    GraphError,
    api_base,
    usage_wait,
)
from socialpub.errors import AuthFailed, RateLimited, Rejected, Transient
from tests.adapterkit import FakeClock, Script, make_http

TOKEN = "EAAGm0PX4ZCpsBAsekritPageToken"
BASE = "http://127.0.0.1:9/v23.0"
RENEW = "create a new Page access token in Meta's Graph API Explorer"


def graph(script: Script, clock: FakeClock | None = None, token: str = TOKEN) -> Graph:
    secrets = {"access_token": token} if token else {}
    http = make_http(httpx.MockTransport(script), secrets, channel="landkreis-fb", clock=clock)
    return Graph(http, base=BASE, channel="landkreis-fb", service="Facebook", renew=RENEW)


def meta_error(
    code: int,
    *,
    status: int = 400,
    subcode: int = 0,
    message: str = "An error",
    user_msg: str = "",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGh123",
    }
    if subcode:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_msg"] = user_msg
    return httpx.Response(status, json={"error": error}, headers=headers)


def buc(minutes: int) -> dict[str, str]:
    usage = {
        "1234567890": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 30,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


# --- the call itself ------------------------------------------------------------------------


def test_a_call_sends_the_token_in_the_authorization_header_only() -> None:
    script = Script(httpx.Response(200, json={"id": "1_2"}, headers={"x-fb-trace-id": "Tr4ce"}))
    data, trace = graph(script).traced(
        "POST", "/1/feed", idempotent=False, data={"message": "Hallo"}
    )
    assert (data, trace) == ({"id": "1_2"}, "Tr4ce")
    request = script.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/1/feed"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(request.url)
    assert TOKEN not in request.content.decode()
    assert request.content.decode() == "message=Hallo"


def test_call_returns_the_json_and_an_empty_body_as_an_empty_dict() -> None:
    script = Script(httpx.Response(200, json={"success": True}), httpx.Response(200))
    client = graph(script)
    assert client.call("POST", "/1_2", idempotent=True, data={"message": "x"}) == {"success": True}
    assert client.call("DELETE", "/1_2", idempotent=True) == {}


def test_a_missing_token_is_an_auth_failure_before_anything_is_sent() -> None:
    script = Script()
    with pytest.raises(AuthFailed, match="no Facebook access token") as caught:
        graph(script, token="").call("GET", "/me", idempotent=True)
    assert script.requests == []
    assert caught.value.hint and "ENV" in caught.value.hint


def test_api_base_defaults_and_can_be_overridden() -> None:
    assert GRAPH_BASE == "https://graph.facebook.com/v23.0"
    assert THREADS_BASE == "https://graph.threads.net/v1.0"
    assert api_base({}, GRAPH_BASE) == GRAPH_BASE
    assert api_base({"api_base": "http://127.0.0.1:8080/v23.0/"}, GRAPH_BASE) == (
        "http://127.0.0.1:8080/v23.0"
    )


# --- Meta's error codes ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401])
def test_190_says_which_channel_token_expired_and_how_to_renew_it(status: int) -> None:
    script = Script(meta_error(190, status=status, subcode=463, message="Session has expired"))
    with pytest.raises(AuthFailed) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    error = caught.value
    assert "landkreis-fb" in error.message
    assert "expired or was revoked" in error.message
    assert "Session has expired" in error.message
    assert "(fbtrace_id AbCdEfGh123)" in error.message
    assert error.hint == RENEW
    assert error.platform_error == "OAuthException 190/463"
    assert len(script.requests) == 1


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80014])
def test_throttling_codes_are_rate_limited_with_the_usage_headers_wait(code: int) -> None:
    script = Script(meta_error(code, headers=buc(90)))  # 90 min > the test's max_rate_wait
    with pytest.raises(RateLimited) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    assert caught.value.retry_after == 90 * 60
    assert "(fbtrace_id AbCdEfGh123)" in caught.value.message
    assert len(script.requests) == 1


def test_a_short_throttle_is_waited_out_and_the_call_repeated() -> None:
    clock = FakeClock()
    script = Script(meta_error(80001, headers=buc(2)), httpx.Response(200, json={"id": "9"}))
    assert graph(script, clock).call("POST", "/1/feed", idempotent=False) == {"id": "9"}
    assert clock.sleeps == [120.0]
    assert len(script.requests) == 2


def test_a_throttle_without_usage_headers_waits_the_default() -> None:
    clock = FakeClock()
    script = Script(meta_error(4), httpx.Response(200, json={"id": "9"}))
    graph(script, clock).call("GET", "/1/feed", idempotent=True)
    assert clock.sleeps == [60.0]


def test_code_80000_is_not_a_throttle() -> None:
    script = Script(meta_error(80000))
    with pytest.raises(Rejected):
        graph(script).call("GET", "/1/feed", idempotent=True)


@pytest.mark.parametrize("code", [1, 2])
def test_temporary_codes_are_transient_and_retried_when_idempotent(code: int) -> None:
    clock = FakeClock()
    script = Script(meta_error(code, status=500), httpx.Response(200, json={"data": []}))
    assert graph(script, clock).call("GET", "/1/feed", idempotent=True) == {"data": []}
    assert len(script.requests) == 2


@pytest.mark.parametrize("code", [1, 2])
def test_temporary_codes_on_a_create_are_raised_at_once_as_maybe_sent(code: int) -> None:
    script = Script(meta_error(code, status=500))
    with pytest.raises(Transient) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    assert caught.value.maybe_sent
    assert "(fbtrace_id AbCdEfGh123)" in caught.value.message
    assert len(script.requests) == 1


def test_a_503_with_a_meta_error_was_not_processed_and_is_retried() -> None:
    script = Script(meta_error(2, status=503), httpx.Response(200, json={"id": "5"}))
    assert graph(script, FakeClock()).call("POST", "/1/feed", idempotent=False) == {"id": "5"}


def test_a_5xx_with_any_code_is_transient() -> None:
    script = Script(meta_error(100, status=502))
    with pytest.raises(Transient) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    assert caught.value.maybe_sent


def test_a_5xx_html_page_falls_back_to_the_status() -> None:
    script = Script(httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(Transient) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    assert caught.value.maybe_sent and caught.value.status == 502


@pytest.mark.parametrize(
    ("code", "message", "user_msg", "hint"),
    [
        (100, "(#100) param link must be a valid URL", "", None),
        (368, "Temporarily blocked for policies violations", "Du bist blockiert", "policy"),
        (506, "Duplicate status message", "", "same text twice"),
        (10, "(#10) Requires pages_manage_posts permission", "", "permission"),
        (200, "(#200) Permissions error", "", "permission"),
        (3, "Unknown method", "", None),
    ],
)
def test_other_codes_are_rejected_with_metas_words(
    code: int, message: str, user_msg: str, hint: str | None
) -> None:
    script = Script(meta_error(code, message=message, user_msg=user_msg))
    with pytest.raises(Rejected) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False)
    error = caught.value
    assert message in error.message
    assert user_msg in error.message
    assert error.message.endswith("(fbtrace_id AbCdEfGh123)")
    assert error.status == 400
    assert (error.hint is None) if hint is None else (hint in (error.hint or ""))
    assert len(script.requests) == 1


def test_a_token_meta_echoes_in_its_message_is_redacted() -> None:
    script = Script(meta_error(100, message=f"Malformed access token {TOKEN}"))
    with pytest.raises(Rejected) as caught:
        graph(script).call("GET", "/me", idempotent=True)
    assert TOKEN not in str(caught.value)
    assert "***" in caught.value.message


def test_a_timeout_on_a_create_is_maybe_sent_and_never_repeated() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    with pytest.raises(Transient) as caught:
        graph(script).call("POST", "/1/feed", idempotent=False, data={"message": "x"})
    assert caught.value.maybe_sent
    assert len(script.requests) == 1
    assert TOKEN not in str(caught.value)


def test_graph_error_parse_ignores_bodies_without_an_error_object() -> None:
    assert GraphError.parse({"error": "nope"}) is None
    assert GraphError.parse([1, 2]) is None
    parsed = GraphError.parse({"error": {"code": "190", "message": "m", "error_subcode": True}})
    assert parsed == GraphError(message="m", code=190)


# --- usage headers --------------------------------------------------------------------------


def test_usage_wait_reads_the_business_use_case_header_in_minutes() -> None:
    assert usage_wait(httpx.Headers(buc(7))) == 420.0


def test_usage_wait_takes_the_longest_wait_of_every_business_object() -> None:
    usage = {
        "1": [{"type": "pages", "estimated_time_to_regain_access": 3}],
        "2": [
            {"type": "instagram", "estimated_time_to_regain_access": 0},
            {"type": "pages", "estimated_time_to_regain_access": 11},
        ],
    }
    headers = httpx.Headers({"x-business-use-case-usage": json.dumps(usage)})
    assert usage_wait(headers) == 660.0


def test_usage_wait_of_the_app_usage_header_has_no_estimate() -> None:
    app = {"call_count": 100, "total_cputime": 20, "total_time": 40}
    assert usage_wait(httpx.Headers({"X-App-Usage": json.dumps(app)})) is None


def test_usage_wait_uses_an_estimate_in_the_app_usage_header_when_there_is_one() -> None:
    app = {"call_count": 100, "estimated_time_to_regain_access": 5}
    assert usage_wait(httpx.Headers({"X-App-Usage": json.dumps(app)})) == 300.0


@pytest.mark.parametrize("value", ["", "not json", "[]", '{"1": "x"}', "null"])
def test_usage_wait_ignores_unreadable_headers(value: str) -> None:
    assert usage_wait(httpx.Headers({"X-Business-Use-Case-Usage": value})) is None
