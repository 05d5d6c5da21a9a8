"""`socialpub whatsapp subscribers …` and `socialpub whatsapp backup`: the subscriber list on
the county's server. Numbers are shown masked, except in `export`, which answers one
person's request for what is held about their own number (DSGVO Art. 15)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import ConfigOption, JsonOption, guarded, load
from socialpub.errors import ConfigError, UsageError
from socialpub.i18n import _

if TYPE_CHECKING:
    import sqlite3

    from socialpub.content.config import ChannelConfig, Config
    from socialpub.content.whatsappserver import ServerSettings

subscribers_app = typer.Typer(
    help=_("The subscriber list on this server (numbers are shown masked)."),
    no_args_is_help=True,
)

ChannelOption = Annotated[
    str | None,
    typer.Option(
        "--channel",
        help=_("The whatsapp channel (default: the only one of type whatsapp)."),
        show_default=False,
    ),
]
NumberArgument = Annotated[str, typer.Argument(help=_("The number, with country code: +49 151 …"))]


def whatsapp_channel(config: Config, name: str | None) -> ChannelConfig:
    """The channel `--channel` names, else the config's only whatsapp channel."""
    found = [c for c in config.channels.values() if c.type == "whatsapp"]
    if name is not None:
        chosen = config.channels.get(name)
        if chosen is None or chosen.type != "whatsapp":
            names = ", ".join(c.name for c in found) or "(none)"
            raise UsageError(
                _("{name!r} is no whatsapp channel").format(name=name),
                hint=_("whatsapp channels: {names}").format(names=names),
            )
        return chosen
    if len(found) == 1:
        return found[0]
    if not found:
        raise ConfigError(
            _("the config has no channel of type whatsapp"),
            hint=_("add one with its server block (see README, WhatsApp)"),
        )
    raise UsageError(
        _("the config has several whatsapp channels"),
        hint=_("pick one with --channel: ") + ", ".join(c.name for c in found),
    )


def server_settings(config: Config, name: str | None) -> ServerSettings:
    from socialpub.content.whatsappserver import read_server

    return read_server(whatsapp_channel(config, name), os.environ, config.root)


def open_server_store(config_path: Path | None, name: str | None) -> sqlite3.Connection:
    from socialpub.whatsapp.store import open_store

    return open_store(server_settings(load(config_path), name).store)


@subscribers_app.command(
    "count",
    help=_("How many numbers receive broadcasts (and how many WhatsApp took off the list)."),
)
@guarded
def subscribers_count(
    channel: ChannelOption = None, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    from socialpub.cli import console
    from socialpub.whatsapp.subscribers import count

    counts = count(open_server_store(config, channel))
    if as_json:
        console.print_json({"active": counts.active, "inactive": counts.inactive})
        return
    sys.stdout.write(
        _("{active} subscribers ({inactive} inactive)\n").format(
            active=counts.active, inactive=counts.inactive
        )
    )


@subscribers_app.command(
    "export",
    help=_("Everything held about one number (DSGVO Art. 15), unmasked: for that person only."),
)
@guarded
def subscribers_export(
    number: NumberArgument,
    channel: ChannelOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.whatsapp.numbers import parse_number
    from socialpub.whatsapp.subscribers import export

    wa_id = parse_number(number)
    held = export(open_server_store(config, channel), wa_id)
    if as_json:
        console.print_json(held)
        return
    subscriber = held["subscriber"]
    lines = [f"number: +{wa_id}"]
    if subscriber is None:
        lines.append(_("subscriber: no"))
    else:
        lines += [f"{key}: {value}" for key, value in subscriber.items() if key != "wa_id"]
    lines.append(f"notice_sent_at: {held['notice_sent_at'] or '-'}")
    lines.append(f"broadcasts: {len(held['broadcasts'])}")
    for row in held["broadcasts"]:
        lines.append(f"  {row['broadcast']}: {row['state']} {row['sent_at'] or ''}".rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


@subscribers_app.command(
    "delete", help=_("Erase one number (DSGVO Art. 17): subscriber, broadcast rows, notice record.")
)
@guarded
def subscribers_delete(
    number: NumberArgument, channel: ChannelOption = None, config: ConfigOption = None
) -> None:
    from socialpub.whatsapp.numbers import mask, parse_number
    from socialpub.whatsapp.subscribers import delete

    wa_id = parse_number(number)
    removed = delete(open_server_store(config, channel), wa_id)
    sys.stdout.write(
        _(
            "{mask}: deleted {value}, {recipients} broadcast row(s){value2}\nWhatsApp cannot "
            "take back messages already delivered to the phone.\n"
        ).format(
            mask=mask(wa_id),
            value=_("the subscriber") if removed.subscriber else _("no subscriber"),
            recipients=removed.recipients,
            value2=_(", the notice record") if removed.notice else "",
        )
    )


@subscribers_app.command(
    "import",
    help=_("Add subscribers whose consent was given elsewhere; every row needs its consent date."),
)
@guarded
def subscribers_import(
    csv_file: Annotated[
        Path, typer.Argument(help=_("CSV with header: number,consent_at[,consent_ref,lang]."))
    ],
    channel: ChannelOption = None,
    config: ConfigOption = None,
) -> None:
    from socialpub.whatsapp.subscribers import import_consents, read_consents

    consents = read_consents(csv_file)  # checked whole before the store is touched
    added = import_consents(open_server_store(config, channel), consents)
    sys.stdout.write(
        _("imported {added} of {count} (the others were subscribed already)\n").format(
            added=added, count=len(consents)
        )
    )


def backup(
    file: Annotated[Path, typer.Argument(help=_("Where to write the copy (outside the repo)."))],
    force: Annotated[bool, typer.Option("--force", help=_("Overwrite FILE."))] = False,
    channel: ChannelOption = None,
    config: ConfigOption = None,
) -> None:
    """Copy the subscriber store with SQLite's online backup (mode 0600), while it runs."""
    from socialpub.whatsapp.store import open_store
    from socialpub.whatsapp.subscribers import backup as copy_store

    cfg = load(config)
    if file.resolve().is_relative_to(cfg.root.resolve()):
        raise ConfigError(
            _("{file} is inside the repository: phone numbers never go near git").format(file=file),
            hint=_("write the backup outside it, e.g. /var/backups/socialpub/whatsapp.sqlite3"),
        )
    copy_store(open_store(server_settings(cfg, channel).store), file, force=force)
    sys.stdout.write(_("backed up the subscriber store to {file}\n").format(file=file))


backup_command = guarded(backup)
