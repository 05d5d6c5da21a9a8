"""One `publish` at a time per repository: an advisory lock the OS releases even on SIGKILL."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from socialpub.errors import LedgerError
from socialpub.i18n import _
from socialpub.net.http import Clock

LOCK_FILE = Path(".socialpub") / "lock"
_POLL = 0.2


class RepoLock:
    """`with RepoLock(root, clock, wait=10):` — waits up to `wait` seconds, then gives up."""

    def __init__(self, root: Path, clock: Clock, *, wait: float) -> None:
        self.path = root / LOCK_FILE
        self._clock = clock
        self._wait = wait
        self._fd: int | None = None

    def __enter__(self) -> RepoLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = self._clock.monotonic() + self._wait
        while not _try_lock(fd):
            if self._clock.monotonic() >= deadline:
                holder = _holder(fd)
                os.close(fd)
                raise LedgerError(
                    _("another socialpub run is publishing from this repository{holder}").format(
                        holder=holder
                    ),
                    hint=_("wait until it has finished, then run again (nothing was sent)"),
                )
            self._clock.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f" (process {text})" if text.isdigit() else ""
