"""`socialpub whatsapp …`: the subscriber service on the county's server.

TODO(helpers): `serve` and `templates` (wa-outbound), `subscribers …` and `backup`
(wa-inbound). Heavy imports (uvicorn, starlette, sqlite) stay inside the commands: they must
not slow down `socialpub --version`.
"""

from __future__ import annotations

import typer

from socialpub.cli.common import app

whatsapp_app = typer.Typer(
    help="The WhatsApp subscriber service: opt-in by Start, opt-out by Stop, broadcasts.",
    no_args_is_help=True,
)
subscribers_app = typer.Typer(
    help="The subscriber list on this server (numbers are shown masked).",
    no_args_is_help=True,
)
whatsapp_app.add_typer(subscribers_app, name="subscribers")
app.add_typer(whatsapp_app, name="whatsapp")
