"""One way for tests to run an HTTP server on 127.0.0.1 (a free port) in a thread."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
