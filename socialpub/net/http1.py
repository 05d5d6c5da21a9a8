"""A lean HTTP/1.1 client on asyncio streams: keep-alive connections to one origin.

Why not httpx here: the WhatsApp fan-out sends one request per recipient, up to 1,000 a
second, and httpx spends ~1.2 ms CPU on each — more than the service may spend on the whole
message. This client does only what the Cloud API needs (GET and POST, Content-Length or
chunked answers, TLS, `HTTPS_PROXY` through CONNECT) for ~0.1 ms.

It tells apart what the caller must know about a failure: `NotSent` (no connection: the
request never left) and `NoAnswer` (it was written, or may have been, and no full answer
came: the server may have acted on it). Nothing is ever retried here.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

MAX_HEAD = 64 * 1024  # a status line and headers longer than this are no answer
MAX_BODY = 16 * 1024 * 1024
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is reused; servers drop idle ones
_NO_BODY = frozenset({204, 304})


class NotSent(Exception):
    """The request never left this machine (connect, TLS, proxy or pool timeout)."""


class NoAnswer(Exception):
    """The request went out (or may have) and no complete answer came back."""


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 20.0
    write: float = 10.0
    pool: float = 30.0  # waiting for a free connection


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-case; a repeated header keeps the last value
    body: bytes


def _loop_time() -> float:
    """The event loop's clock (as the pacer's): keep-alive ages, no wall time."""
    return asyncio.get_running_loop().time()


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = field(default_factory=_loop_time)

    def reusable(self) -> bool:
        fresh = _loop_time() - self.idle_since < KEEPALIVE_EXPIRY
        return fresh and not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Origin:
    """Up to `size` keep-alive connections to the origin of `base_url` (http or https)."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: dict[str, str],
        size: int = 32,
        timeouts: Timeouts = Timeouts(),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        url = urllib.parse.urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.https = url.scheme == "https"
        self.host = url.hostname
        self.port = url.port or (443 if self.https else 80)
        self.timeouts = timeouts
        self._ssl = (ssl_context or ssl.create_default_context()) if self.https else None
        self._proxy = _proxy_for(url.scheme, self.host)
        host = self.host if url.port is None else f"{self.host}:{self.port}"
        fixed = {"Host": host, "Accept": "*/*", "Accept-Encoding": "identity"} | headers
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fixed.items())
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Connection] = []
        self._closed = False

    async def request(
        self, method: str, target: str, body: bytes | None = None, content_type: str = ""
    ) -> Answer:
        """`target` is the path and query ("/v23.0/1/messages"). Raises NotSent, NoAnswer."""
        self._follow_loop()
        try:
            await asyncio.wait_for(self._slots.acquire(), self.timeouts.pool)
        except TimeoutError:
            raise NotSent("no free connection (pool timeout)") from None
        try:
            connection = await self._connection()
            reuse = False
            try:
                answer, reuse = await self._exchange(connection, method, target, body, content_type)
            finally:
                self._put_back(connection, reuse)
            return answer
        finally:
            self._slots.release()

    def _follow_loop(self) -> None:
        """Connections and the limit belong to one event loop; a client used again from
        another one (each `asyncio.run` of a command) starts afresh there."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None:
            for connection in self._idle:
                with contextlib.suppress(RuntimeError):  # that loop is closed: it went with it
                    connection.close()
            self._idle = []
            self._slots = asyncio.Semaphore(self._size)
        self._loop = loop

    async def aclose(self) -> None:
        self._follow_loop()
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            with contextlib.suppress(OSError):
                await connection.writer.wait_closed()

    def _put_back(self, connection: _Connection, reuse: bool) -> None:
        if reuse and not self._closed:
            connection.idle_since = _loop_time()
            self._idle.append(connection)
        else:
            connection.close()

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        try:
            reader, writer = await asyncio.wait_for(self._open(), self.timeouts.connect)
        except (OSError, TimeoutError, ssl.SSLError, ValueError, NotSent) as error:
            raise NotSent(f"connection failed ({type(error).__name__})") from None
        return _Connection(reader, writer)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._proxy is None:
            return await asyncio.open_connection(
                self.host, self.port, ssl=self._ssl, limit=MAX_HEAD
            )
        proxy_host, proxy_port = self._proxy
        reader, writer = await asyncio.open_connection(proxy_host, proxy_port, limit=MAX_HEAD)
        if self._ssl is not None:  # a tunnel: CONNECT, then TLS with the origin inside it
            writer.write(
                f"CONNECT {self.host}:{self.port} HTTP/1.1\r\n"
                f"Host: {self.host}:{self.port}\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            if head.split(b" ", 2)[1:2] != [b"200"]:
                writer.close()
                raise NotSent(f"the proxy refused the tunnel: {head[:60]!r}")
            await writer.start_tls(self._ssl, server_hostname=self.host)
        return reader, writer

    async def _exchange(
        self,
        connection: _Connection,
        method: str,
        target: str,
        body: bytes | None,
        content_type: str,
    ) -> tuple[Answer, bool]:
        """Write the request, read the answer; (answer, whether the connection may be reused)."""
        if self._proxy is not None and self._ssl is None:  # plain HTTP through a proxy
            target = f"http://{self.host}:{self.port}{target}"
        head = f"{method} {target} HTTP/1.1\r\n{self._head}"
        if body is not None:
            kind = f"Content-Type: {content_type}\r\n" if content_type else ""
            head += f"{kind}Content-Length: {len(body)}\r\n"
        writer = connection.writer
        try:
            writer.write(head.encode("latin-1") + b"\r\n" + (body or b""))  # one segment
            await asyncio.wait_for(writer.drain(), self.timeouts.write)
            async with asyncio.timeout(self.timeouts.read):
                return await read_answer(connection.reader)
        except (OSError, TimeoutError, EOFError, ValueError, asyncio.LimitOverrunError) as error:
            raise NoAnswer(f"no answer ({type(error).__name__})") from None


async def read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """One response. IncompleteReadError is an EOFError; a malformed one a ValueError."""
    head = await reader.readuntil(b"\r\n\r\n")
    line, *lines = head[:-4].decode("latin-1").split("\r\n")
    version, code, *_ = line.split(" ", 2)
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ValueError("not an HTTP/1.x status line")
    status = int(code)
    headers: dict[str, str] = {}
    for header in lines:
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if status in _NO_BODY or 100 <= status < 200:
        return Answer(status, headers, b""), keep
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if not 0 <= length <= MAX_BODY:
            raise ValueError(f"Content-Length {length}")
        body = await reader.readexactly(length)
    else:  # the body ends with the connection
        body, keep = await reader.read(MAX_BODY), False
    return Answer(status, headers, body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        length = int(line.split(b";", 1)[0].strip(), 16)
        if length == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        size += length
        if size > MAX_BODY:
            raise ValueError("chunked body too large")
        parts.append(await reader.readexactly(length))
        await reader.readexactly(2)  # the chunk's CRLF


def _proxy_for(scheme: str, host: str) -> tuple[str, int] | None:
    """The proxy from HTTPS_PROXY / HTTP_PROXY for this URL, unless NO_PROXY names its host."""
    proxy = urllib.request.getproxies_environment().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if parsed.scheme != "http" or not parsed.hostname:
        raise ValueError(f"{scheme}_proxy: only http:// proxies are supported, not {proxy}")
    return parsed.hostname, parsed.port or 80
