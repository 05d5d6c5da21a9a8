"""The fake Cloud API's HTTP/1.1 server: asyncio, one thread, keep-alive (tests/wafake.py).

Why not http.server's thread per connection: with 50 connections the threads queue for the
GIL, and a client that writes headers and body in two segments (httpx's async client) makes
each request wait for it once more — measured 120 msg/s instead of 1,200. One event loop has
no such queue. The fake's own work (`answer`) is short and runs on the loop; what may block
(the control calls of tests/wafake_remote.py) runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any, Protocol

from tests.wafake_rules import invalid
from tests.wafake_spec import WireRequest
from tests.wafake_wire import CONTROL, parse_json

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
REASONS |= {429: "Too Many Requests", 500: "Internal Server Error"}
MAX_HEAD = 64 * 1024


class Served(Protocol):
    """What the server needs of the fake."""

    hang: float
    control: Callable[[str, Any], tuple[int, Any]] | None

    def answer(self, request: WireRequest) -> tuple[int, dict[str, Any], str | None]: ...

    def record(self, request: WireRequest, status: int | None) -> None: ...


class AsyncServing:
    """Serves `owner` on 127.0.0.1 (`port`, or a free one) until `stop()`."""

    def __init__(self, owner: Served, port: int = 0) -> None:
        self.owner = owner
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(
            target=self._run, args=(port,), daemon=True, name="wafake-http"
        )
        self._thread.start()
        self._ready.wait(10)
        assert self._server is not None, "the fake's server did not start"
        self.port: int = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:  # open connections, answers held back
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop.call_soon(self._loop.stop)

    def _run(self, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", port, backlog=256)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._one(reader, writer, sock):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a client that gave up is part of a test
        finally:
            writer.close()

    async def _one(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock: Any
    ) -> bool:
        """Serve one request; whether the connection stays open."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # closed between requests
        if len(head) > MAX_HEAD:
            return False
        line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _version = line.split(" ", 2)
        headers: dict[str, str] = {}
        for header in lines:
            if ":" in header:
                name, value = header.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        body = await reader.readexactly(length) if length else None
        path, _, query = target.partition("?")
        keep = headers.get("connection", "").lower() != "close"
        owner = self.owner
        if path.startswith(CONTROL) and owner.control is not None:
            control: Callable[[str, Any], tuple[int, Any]] = owner.control
            status, answer = await asyncio.to_thread(
                control, path.removeprefix(CONTROL), parse_json(body)
            )
            await self._write(writer, status, answer, keep)
            return keep
        request = WireRequest(method.lower(), path, query, headers, body)
        if body and parse_json(body) is None:
            status, answer, after = 400, invalid("the body is not valid JSON").body(), None
        else:
            status, answer, after = owner.answer(request)
        if after == "drop":  # accepted, then the connection goes before any answer: a reset
            owner.record(request, None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        owner.record(request, status)
        if after == "timeout":  # accepted, the answer held back past the client's timeout
            await asyncio.sleep(owner.hang)
        await self._write(writer, status, answer, keep)
        return keep

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, status: int, answer: Any, keep: bool) -> None:
        data = json.dumps(answer).encode()
        head = (
            f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            "content-type: application/json\r\n"
            f"content-length: {len(data)}\r\n"
            f"connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
        )
        writer.write(head.encode() + data)  # one write: nothing waits for an ACK
        await writer.drain()
