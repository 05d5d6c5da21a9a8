"""`socialpub init --ci github|gitlab`: the CI pipelines of a posts repository.

The files are generated from the repository's config: the secrets each configured channel
reads (`${NAME}` settings) become the publishing job's environment. Existing files are
never overwritten.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import socialpub
from socialpub.content import gitrepo
from socialpub.content.config import Config, SecretRef

PYTHON_VERSION = "3.12"
DEFAULT_BRANCH = "main"
#: the first line of the preview comment: how a later run finds it to update it in place
PREVIEW_MARKER = "<!-- socialpub-preview -->"


class CiKind(enum.StrEnum):
    github = "github"
    gitlab = "gitlab"


@dataclass(frozen=True)
class CiContext:
    """What the generated pipelines depend on."""

    secrets: tuple[str, ...]  # environment variable names, in config order
    branch: str  # the branch that publishes (GitHub; GitLab uses $CI_DEFAULT_BRANCH)

    @property
    def pip_spec(self) -> str:
        """The socialpub that CI installs: the version that wrote the files."""
        return f"socialpub=={socialpub.__version__}"


def secret_names(config: Config) -> tuple[str, ...]:
    """Every environment variable a configured channel reads its secrets from."""
    names: dict[str, None] = {}
    for channel in config.channels.values():
        for key in sorted(channel.spec.secrets):
            ref = channel.settings.get(key)
            if isinstance(ref, SecretRef):
                names.setdefault(ref.env)
    return tuple(names)


def context(config: Config) -> CiContext:
    return CiContext(secret_names(config), _branch(config.root))


def _branch(root: Path) -> str:
    """The branch checked out now (`git init` names it after init.defaultBranch)."""
    if not gitrepo.git_installed() or not gitrepo.inside_work_tree(root):
        return DEFAULT_BRANCH
    done = gitrepo.git(root, "symbolic-ref", "--quiet", "--short", "HEAD", allow=(1, 128))
    return done.stdout.strip() or DEFAULT_BRANCH


def indent(lines: list[str], spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else "" for line in lines)
