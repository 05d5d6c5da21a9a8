"""The subscriber service as one ASGI app: the webhook routes (wa-inbound) and the broadcast
API, with the fan-out running in the app's lifespan. `serve` runs it with uvicorn, one worker:
SQLite has one writer. SIGTERM lets the requests in flight finish (their rows are written)
or stay `sending`; nothing claimed is lost, nothing is sent twice after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from socialpub.whatsapp.broadcast_api import BroadcastApi
from socialpub.whatsapp.cloudapi import CloudApi
from socialpub.whatsapp.events import StatusUpdate
from socialpub.whatsapp.fanout import Fanout, FanoutSettings
from socialpub.whatsapp.pacing import Pacer
from socialpub.whatsapp.statuses import apply_statuses
from socialpub.whatsapp.store import open_store
from socialpub.whatsapp.webhook import TextSender

log = logging.getLogger("socialpub.whatsapp")

OnStatuses = Callable[[tuple[StatusUpdate, ...]], None]
#: wa-inbound's webhook routes: given the store, the replies' sender and the status sink
WebhookRoutes = Callable[[sqlite3.Connection, TextSender, OnStatuses], Sequence[BaseRoute]]


class PacedReplies:
    """The webhook's replies through the Cloud API on the fan-out's pace: Meta's throughput
    counts every message of the number, replies included (130429 past it)."""

    def __init__(self, api: CloudApi, pacer: Pacer) -> None:
        self.api, self.pacer = api, pacer

    async def send_text(self, to: str, body: str) -> str:
        await self.pacer.wait()
        return await self.api.send_text(to, body)


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs, secrets resolved (the CLI reads them from the environment)."""

    store: Path
    graph_base: str
    phone_number_id: str
    waba_id: str
    access_token: str
    service_token: str
    fanout: FanoutSettings
    confirm_within: timedelta = timedelta(minutes=10)


def build_app(
    config: ServiceConfig,
    now: Callable[[], datetime],
    *,
    webhook_routes: WebhookRoutes | None = None,
) -> Starlette:
    """The app; the store is opened and the fan-out started when its lifespan begins."""
    conn = open_store(config.store)
    api = CloudApi(
        graph_base=config.graph_base,
        phone_number_id=config.phone_number_id,
        waba_id=config.waba_id,
        access_token=config.access_token,
        max_connections=config.fanout.concurrency + 8,  # + webhook.REPLY_SENDERS
    )
    fanout = Fanout(conn, api, config.fanout, now)

    def on_statuses(statuses: tuple[StatusUpdate, ...]) -> None:
        apply_statuses(conn, statuses, now())

    broadcast_api = BroadcastApi(
        conn, api, config.service_token, now, config.confirm_within, on_new=fanout.wake.set
    )
    routes: list[BaseRoute] = list(broadcast_api.routes())
    if webhook_routes is not None:
        routes += webhook_routes(conn, PacedReplies(api, fanout.pacer), on_statuses)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.create_task(fanout.run(), name="whatsapp-fanout")
        log.info("whatsapp service: fan-out started")
        try:
            yield
        finally:
            fanout.stop()  # requests in flight finish and are written
            await worker
            await api.aclose()
            conn.close()
            log.info("whatsapp service: stopped")

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fanout = fanout
    app.state.on_statuses = on_statuses
    return app


def serve(app: Starlette, host: str, port: int) -> None:
    """Run until SIGTERM / SIGINT (uvicorn's handlers end the lifespan cleanly)."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, workers=1, access_log=False, log_level="info")
    )
    server.run()
