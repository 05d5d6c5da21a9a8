"""Commands that stop and restart all publishing at once: pause, resume; and what `status`
and `publish` say about a pause."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import ChannelOption, ConfigOption, JsonOption, app, guarded, load, now
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.workflow.pausefile import Pause

CommitOption = Annotated[
    bool,
    typer.Option("--commit", help=_("Commit the pause record to git (then push it).")),
]


@app.command(
    help=_("Stop all publishing (or one channel's) on every machine and CI run, until `resume`.")
)
@guarded
def pause(
    reason: Annotated[
        str,
        typer.Option("--reason", help=_("Why publishing stops (shown wherever the pause is).")),
    ],
    channel: ChannelOption = None,
    commit: CommitOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.content.config import require_channels
    from socialpub.errors import UsageError
    from socialpub.workflow import pausefile

    cfg = load(config)
    require_channels(cfg, channel or [])
    if not reason.strip():
        raise UsageError(_("--reason must say why publishing is paused"))
    by, email = pausefile.identity(cfg.root)
    added = pausefile.Pause(by, email, now(cfg), reason.strip(), tuple(channel or ()))
    pauses = pausefile.paused(pausefile.read_pauses(cfg.root), added)
    pausefile.write_pauses(cfg.root, pauses)
    if commit:
        pausefile.commit_pause(
            cfg.root,
            f"socialpub: pause {added.scope}: {added.reason}",
        )
    _report(pauses, as_json, changed=True, committed=commit)


@app.command(help=_("End a pause: the next `publish` sends (and schedules again) what waited."))
@guarded
def resume(
    channel: ChannelOption = None,
    commit: CommitOption = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.workflow import pausefile

    cfg = load(config)
    before = pausefile.read_pauses(cfg.root)
    pauses = pausefile.resumed(before, channel or [])
    pausefile.write_pauses(cfg.root, pauses)
    if commit and before:
        scope = _("publishing to ") + ", ".join(channel) if channel else "publishing"
        pausefile.commit_pause(cfg.root, f"socialpub: resume {scope}")
    if not before and not as_json:
        sys.stderr.write(_("nothing was paused\n"))
    _report(pauses, as_json, changed=bool(before), committed=commit and bool(before))


def _report(pauses: Sequence[Pause], as_json: bool, *, changed: bool, committed: bool) -> None:
    from socialpub.cli import console

    if as_json:
        console.print_json({"pauses": [p.as_dict() for p in pauses]})
        return
    print_pauses(pauses)
    if not pauses:
        sys.stdout.write(_("publishing is not paused\n"))
    if not changed:
        return
    if committed:
        sys.stderr.write(
            _("committed .socialpub/pause.json: push it, so every clone and CI run sees it\n")
        )
    else:
        sys.stderr.write(
            _("commit and push .socialpub/pause.json (or use --commit), so CI sees it\n")
        )


def print_pauses(pauses: Sequence[Pause]) -> None:
    for found in pauses:
        sys.stdout.write(found.line() + "\n")


def status_pauses(config: Config) -> Sequence[Pause]:
    from socialpub.workflow.pausefile import read_pauses

    return read_pauses(config.root)


def with_pause(rows: list[dict[str, object]], pauses: Sequence[Pause]) -> list[dict[str, object]]:
    """`status --json`: each row gets `pause`, the pause that stops its channel (or null)."""
    from socialpub.workflow.pause import pause_for

    for row in rows:
        found = pause_for(pauses, str(row["channel"]))
        row["pause"] = found.as_dict() if found else None
    return rows


def announce(config: Config) -> None:
    """`publish` while paused: one line per pause, on stderr (the run still exits 0)."""
    for found in status_pauses(config):
        sys.stderr.write(found.line() + "\n")
