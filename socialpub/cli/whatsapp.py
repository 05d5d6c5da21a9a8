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

whatsapp_app = typer.Typer(
    help="The WhatsApp subscriber service: opt-in by Start, opt-out by Stop, broadcasts.",
    no_args_is_help=True,
)
whatsapp_app.add_typer(subscribers_app, name="subscribers")
whatsapp_app.command("backup")(backup_command)
whatsapp_app.command("serve")(serve_command)
whatsapp_app.command("templates")(templates_command)
app.add_typer(whatsapp_app, name="whatsapp")
