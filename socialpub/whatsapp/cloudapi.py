"""The service's client of Meta's WhatsApp Cloud API: send messages, list templates.

A send never raises for what Meta answers: it returns `Accepted` (a wamid), `Refused` (Meta
answered with an error, or the request never left: nothing was sent) or `Unconfirmed` (the
request may have reached Meta without an answer). The fan-out acts on these; an unconfirmed
send is never retried, because WhatsApp cannot take a message back.
The access token is redacted from every text this module produces.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from socialpub import __version__
from socialpub.errors import AuthFailed, Rejected, Transient
from socialpub.i18n import _
from socialpub.net.http import Redactor, json_object

#: a reply or a template send that Meta does not answer within this is unconfirmed
SEND_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=30.0)
#: errors raised before the request left this machine: nothing reached Meta
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: the error codes of an expired or invalid access token (Graph's 190 family)
TOKEN_CODES = frozenset({190})
POOL_SIZE = 4  # connections per httpx pool (see CloudApi.__init__)
#: Meta's description allows only "name/x.y.z" here (its pattern refuses the "(+url)" part)
USER_AGENT = f"socialpub/{__version__}"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class Accepted:
    wamid: str


@dataclass(frozen=True)
class Refused:
    """Nothing was sent. `code` is Meta's error code, 0 when Meta did not answer with one
    (the connection failed before the request left, or an answer without Meta's error)."""

    code: int
    status: int | None
    reason: str  # Meta's title and details, redacted, at most 300 characters


@dataclass(frozen=True)
class Unconfirmed:
    """The request may have reached Meta: a timeout after sending, a dropped connection."""

    reason: str


SendResult = Accepted | Refused | Unconfirmed


@dataclass(frozen=True)
class TemplateInfo:
    """A message template of the account, as `GET /{waba-id}/message_templates` lists it."""

    name: str
    language: str
    status: str  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED …
    category: str
    parameters: int  # body parameters {{1}} … {{n}} (or named ones)


class CloudApi:
    """One AsyncClient for the whole service: a pool big enough for the fan-out."""

    def __init__(
        self,
        *,
        graph_base: str,
        phone_number_id: str,
        waba_id: str,
        access_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 100,
        timeout: httpx.Timeout = SEND_TIMEOUT,
    ) -> None:
        self._base = graph_base.rstrip("/")
        self._phone_number_id = phone_number_id
        self._waba_id = waba_id
        self.redact = Redactor([access_token])
        # Several small pools instead of one big one: httpcore's bookkeeping per request grows
        # with its connections × the requests waiting, which made one pool of 32 the
        # fan-out's bottleneck (300 instead of 660–860 messages/s against a local server).
        shards = max(1, max_connections // POOL_SIZE)
        per_pool = max(1, max_connections // shards)
        limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
        self._clients = [
            httpx.AsyncClient(
                transport=transport,
                timeout=timeout,
                limits=limits,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Authorization": f"Bearer {access_token}"},
            )
            for _ in range(shards)
        ]
        self._turn = itertools.cycle(self._clients)

    @property
    def _client(self) -> httpx.AsyncClient:
        return next(self._turn)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def send_template(
        self,
        to: str,
        name: str,
        language: str,
        parameters: Sequence[str],
        callback: str,
    ) -> SendResult:
        """An approved template, its body parameters filled in order; `callback` (the
        delivery key) comes back in every status webhook of the message."""
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            texts = [{"type": "text", "text": text} for text in parameters]
            template["components"] = [{"type": "body", "parameters": texts}]
        return await self._send(to, {"type": "template", "template": template}, callback)

    async def send_text_in_window(self, to: str, body: str, callback: str) -> SendResult:
        """Free-form text: only inside the recipient's 24 h window (else Meta says 131047)."""
        message = {"type": "text", "text": {"body": body, "preview_url": False}}
        return await self._send(to, message, callback)

    async def send_text(self, to: str, body: str) -> str:
        """A reply to a citizen (the webhook's answers); its wamid. Raises Rejected or
        AuthFailed when Meta refuses it, Transient when it may or may not have gone out."""
        result = await self._send(to, {"type": "text", "text": {"body": body}}, None)
        if isinstance(result, Accepted):
            return result.wamid
        if isinstance(result, Unconfirmed):
            raise Transient(
                _("whatsapp: reply unconfirmed ({reason})").format(reason=result.reason),
                maybe_sent=True,
            )
        message = f"whatsapp: reply refused ({result.code}: {result.reason})"
        if result.code in TOKEN_CODES:
            raise AuthFailed(message, hint=_("renew the server's access_token"), status=401)
        raise Rejected(message, status=result.status, platform_error=str(result.code))

    async def templates(self) -> list[TemplateInfo]:
        """Every template of the account, following Graph's cursor paging."""
        found: list[TemplateInfo] = []
        url: str | None = f"{self._base}/{self._waba_id}/message_templates"
        while url is not None:
            data = await self._get(url)
            found += [_template_info(item) for item in data.get("data", []) if _is_obj(item)]
            paging = data.get("paging")
            next_url = paging.get("next") if isinstance(paging, dict) else None
            url = next_url if isinstance(next_url, str) and next_url else None
        return found

    async def _send(self, to: str, message: dict[str, Any], callback: str | None) -> SendResult:
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            **message,
        }
        if callback is not None:
            body["biz_opaque_callback_data"] = callback
        url = f"{self._base}/{self._phone_number_id}/messages"
        try:
            response = await self._client.post(url, json=body)
        except _NOT_SENT as error:
            return Refused(0, None, f"connection failed ({type(error).__name__})")
        except httpx.HTTPError as error:  # the request went out; the answer did not come
            return Unconfirmed(f"no answer ({type(error).__name__})")
        return self._result(response)

    def _result(self, response: httpx.Response) -> SendResult:
        data = json_object(response)
        if response.status_code < 300:
            messages = data.get("messages")
            if isinstance(messages, list) and messages and _is_obj(messages[0]):
                wamid = messages[0].get("id")
                if isinstance(wamid, str) and wamid:
                    return Accepted(wamid)
            return Unconfirmed(f"HTTP {response.status_code} without a message id")
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("code"), int):
            return Refused(error["code"], response.status_code, self._reason(error))
        if response.status_code >= 500:  # not Meta's answer (a proxy?): it may have gone out
            return Unconfirmed(f"HTTP {response.status_code} without Meta's error")
        return Refused(0, response.status_code, f"HTTP {response.status_code}")

    def _reason(self, error: dict[str, Any]) -> str:
        message = str(error.get("message") or "")
        details = error.get("error_data")
        detail = details.get("details") if isinstance(details, dict) else None
        text = f"{message}: {detail}" if isinstance(detail, str) and detail else message
        return self.redact(text)[:300]

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            response = await self._client.get(url)
        except httpx.HTTPError as error:
            raise Transient(
                _("whatsapp: Graph API not reachable ({name})").format(name=type(error).__name__),
                maybe_sent=False,
            ) from None
        if response.status_code < 300:
            return json_object(response)
        result = self._result(response)
        reason = result.reason if isinstance(result, Refused | Unconfirmed) else ""
        message = f"whatsapp: listing the templates failed (HTTP {response.status_code}: {reason})"
        if isinstance(result, Refused) and result.code in TOKEN_CODES:
            raise AuthFailed(message, hint=_("renew the server's access_token"), status=401)
        if response.status_code >= 500:
            raise Transient(message, maybe_sent=False, status=response.status_code)
        raise Rejected(message, status=response.status_code)


def _is_obj(value: object) -> bool:
    return isinstance(value, dict)


def _template_info(item: dict[str, Any]) -> TemplateInfo:
    return TemplateInfo(
        name=str(item.get("name", "")),
        language=str(item.get("language", "")),
        status=str(item.get("status", "")),
        category=str(item.get("category", "")),
        parameters=body_parameter_count(item.get("components")),
    )


def body_parameter_count(components: object) -> int:
    """How many parameters the BODY component's text has ({{1}} … or {{name}})."""
    if not isinstance(components, list):
        return 0
    for component in components:
        if isinstance(component, dict) and str(component.get("type", "")).upper() == "BODY":
            text = str(component.get("text", ""))
            return len(set(_PLACEHOLDER.findall(text)))
    return 0
