"""The repository's files: press officers' text read as UTF-8 (with or without BOM, LF or CRLF
line ends), and files written atomically, so a crash leaves the old or the new file, never half."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from socialpub.i18n import _


@dataclass(frozen=True)
class DecodeProblem(Exception):
    line: int
    column: int
    message: str


def decode(data: bytes) -> str:
    """UTF-8 text with the BOM dropped and line ends normalised to "\\n".

    Raises DecodeProblem naming the line and column of the first invalid byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DecodeProblem(
            line,
            column,
            _("not valid UTF-8 (byte 0x{data:02x} at line {line}, column {column})").format(
                data=data[exc.start], line=line, column=column
            ),
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint like "did you mean 'channels'?" or "" when nothing is close."""
    import difflib  # only when something is misspelt

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _("did you mean {close!r}?").format(close=close[0]) if close else ""


def private_folder(path: Path) -> Path:
    """`path` made for the owner only (0700), with a `.gitignore` of `*` so git never sees
    what is kept there, even in a repository whose own .gitignore forgot it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    ignore = path / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# socialpub's private state: never committed\n*\n", encoding="utf-8")
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over the target, fsync the folder."""
    import tempfile  # ~5 ms to import, and most runs write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@contextlib.contextmanager
def opened_folder(folder: Path) -> Iterator[int | None]:
    """`folder` as a file descriptor for `os.stat(name, dir_fd=…)`, which resolves only the
    names below it: thousands of stats of whole paths cost a fifth more. None when there is
    no such folder."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield None
        return
    try:
        yield fd
    finally:
        os.close(fd)
