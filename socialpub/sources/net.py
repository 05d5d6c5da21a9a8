"""Polite GET requests for sources: conditional, size-bounded, failures as SourceFailed."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

#: a feed or API answer larger than this is not a feed we want (a few hundred kB is usual)
MAX_BODY_BYTES = 10_000_000


class SourceFailed(Exception):
    """This source cannot be fetched now; the reason is shown to the user."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(reason)
        self.status = status  # the HTTP status when the server refused


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
    try:
        with client.stream("GET", url, params=params, headers=headers) as response:
            _check_status(response)
            body = b"" if response.status_code == 304 else read_bounded(response, max_bytes)
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise SourceFailed(reason) from None
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
        raise SourceFailed(f"answer too large ({declared} bytes, at most {max_bytes})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceFailed(f"answer too large (more than {max_bytes} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 304 or 200 <= status < 300:
        return
    if 300 <= status < 400:
        target = response.headers.get("location", "?")
        raise SourceFailed(f"HTTP {status}: moved to {target} (put the new URL in the config)")
    raise SourceFailed(f"HTTP {status}", status)
