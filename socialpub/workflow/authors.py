"""Who wrote a post: everyone who committed a change to its file or its media, from git.

The front matter's `author:` is text anyone can type; git's history is what the four-eyes
rule trusts. A file with uncommitted changes also counts the person about to commit them
(git's configured identity).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from socialpub.content.gitrepo import git, inside_work_tree

_IDENT = re.compile(r"^(.*)<([^<>]*)>\s+\d+\s+[+-]\d{4}$")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str  # lower case

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def current_identity(root: Path) -> Identity:
    """The identity git would write into a commit here (config or GIT_AUTHOR_* variables);
    empty when git has none."""
    ident = git(root, "var", "GIT_AUTHOR_IDENT", allow=(128,)).stdout.strip()
    match = _IDENT.match(ident)
    if not match:
        return Identity("", "")
    return Identity(match.group(1).strip(), match.group(2).strip().lower())


def uncommitted(root: Path, files: Sequence[str]) -> bool:
    """Whether any of `files` has changes git has not committed (or is not committed yet)."""
    changed = git(root, "status", "--porcelain", "--untracked-files=all", "--", *files)
    return bool(changed.stdout.strip())


def authors(root: Path, files: Sequence[str]) -> frozenset[str]:
    """The e-mail addresses (lower case) of everyone who changed `files` (the post file
    first, followed through renames), plus git's identity when one of them has uncommitted
    changes or is not committed yet. Empty outside a git work tree."""
    if not files or not inside_work_tree(root):
        return frozenset()
    found: set[str] = set()
    for index, file in enumerate(files):
        follow = ("--follow",) if index == 0 else ()
        log = git(root, "log", "--format=%ae", *follow, "--", file, allow=(128,))
        found.update(line.strip().lower() for line in log.stdout.splitlines() if line.strip())
    if uncommitted(root, files):
        email = current_identity(root).email
        if email:
            found.add(email)
    return frozenset(found)
