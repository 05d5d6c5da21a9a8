"""The `socialpub` command line: the typer app and its commands, one module per area."""

from __future__ import annotations

import copy
import sys

from typer import Typer
from typer.models import CommandInfo

from socialpub.cli import (
    approve,
    audit,
    calendar,
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
from socialpub.i18n import _


def main() -> None:
    try:
        app_for(sys.argv[1:])()
    except SocialpubError as exc:  # pragma: no cover - commands are guarded
        print(_("error: {exc}").format(exc=exc), file=sys.stderr)
        sys.exit(exc.exit_code)


def app_for(args: list[str]) -> Typer:
    """The app with only the command that `args` run, when they name one: typer reads the
    signature and type hints of every command it builds (about a millisecond each), which
    every run would pay for the whole tree. `--version` gets none; anything else (`--help`,
    a typo) gets the whole app, so help and errors list every command."""
    name = args[0] if args else ""
    commands = [info for info in app.registered_commands if _command_name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups and name != "--version":  # --version needs no command
        return app
    single = copy.copy(app)
    single.registered_commands = commands
    single.registered_groups = groups
    return single


def _command_name(info: CommandInfo) -> str:
    if info.name:
        return info.name
    callback = info.callback
    return callback.__name__.lower().replace("_", "-") if callback else ""


__all__ = [
    "EXIT_USAGE",
    "Platform",
    "app",
    "app_for",
    "approve",
    "audit",
    "calendar",
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
