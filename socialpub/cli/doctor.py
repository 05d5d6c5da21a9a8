"""`socialpub doctor`: one line per check of whether publishing will work, with its fix."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialpub.cli.common import ChannelOption, ConfigOption, JsonOption, app, guarded, load
from socialpub.errors import EXIT_DELIVERY, EXIT_OK, InputError

if TYPE_CHECKING:
    from socialpub.channels.probe import Finding


@app.command()
@guarded
def doctor(
    channel: ChannelOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check that publishing will work: config, secrets, tokens, quotas, clock, ledger."""
    from socialpub.channels.probe import Finding, Status
    from socialpub.cli.publishing import system_clock
    from socialpub.doctor.run import can_publish, diagnose

    try:
        cfg = load(config)
    except InputError as exc:  # the first check: said like the others, with its exit code
        _report([Finding("config", "", Status.error, _config_detail(exc), exc.hint or "")], as_json)
        raise typer.Exit(exc.exit_code) from None
    found = diagnose(cfg, os.environ, system_clock(cfg), channels=channel or ())
    _report(found, as_json)
    raise typer.Exit(EXIT_OK if can_publish(found) else EXIT_DELIVERY)


def _config_detail(exc: InputError) -> str:
    lines = [f"{Path(p.file).name}:{p.line}: {p.message}" for p in exc.problems[:5]]
    return "; ".join(lines) if lines else exc.message


def _report(found: list[Finding], as_json: bool) -> None:
    from socialpub.cli import console
    from socialpub.doctor.run import can_publish

    if as_json:
        checks = [f.as_dict() for f in found]
        console.print_json({"ok": can_publish(found), "checks": checks})
        return
    from socialpub.cli.console_doctor import print_findings

    print_findings(found, colour=console.use_colour(sys.stdout))
