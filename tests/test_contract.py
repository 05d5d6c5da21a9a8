"""The adapter contract, for every channel type whose module defines ADAPTER.

Each adapter sends a plain text and a text with an image into a platform where every request
fails — connection refused, read timeout, 401, 403, 429 with and without Retry-After, 500, and
a 200 that is not JSON — and must raise only from the error tree, with the right class and
`maybe_sent`, and never show a secret (raw or URL-encoded) in its error or in the log.
New adapters join automatically: the list comes from `CHANNEL_TYPES` and `adapter_class()`.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, PngImagePlugin

from socialpub.channels.adapter import Adapter, adapter_class
from socialpub.content.config import ChannelConfig, SecretRef
from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.models import Media, Part, Variant
from socialpub.net.http import Http, RetryPolicy, make_client
from socialpub.specs import CHANNEL_TYPES, spec
from tests.adapterkit import T0, FakeClock, MemoryProgress

#: the smallest valid settings of each channel type, secrets left out (added as ${ENV} refs)
SETTINGS: dict[str, dict[str, Any]] = {
    "mastodon": {"instance": "https://social.example"},
    "bluesky": {"handle": "kreis.bsky.social"},
    "telegram": {"chat": "@kreis"},
    "website": {},
    "x": {"user_id": "1460000000000000042"},
    "threads": {"user_id": "1234567890"},
    "instagram": {"user_id": "1784140000000000", "media_base_url": "https://media.example"},
    "facebook": {"page_id": "100000000000000"},
    "linkedin": {"organization": "urn:li:organization:12345"},
    "xing": {},
    "whatsapp": {"service_url": "https://wa.example", "template": {"name": "kreis_news"}},
    "whatsapp_channel": {},
    "manual": {"host": "amtsblatt.example"},
}
ERROR_TREE = (AuthFailed, Rejected, RateLimited, Transient)
IMAGE = "media/bild.png"


def secret_value(key: str) -> str:
    """Unlike anything else in a request, with characters that URL-encoding changes."""
    return f"sekrit-{key.upper()}-123/+="


def _adapter_types() -> list[str]:
    found = []
    for channel_type in CHANNEL_TYPES:
        try:
            cls = adapter_class(channel_type)
            if cls is not None and cls.uses_network:  # the website writes local files only
                found.append(channel_type)
        except Exception:  # reported by test_every_channel_module_imports
            continue
    return found


ADAPTER_TYPES = _adapter_types()


# --- the failing platform -------------------------------------------------------------------


def echo(request: httpx.Request) -> dict[str, str]:
    """An error body that repeats the request (URL and Authorization), as some servers do."""
    said = f"cannot handle {request.url} ({request.headers.get('authorization', '')})"
    return {"error": said, "error_description": said, "description": said, "message": said}


def raising(kind: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise kind(f"failed: {request.url}", request=request)

    return handler


def answering(
    status: int, headers: dict[str, str] | None = None, *, text: str | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=echo(request), headers=headers)

    return handler


@dataclass(frozen=True)
class Failure:
    handler: Callable[[httpx.Request], httpx.Response]
    error: type[DeliveryError]
    maybe_sent: bool | None = None  # for Transient: whether the post may exist now


FAILURES = {
    "connect": Failure(raising(httpx.ConnectError), Transient, maybe_sent=False),
    "timeout": Failure(raising(httpx.ReadTimeout), Transient, maybe_sent=True),
    "401": Failure(answering(401), AuthFailed),
    "403": Failure(answering(403), AuthFailed),
    "429-retry-after": Failure(answering(429, {"Retry-After": "30"}), RateLimited),
    "429-no-hint": Failure(answering(429), RateLimited),
    "500": Failure(answering(500), Transient, maybe_sent=True),
    "invalid-json": Failure(answering(200, text="<html>Wartung</html>"), Transient, True),
}


# --- channels, variants and the Http they send with -----------------------------------------


def channel_config(channel_type: str) -> ChannelConfig:
    secrets = {key: SecretRef(key.upper()) for key in spec(channel_type).secrets}
    return ChannelConfig(channel_type, channel_type, {**SETTINGS[channel_type], **secrets})


def secrets_of(channel_type: str) -> dict[str, str]:
    return {key: secret_value(key) for key in spec(channel_type).secrets}


def make_adapter(channel_type: str, root: Path) -> Adapter:
    cls = adapter_class(channel_type)
    assert cls is not None
    return cls(channel_config(channel_type), root, root / "state")


def variant(channel_type: str, shape: str) -> Variant:
    text = "Der Kreistag tagt am Mittwoch um 17 Uhr im Landratsamt."
    caps = spec(channel_type).capabilities
    media = (Media(IMAGE, alt="Das Landratsamt von vorn"),) if shape == "image" else ()
    return Variant(
        post_id="kreistag",
        channel=channel_type,
        channel_type=channel_type,
        parts=(Part(text=text, length=len(text)),),
        limit=caps.max_length,
        unit=caps.unit,
        media=media,
    )


def write_image(root: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 48.1374,11.5755")
    (root / IMAGE).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), "green").save(root / IMAGE, "PNG", pnginfo=info)


def failing_http(channel_type: str, failure: Failure) -> Http:
    policy = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.01, max_rate_wait=5.0)
    return Http(
        make_client(httpx.MockTransport(failure.handler)),
        channel=channel_type,
        secrets=secrets_of(channel_type),
        clock=FakeClock().clock(),
        policy=policy,
    )


def secret_forms(channel_type: str) -> set[str]:
    forms = set()
    for value in secrets_of(channel_type).values():
        forms |= {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
        forms.add(httpx.URL(f"https://x.example/{value}").raw_path.decode()[1:])
    return forms


def leaks(channel_type: str, text: str) -> list[str]:
    return [form for form in secret_forms(channel_type) if form in text]


# --- the contract ---------------------------------------------------------------------------


@pytest.mark.parametrize("channel_type", list(CHANNEL_TYPES))
def test_every_channel_module_imports(channel_type: str) -> None:
    """A module that fails to import would silently drop out of the suite below."""
    found = adapter_class(channel_type)
    assert found is None or issubclass(found, Adapter)


@pytest.mark.parametrize("shape", ["text", "image"])
@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("channel_type", ADAPTER_TYPES)
def test_a_failing_platform_gives_errors_from_the_tree_without_secrets(
    channel_type: str,
    failure: str,
    shape: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    write_image(tmp_path)
    expected = FAILURES[failure]
    adapter = make_adapter(channel_type, tmp_path)
    payload = adapter.prepare(variant(channel_type, shape), "0123abcd", created_at=T0)
    caplog.set_level(logging.DEBUG)
    try:
        adapter.send(payload, failing_http(channel_type, expected), MemoryProgress())
    except Exception as exc:  # what escapes is exactly what is checked
        error = exc
    else:
        pytest.fail(f"{channel_type} reported success from a platform that always fails")
    assert isinstance(error, ERROR_TREE), f"{type(error).__name__} escaped: {error!r}"
    assert isinstance(error, expected.error), f"{type(error).__name__}: {error}"
    if expected.maybe_sent is not None and isinstance(error, Transient):
        assert error.maybe_sent is expected.maybe_sent, str(error)
    assert not leaks(channel_type, f"{error!s}\n{error!r}\n{error.hint or ''}\n{error.args}")
    assert not leaks(channel_type, "\n".join(r.getMessage() for r in caplog.records))


@pytest.mark.parametrize("channel_type", ADAPTER_TYPES)
def test_the_client_log_holds_no_secret(
    channel_type: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = make_adapter(channel_type, tmp_path)
    payload = adapter.prepare(variant(channel_type, "text"), "0123abcd", created_at=T0)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ERROR_TREE):
        adapter.send(payload, failing_http(channel_type, FAILURES["500"]), MemoryProgress())
    assert caplog.records, "the client logs its requests: nothing to check otherwise"
    assert not leaks(channel_type, caplog.text)


@pytest.mark.parametrize("shape", ["text", "image"])
@pytest.mark.parametrize("channel_type", ADAPTER_TYPES)
def test_prepare_is_pure_deterministic_and_secret_free(
    channel_type: str, shape: str, tmp_path: Path
) -> None:
    """No file is read (the image does not exist), no clock: equal input, equal payload."""
    first = make_adapter(channel_type, tmp_path).prepare(
        variant(channel_type, shape), "0123abcd", created_at=T0
    )
    again = make_adapter(channel_type, tmp_path).prepare(
        variant(channel_type, shape), "0123abcd", created_at=T0
    )
    assert first == again
    data = json.dumps(first.as_dict(), ensure_ascii=False, default=str)
    assert json.loads(data)["messages"], "a payload sends at least one message"
    assert not leaks(channel_type, data)


def test_the_suite_covers_the_adapters_that_exist() -> None:
    assert "telegram" in ADAPTER_TYPES
    assert all(t in SETTINGS for t in CHANNEL_TYPES), "add the new type's minimal settings"
