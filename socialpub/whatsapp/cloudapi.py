"""The service's client of Meta's WhatsApp Cloud API: send messages, list templates.

A send never raises for what Meta answers: it returns `Accepted` (a wamid), `Refused` (Meta
answered with an error, or the request never left: nothing was sent) or `Unconfirmed` (the
request may have reached Meta without an answer). The fan-out acts on these; an unconfirmed
send is never retried, because WhatsApp cannot take a message back.
The access token is redacted from every text this module produces. Requests go through
socialpub/net/http1.py (keep-alive HTTP/1.1, a tenth of httpx's CPU per request).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from socialpub import __version__
from socialpub.errors import AuthFailed, Rejected, Transient
from socialpub.i18n import _
from socialpub.net.http import Redactor
from socialpub.net.http1 import Answer, NoAnswer, NotSent, Origin, Timeouts

#: a reply or a template send that Meta does not answer within this is unconfirmed
SEND_TIMEOUT = Timeouts(connect=5.0, read=20.0, write=10.0, pool=30.0)
#: the error codes of an expired or invalid access token (Graph's 190 family)
TOKEN_CODES = frozenset({190})
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
    """One keep-alive connection pool for the whole service, big enough for the fan-out."""

    def __init__(
        self,
        *,
        graph_base: str,
        phone_number_id: str,
        waba_id: str,
        access_token: str,
        max_connections: int = 100,
        timeouts: Timeouts = SEND_TIMEOUT,
    ) -> None:
        url = urllib.parse.urlsplit(graph_base.rstrip("/"))
        self._base = graph_base.rstrip("/")
        self._prefix = url.path  # "/v23.0"
        self._phone_number_id = phone_number_id
        self._waba_id = waba_id
        self.redact = Redactor([access_token])
        self._origin = Origin(
            graph_base,
            headers={"User-Agent": USER_AGENT, "Authorization": f"Bearer {access_token}"},
            size=max_connections,
            timeouts=timeouts,
        )

    async def aclose(self) -> None:
        await self._origin.aclose()

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
        target = f"{self._prefix}/{self._phone_number_id}/messages"
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            answer = await self._origin.request("POST", target, data, "application/json")
        except NotSent as error:
            return Refused(0, None, str(error))
        except NoAnswer as error:  # the request went out; the answer did not come
            return Unconfirmed(str(error))
        return self._result(answer)

    def _result(self, answer: Answer) -> SendResult:
        data = _json_object(answer.body)
        status = answer.status
        if status < 300:
            messages = data.get("messages")
            if isinstance(messages, list) and messages and _is_obj(messages[0]):
                wamid = messages[0].get("id")
                if isinstance(wamid, str) and wamid:
                    return Accepted(wamid)
            return Unconfirmed(f"HTTP {status} without a message id")
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("code"), int):
            return Refused(error["code"], status, self._reason(error))
        if status >= 500:  # not Meta's answer (a proxy?): it may have gone out
            return Unconfirmed(f"HTTP {status} without Meta's error")
        return Refused(0, status, f"HTTP {status}")

    def _reason(self, error: dict[str, Any]) -> str:
        message = str(error.get("message") or "")
        details = error.get("error_data")
        detail = details.get("details") if isinstance(details, dict) else None
        text = f"{message}: {detail}" if isinstance(detail, str) and detail else message
        return self.redact(text)[:300]

    async def _get(self, url: str) -> dict[str, Any]:
        target = self._target(url)
        try:
            answer = await self._origin.request("GET", target)
        except (NotSent, NoAnswer) as error:
            raise Transient(
                _("whatsapp: Graph API not reachable ({error})").format(error=error),
                maybe_sent=False,
            ) from None
        if answer.status < 300:
            return _json_object(answer.body)
        result = self._result(answer)
        reason = result.reason if isinstance(result, Refused | Unconfirmed) else ""
        message = f"whatsapp: listing the templates failed (HTTP {answer.status}: {reason})"
        if isinstance(result, Refused) and result.code in TOKEN_CODES:
            raise AuthFailed(message, hint=_("renew the server's access_token"), status=401)
        if answer.status >= 500:
            raise Transient(message, maybe_sent=False, status=answer.status)
        raise Rejected(message, status=answer.status)

    def _target(self, url: str) -> str:
        """The path and query of a Graph URL; a paging link to another host is refused (the
        access token goes only to `graph_base`)."""
        parts = urllib.parse.urlsplit(url)
        base = urllib.parse.urlsplit(self._base)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise Rejected(
                _("whatsapp: Graph paging link to another host ({netloc})").format(
                    netloc=parts.netloc
                )
            )
        return parts.path + (f"?{parts.query}" if parts.query else "")


def _is_obj(value: object) -> bool:
    return isinstance(value, dict)


def _json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or {} when it is not one (an HTML error page, nothing)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


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
