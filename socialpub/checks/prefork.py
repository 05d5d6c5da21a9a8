"""Load the rendering code in a second process while this one reads the cache.

A re-validation after an edit spends most of its time on two independent things: reading
the cached results of every other file, and importing the renderer (Jinja2, regex,
markdown-it) to check the edited one. On a machine with two or more cores, a forked child
imports the renderer while the parent walks the posts and reads the cache; the parent then
hands it the files to check and takes back their entries. Where fork is missing (Windows),
on one core, or with other threads running (forking them is unsafe), nothing is forked and
the parent checks the files itself.
"""

from __future__ import annotations

import marshal
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

#: the parent's own way to check files, used in the child: (path, key, data) → (entry, digest)
Check = Callable[[Sequence[tuple[str, str, bytes | None]]], list[tuple[tuple[Any, ...], str]]]


class Prechecker:
    """A forked child that has loaded the renderer, waiting for files to check."""

    def __init__(self, pid: int, requests: int, results: int) -> None:
        self._pid = pid
        self._requests = requests
        self._results = results

    @classmethod
    def start(cls, warm_up: Callable[[], Check]) -> Prechecker | None:
        """Fork a child that runs `warm_up()` (the imports) and then checks what it is sent;
        None where forking is not worth it or not safe."""
        if not forking_helps():
            return None
        requests_r, requests_w = os.pipe()
        results_r, results_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(requests_w)
                os.close(results_r)
                check = warm_up()
                files = marshal.loads(_read_all(requests_r))  # noqa: S302 - from our parent
                _write_all(results_w, marshal.dumps(check(files)))
                code = 0
            finally:
                os._exit(code)
        os.close(requests_r)
        os.close(results_w)
        return cls(pid, requests_w, results_r)

    def check(
        self, files: Sequence[tuple[str, str, bytes | None]]
    ) -> list[tuple[tuple[Any, ...], str]] | None:
        """The child's results for `files`, in order; None if it failed (check here then)."""
        try:
            _write_all(self._requests, marshal.dumps(list(files)))
            os.close(self._requests)
            self._requests = -1
            data = _read_all(self._results)
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status != 0 or not data:
                return None
            found = marshal.loads(data)  # noqa: S302 - from our child
        except (OSError, ValueError, EOFError, TypeError):
            return None
        finally:
            self.close()
        return found if isinstance(found, list) and len(found) == len(files) else None

    def close(self) -> None:
        """Stop the child if it still runs (nothing to check after all)."""
        for fd in (self._requests, self._results):
            if fd >= 0:
                os.close(fd)
        self._requests = self._results = -1
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = 0


def forking_helps() -> bool:
    """Fork only where it exists, a second core runs the child, and no other thread runs
    (a forked child gets a copy of their locks, held or not)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
