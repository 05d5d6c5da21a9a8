"""Meta's webhook: `GET /webhook` (the verification when the URL is set up) and
`POST /webhook` (signed events: citizens' messages and delivery statuses).

A POST is read only up to `max_body_bytes`, then its signature is checked, then it is parsed;
a refusal at any step leaves no trace in the store. A valid one is applied in one
transaction and answered 200 at once (Meta resends whatever is not answered 200); the
replies to citizens go into a queue that a few senders work through after the answer (a
burst of messages would otherwise start a task per reply, each waiting for a connection
until the pool's timeout dropped it). Logs name numbers only masked.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from socialpub.content.whatsappserver import ServerSettings
from socialpub.whatsapp.events import BadEvent, StatusUpdate, parse_webhook
from socialpub.whatsapp.inbound import Inbound, Reply
from socialpub.whatsapp.numbers import mask
from socialpub.whatsapp.signature import HEADER, is_signed

log = logging.getLogger("socialpub.whatsapp.webhook")

StatusHandler = Callable[[tuple[StatusUpdate, ...]], Awaitable[None] | None]


class TextSender(Protocol):
    """Sends a free-form text inside the 24 h window (wa-outbound's CloudApi)."""

    async def send_text(self, to: str, body: str) -> str: ...


class _TooLarge(Exception):
    pass


#: replies sent at once (the service keeps 8 Cloud API connections for them beside the
#: fan-out; at Meta's ~0.1 s a request that is about the default 80 messages a second)
REPLY_SENDERS = 8


class _ReplyQueue:
    """The replies to send, by REPLY_SENDERS tasks started on first use (inside the server's
    event loop). Each citizen's replies go through the same sender: in order ("Start" and
    then "Stop" are answered welcome, then goodbye)."""

    def __init__(self, sender: TextSender) -> None:
        self.sender = sender
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: list[asyncio.Queue[Reply]] = []
        self._senders: list[asyncio.Task[None]] = []  # kept from the garbage collector

    def put(self, replies: list[Reply]) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # the first use, or a new loop (tests run one per call)
            self._loop = loop
            self._queues = [asyncio.Queue() for _ in range(REPLY_SENDERS)]
            self._senders = [
                asyncio.create_task(self._send_from(queue), name=f"whatsapp-replies-{n}")
                for n, queue in enumerate(self._queues)
            ]
        for reply in replies:
            self._queues[hash(reply.to) % REPLY_SENDERS].put_nowait(reply)

    async def _send_from(self, queue: asyncio.Queue[Reply]) -> None:
        while True:
            reply = await queue.get()
            try:
                await _send_reply(self.sender, reply)
            finally:
                queue.task_done()


def webhook_routes(
    connection: sqlite3.Connection,
    settings: ServerSettings,
    *,
    app_secret: str,
    verify_token: str,
    now: Callable[[], datetime],
    sender: TextSender,
    on_statuses: StatusHandler,
) -> list[Route]:
    """The two routes of `/webhook`, with the secrets already resolved."""
    inbound = Inbound(connection, settings)
    replying = _ReplyQueue(sender)

    async def verify(request: Request) -> Response:
        query = request.query_params
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), verify_token.encode()
        ):
            return PlainTextResponse(query.get("hub.challenge", ""))
        log.warning("refused a webhook verification: wrong mode or verify token")
        return PlainTextResponse("forbidden", status_code=403)

    async def receive(request: Request) -> Response:
        try:
            body = await _read_body(request, settings.max_body_bytes)
        except _TooLarge:
            log.warning("refused a webhook body over %d bytes", settings.max_body_bytes)
            return PlainTextResponse("too large", status_code=413)
        signature = request.headers.get(HEADER)
        if not signature:
            log.warning("refused an unsigned webhook POST")
            return PlainTextResponse("unsigned", status_code=401)
        if not is_signed(body, signature, app_secret):
            log.warning("refused a webhook POST with a wrong signature")
            return PlainTextResponse("wrong signature", status_code=403)
        try:
            batch = parse_webhook(body, settings.phone_number_id)
        except BadEvent as error:
            log.warning("refused a malformed webhook POST: %s", error.message)
            return PlainTextResponse("malformed", status_code=400)
        replies = inbound.handle(batch.messages, now()) if batch.messages else []
        if batch.statuses:
            handled = on_statuses(batch.statuses)
            if inspect.isawaitable(handled):
                await handled
        if replies:
            # Not a BackgroundTask: that would hold Meta's connection until the replies
            # went out, and Meta sends the next event on the same connection.
            replying.put(replies)
        return PlainTextResponse("ok")

    return [
        Route("/webhook", verify, methods=["GET"]),
        Route("/webhook", receive, methods=["POST"]),
    ]


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is longer than `limit` (never read whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _send_reply(sender: TextSender, reply: Reply) -> None:
    """Send a reply once; a failure is logged, not retried (Meta's resend of the event is
    deduplicated, so a retry would have to come from here, and a lost 'welcome' is cheap)."""
    try:
        await sender.send_text(reply.to, reply.body)
    except Exception as error:  # one failed reply must not stop the others
        log.warning(
            "could not send the %s reply to %s: %s",
            reply.kind,
            mask(reply.to),
            type(error).__name__,
        )
