"""`socialpub whatsapp …`: the subscriber service on the county's server.

`serve` and `templates` live in `whatsapp_service.py`, `subscribers …` and `backup` in
`whatsapp_admin.py`. Heavy imports (uvicorn, starlette, sqlite) stay inside the commands: they must
not slow down `socialpub --version`.
"""

from __future__ import annotations

import typer

from socialpub.cli.common import app
from socialpub.cli.whatsapp_admin import backup_command, subscribers_app
from socialpub.cli.whatsapp_service import serve_command, templates_command
from socialpub.i18n import _

whatsapp_app = typer.Typer(
    help=_("The WhatsApp subscriber service: opt-in by Start, opt-out by Stop, broadcasts."),
    no_args_is_help=True,
)
whatsapp_app.add_typer(subscribers_app, name="subscribers")
whatsapp_app.command(
    "backup",
    help=_("Copy the subscriber store with SQLite's online backup (mode 0600), while it runs."),
)(backup_command)
whatsapp_app.command(
    "serve",
    help=_("Run the subscriber service: Meta's webhook, the broadcast API and the fan-out."),
)(serve_command)
whatsapp_app.command(
    "templates",
    help=_("List the account's message templates and their status, from the Graph API."),
)(templates_command)
app.add_typer(whatsapp_app, name="whatsapp")
