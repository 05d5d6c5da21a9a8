"""Who changed which file, from git: one `git log` for a whole folder, renames followed.

The audit asks this for every post at once; a `git log --follow` per file would start git
ten thousand times in a large repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from socialpub.content.gitrepo import git, inside_work_tree

_FIELD, _RECORD = "\x1f", "\x1e"
_FORMAT = f"{_RECORD}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI{_FIELD}%s"


@dataclass(frozen=True)
class Change:
    """One commit that touched a file."""

    commit: str
    name: str
    email: str
    at: datetime
    subject: str

    @property
    def who(self) -> str:
        return f"{self.name} <{self.email}>"


def changes_below(root: Path, folder: Path) -> Mapping[Path, tuple[Change, ...]]:
    """Every commit that touched each file under `folder` (relative to `root`), oldest first,
    filed under the file's current name. Empty outside a git work tree."""
    if not inside_work_tree(root):
        return {}
    done = git(
        root,
        "log",
        "--no-color",
        "-M",
        "--name-status",
        f"--format={_FORMAT}",
        "--",
        str(folder),
        allow=(128,),  # a repository without commits yet
    )
    if done.returncode:
        return {}
    return _parse(done.stdout)


def _parse(text: str) -> dict[Path, tuple[Change, ...]]:
    renamed: dict[str, str] = {}  # an older name → the file's current name
    found: dict[str, list[Change]] = {}
    for chunk in text.split(_RECORD)[1:]:  # newest commit first
        head, _, files = chunk.partition("\n")
        commit, name, email, at, subject = head.split(_FIELD, 4)
        change = Change(commit, name, email, datetime.fromisoformat(at), subject)
        for line in filter(None, files.splitlines()):
            status, *paths = line.split("\t")
            current = renamed.get(paths[-1], paths[-1])
            if status.startswith("R") and len(paths) == 2:
                renamed[paths[0]] = current
            found.setdefault(current, []).append(change)
    return {Path(path): tuple(reversed(changes)) for path, changes in found.items()}
