"""The `socialpub` command line: the typer app and its commands, one module per area."""

from __future__ import annotations

import sys

from socialpub.cli import (
    approve,
    audit,
    content,
    correct,
    doctor,
    manual,
    pause,
    publishing,
    site,
    whatsapp,
)
from socialpub.cli.common import Platform, app
from socialpub.errors import EXIT_USAGE, SocialpubError


def main() -> None:
    try:
        app()
    except SocialpubError as exc:  # pragma: no cover - commands are guarded
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)


__all__ = [
    "EXIT_USAGE",
    "Platform",
    "app",
    "approve",
    "audit",
    "content",
    "correct",
    "doctor",
    "main",
    "manual",
    "pause",
    "publishing",
    "site",
    "whatsapp",
]
