"""Polite GET requests for sources: conditional, size-bounded, failures as SourceFailed.

`get` is for the URLs the config names (feeds, APIs): a redirect is reported, so the press
office updates the config. `get_checked` is for URLs a feed names (media): it follows a few
redirects itself and lets a `Guard` refuse every host and every connection on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from socialpub.i18n import _

#: a feed or API answer larger than this is not a feed we want (a few hundred kB is usual)
MAX_BODY_BYTES = 10_000_000
#: redirects `get_checked` follows (a CDN often redirects once or twice)
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class SourceFailed(Exception):
    """This source cannot be fetched now; the reason is shown to the user."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(reason)
        self.status = status  # the HTTP status when the server refused


class Refused(SourceFailed):
    """A URL that must not be fetched, e.g. an image on an internal address."""

    def __init__(self, detail: str, hint: str = "") -> None:
        super().__init__(f"refused: {detail}" + (f"; {hint}" if hint else ""))
        self.detail = detail
        self.hint = hint


class Guard(Protocol):
    """Which hosts and addresses `get_checked` may use; its checks raise Refused."""

    def check_host(self, host: str) -> None: ...

    def check_peer(self, host: str, peer: str) -> None: ...


@dataclass(frozen=True)
class Answer:
    status: int  # 200 or 304
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def get(
    client: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    params: dict[str, str] | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> Answer:
    """GET with If-None-Match / If-Modified-Since; a 304 comes back as an empty Answer."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with _failures(), client.stream("GET", url, params=params, headers=headers) as response:
        _check_status(response)
        if response.status_code == 304:
            return _answer(response, b"")
        return _answer(response, read_bounded(response, max_bytes))


def get_checked(
    client: httpx.Client,
    url: str,
    guard: Guard,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Answer:
    """GET that asks `guard` about the host of the URL and of every redirect target before
    requesting it, and about the address each new connection went to."""
    for hop in range(max_redirects + 1):
        host = _checked_host(url, guard, redirected=hop > 0)
        trace = {"trace": peer_check(guard, host)}
        with _failures(), client.stream("GET", url, extensions=trace) as response:
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or location is None:
                _check_status(response)
                return _answer(response, read_bounded(response, max_bytes))
            url = _target(response.url, location)
    raise SourceFailed(_("more than {max_redirects} redirects").format(max_redirects=max_redirects))


def _target(base: httpx.URL, location: str) -> str:
    try:
        return str(base.join(location))
    except httpx.InvalidURL:
        raise SourceFailed(
            _("redirect to an invalid URL: {location}").format(location=location)
        ) from None


def _checked_host(url: str, guard: Guard, *, redirected: bool) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise SourceFailed(_("not a valid URL: {url}").format(url=url)) from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise SourceFailed(
            _("not an http(s) URL: {url}").format(url=url)
            if redirected
            else _("not an http(s) URL")
        )
    host = parsed.raw_host.decode("ascii")
    try:
        guard.check_host(host)
    except Refused as refused:
        if redirected:
            raise Refused(f"redirect to {url}: {refused.detail}", refused.hint) from None
        raise
    return host


def peer_check(guard: Guard, host: str) -> Callable[[str, dict[str, Any]], None]:
    """httpcore's `trace` hook: checks the address a new connection went to, before TLS
    and before a byte of the request is sent.

    The host was checked just before, but DNS may answer differently when the connection
    resolves it again (DNS rebinding). Making httpx connect to the address we checked would
    need a private hook (httpcore's network backend) or the address in the URL, which breaks
    TLS and lets pooled connections of one host serve another; the documented trace hook sees
    the connection itself. A connection that goes to another host is a proxy from the
    environment (HTTPS_PROXY): that is the county's own, and it is not checked. A connection
    kept open from an earlier request was checked then, or goes to a host of the config.
    """
    direct = False

    def trace(event: str, info: dict[str, Any]) -> None:
        nonlocal direct
        if event == "connection.connect_tcp.started":
            direct = info.get("host") == host
        elif event == "connection.connect_tcp.complete" and direct:
            stream = info["return_value"]
            peer = stream.get_extra_info("server_addr")
            try:
                if not peer:
                    raise Refused(f"cannot tell which address the connection to {host} went to")
                guard.check_peer(host, str(peer[0]))
            except Refused:
                stream.close()
                raise

    return trace


@contextmanager
def _failures() -> Iterator[None]:
    """httpx's errors as SourceFailed, with the reason the user sees."""
    try:
        yield
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise SourceFailed(reason) from None


def _answer(response: httpx.Response, body: bytes) -> Answer:
    return Answer(
        status=response.status_code,
        body=body,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", ""),
        last_modified=response.headers.get("last-modified", ""),
    )


def read_bounded(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, but SourceFailed as soon as it grows beyond max_bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceFailed(
            _("answer too large ({declared} bytes, at most {max_bytes})").format(
                declared=declared, max_bytes=max_bytes
            )
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceFailed(
                _("answer too large (more than {max_bytes} bytes)").format(max_bytes=max_bytes)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 304 or 200 <= status < 300:
        return
    if 300 <= status < 400:
        target = response.headers.get("location", "?")
        raise SourceFailed(
            _("HTTP {status}: moved to {target} (put the new URL in the config)").format(
                status=status, target=target
            )
        )
    raise SourceFailed(_("HTTP {status}").format(status=status), status)
