"""Writing the files of `socialpub init --ci KIND` (what they hold: ci_github, ci_gitlab)."""

from __future__ import annotations

from pathlib import Path

from socialpub.content.ci import CiContext, CiKind
from socialpub.content.ci_github import github_files
from socialpub.content.ci_gitlab import gitlab_files
from socialpub.content.scaffold import write_missing


def ci_files(kind: CiKind, ctx: CiContext) -> dict[str, str]:
    """Relative path → text of the files `init --ci KIND` writes."""
    return github_files(ctx) if kind is CiKind.github else gitlab_files(ctx)


def write_ci(directory: Path, kind: CiKind, ctx: CiContext) -> tuple[list[Path], list[Path]]:
    """Write the files that do not exist yet; returns (created, kept)."""
    files = {directory / relative: text for relative, text in ci_files(kind, ctx).items()}
    return write_missing(files)
