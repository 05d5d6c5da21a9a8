"""The broadcast API the publishing engine calls: PUT/GET /broadcasts/{key}, GET /audience,
GET /templates (cached 5 minutes), GET /health. Bearer token compared in constant time;
every error is `{"error": {"code", "message"}}`."""

from __future__ import annotations

import hmac
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from socialpub.errors import DeliveryError
from socialpub.whatsapp import broadcasts
from socialpub.whatsapp.broadcasts import Conflict, Invalid
from socialpub.whatsapp.cloudapi import CloudApi, TemplateInfo

MAX_BODY = 64 * 1024  # a broadcast's body: a text of 4096 characters and a few parameters
TEMPLATE_CACHE = timedelta(minutes=5)


@dataclass
class BroadcastApi:
    conn: sqlite3.Connection
    api: CloudApi
    token: str
    now: Callable[[], datetime]
    confirm_within: timedelta
    on_new: Callable[[], None] = lambda: None  # wakes the fan-out
    _templates: tuple[datetime, list[TemplateInfo]] | None = field(default=None, init=False)

    def routes(self) -> list[Route]:
        return [
            Route("/broadcasts/{key}", self.put_broadcast, methods=["PUT"]),
            Route("/broadcasts/{key}", self.get_broadcast, methods=["GET"]),
            Route("/audience", self.audience, methods=["GET"]),
            Route("/templates", self.templates, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]

    def _authorized(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode())

    async def put_broadcast(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return unauthorized()
        key = request.path_params["key"]
        if not broadcasts.KEY.fullmatch(key):
            return error(422, "invalid", "key: letters, digits and . _ : ~ - only, at most 200")
        raw = await _body(request)
        if raw is None:
            return error(413, "too_large", f"the body is over {MAX_BODY} bytes")
        try:
            body = broadcasts.parse_request(json.loads(raw))
            expected = await self._parameter_count(body.template, body.language)
            broadcasts.check_parameters(body.parameters, expected)
        except (ValueError, UnicodeDecodeError) as problem:
            message = str(problem) if isinstance(problem, Invalid) else "the body is not JSON"
            return error(422, "invalid", message)
        try:
            created = broadcasts.create(self.conn, key, body, self.now())
        except Conflict:
            return error(409, "conflict", f"broadcast {key} exists with another body")
        if created:
            self.on_new()
        return self._progress(key, 201 if created else 200)

    async def get_broadcast(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return unauthorized()
        return self._progress(request.path_params["key"], 200)

    def _progress(self, key: str, status: int) -> JSONResponse:
        found = broadcasts.progress(self.conn, key, self.now(), self.confirm_within)
        if found is None:
            return error(404, "not_found", f"no broadcast {key}")
        return JSONResponse(found.to_json(), status_code=status)

    async def audience(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return unauthorized()
        return JSONResponse({"recipients": broadcasts.audience(self.conn)})

    async def templates(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return unauthorized()
        try:
            found = await self._cached_templates()
        except DeliveryError as problem:
            return error(502, "graph_api", problem.message)
        return JSONResponse({"templates": [_template_json(t) for t in found]})

    async def _cached_templates(self) -> list[TemplateInfo]:
        now = self.now()
        if self._templates is None or now - self._templates[0] >= TEMPLATE_CACHE:
            self._templates = (now, await self.api.templates())
        return self._templates[1]

    async def _parameter_count(self, name: str, language: str) -> int | None:
        """The account's parameter count for the template, when the Graph API tells it."""
        try:
            found = await self._cached_templates()
        except DeliveryError:
            return None  # unknown: Meta checks it at send time (132000)
        for template in found:
            if template.name == name and template.language == language:
                return template.parameters
        return None


async def _body(request: Request) -> bytes | None:
    """The body, or None when it is over MAX_BODY (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    data = bytearray()
    async for part in request.stream():
        data += part
        if len(data) > MAX_BODY:
            return None
    return bytes(data)


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def unauthorized() -> JSONResponse:
    message = "a valid bearer token (the channel's service_token) is needed"
    return error(401, "unauthorized", message)


def _template_json(template: TemplateInfo) -> dict[str, Any]:
    return {
        "name": template.name,
        "language": template.language,
        "status": template.status,
        "category": template.category,
        "parameters": template.parameters,
    }
