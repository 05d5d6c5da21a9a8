"""One way for tests to run an HTTP server on 127.0.0.1 (a free port) in a thread: an
http.server handler (`serving`, `ServerThread`) or an ASGI app on uvicorn (`AppThread`)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now (for a server whose address must be known
    before it starts, such as a webhook URL)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve with `handler` until the block ends; yields the origin, http://127.0.0.1:PORT."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietServer(ThreadingHTTPServer):
    """A fake platform's server: `owner` is the fake its handlers answer for. A client that
    gave up or was killed is part of a test, not an error."""

    daemon_threads = True  # an answer held back on purpose must not block stop()

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler], owner: object) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ServerThread:
    """A QuietServer on 127.0.0.1 (a free port), serving in a thread until `stop()`."""

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler], owner: object) -> None:
        self.server = QuietServer(handler, owner)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


class AppThread:
    """An ASGI app served by uvicorn on 127.0.0.1:`port` in a thread, from `start()` (which
    waits until it listens) to `stop()` (what uvicorn does on SIGTERM: the lifespan ends)."""

    def __init__(self, app: Any, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, timeout: float = 10) -> AppThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the app on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 40) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the app on {self.url} did not stop"
