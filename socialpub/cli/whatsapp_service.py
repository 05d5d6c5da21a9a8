"""`socialpub whatsapp serve` and `socialpub whatsapp templates`: the service itself and the
account's templates. The real clock is made here and passed in."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialpub.cli.common import ConfigOption, JsonOption, guarded, load
from socialpub.cli.whatsapp_admin import ChannelOption, server_settings, whatsapp_channel
from socialpub.errors import ConfigError
from socialpub.i18n import _

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from socialpub.content.config import ChannelConfig, Config
    from socialpub.content.whatsappserver import ServerSettings
    from socialpub.whatsapp.webhook import TextSender

HostOption = Annotated[
    str, typer.Option("--host", help=_("Address to listen on (behind the proxy)."))
]
PortOption = Annotated[int, typer.Option("--port", help=_("Port to listen on."))]


def wall_clock() -> datetime:
    return datetime.now(UTC)


@guarded
def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8787,
    channel: ChannelOption = None,
    config: ConfigOption = None,
) -> None:
    """Run the subscriber service: Meta's webhook, the broadcast API and the fan-out."""
    from socialpub.whatsapp.service import serve

    serve(service_app(load(config), channel, os.environ, wall_clock), host, port)


def service_app(
    cfg: Config, channel: str | None, environ: Mapping[str, str], now: Callable[[], datetime]
) -> Starlette:
    """The service's app for the config's whatsapp channel, secrets from `environ`."""
    from socialpub.content.whatsappserver import read_server
    from socialpub.whatsapp.fanout import FanoutSettings
    from socialpub.whatsapp.service import ServiceConfig, build_app
    from socialpub.whatsapp.webhook import webhook_routes

    chosen = whatsapp_channel(cfg, channel)
    settings = read_server(chosen, environ, cfg.root)
    app_secret = settings.app_secret.resolve(environ, chosen.name)
    verify_token = settings.verify_token.resolve(environ, chosen.name)
    service = ServiceConfig(
        store=settings.store,
        graph_base=settings.graph_base,
        phone_number_id=settings.phone_number_id,
        waba_id=settings.waba_id,
        access_token=settings.access_token.resolve(environ, chosen.name),
        service_token=_service_token(chosen, environ),
        fanout=FanoutSettings(
            rate=settings.rate,
            daily_limit=settings.daily_limit,
            free_text_in_window=settings.free_text_in_window,
        ),
        confirm_within=settings.confirm_within,
    )

    def webhook(conn: Any, api: TextSender, on_statuses: Any) -> Any:
        return webhook_routes(
            conn,
            settings,
            app_secret=app_secret,
            verify_token=verify_token,
            now=now,
            sender=api,
            on_statuses=on_statuses,
        )

    return build_app(service, now, webhook_routes=webhook)


def _service_token(channel: ChannelConfig, environ: Mapping[str, str]) -> str:
    from socialpub.content.config import SecretRef

    ref = channel.settings.get("service_token")
    if not isinstance(ref, SecretRef):
        raise ConfigError(
            _("channels.{name}.service_token: an ${{ENV}} reference is needed").format(
                name=channel.name
            ),
            hint=_("service_token: ${WHATSAPP_SERVICE_TOKEN}"),
        )
    return ref.resolve(environ, channel.name)


@guarded
def templates_command(
    channel: ChannelOption = None, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """List the account's message templates and their status, from the Graph API."""
    import json

    from socialpub.whatsapp.cloudapi import CloudApi

    cfg = load(config)
    chosen = whatsapp_channel(cfg, channel)
    settings: ServerSettings = server_settings(cfg, channel)
    api = CloudApi(
        graph_base=settings.graph_base,
        phone_number_id=settings.phone_number_id,
        waba_id=settings.waba_id,
        access_token=settings.access_token.resolve(os.environ, chosen.name),
    )

    async def listing() -> list[Any]:
        try:
            return await api.templates()
        finally:
            await api.aclose()

    import asyncio  # ~20 ms with ssl: only for this command

    found = asyncio.run(listing())
    rows = [
        {
            "name": t.name,
            "language": t.language,
            "status": t.status,
            "category": t.category,
            "parameters": t.parameters,
        }
        for t in found
    ]
    if as_json:
        typer.echo(json.dumps({"templates": rows}, ensure_ascii=False))
        return
    if not rows:
        typer.echo(_("no templates on this WhatsApp Business account"))
    for row in rows:
        typer.echo(
            _("{row}  {row2}  {row3}  {row4}  {row5} body parameter(s)").format(
                row=row["name"],
                row2=row["language"],
                row3=row["status"],
                row4=row["category"],
                row5=row["parameters"],
            )
        )
