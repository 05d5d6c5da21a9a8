"""The subscriber service's broadcast API as publishing sees it: its error answers, its
progress counts, the audience and the templates.

The service (`socialpub whatsapp serve` on the county's server) holds the phone numbers; this
side only ever gets counts. Every request carries `Authorization: Bearer <service_token>`;
errors are `{"error": {"code": "unauthorized|conflict|invalid|not_found", "message": …}}`.
`plan` and `validate` ask it only when the token's environment variable is set, with a short
timeout and no retries (`service_http`): they must stay quick, and work offline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialpub.content.whatsappconfig import WhatsAppSettings
from socialpub.errors import AuthFailed, DeliveryError, Rejected, Transient
from socialpub.i18n import _

if TYPE_CHECKING:
    import httpx

    from socialpub.net.http import Clock as Clock  # for callers that may not import net
    from socialpub.net.http import Http

#: what plan and validate wait for the service, in seconds
QUICK_TIMEOUT = 5.0
#: the counts of a broadcast's progress kept in the ledger (never a phone number)
COUNTS = ("recipients", "pending", "sending", "sent", "delivered", "read", "unconfirmed")
STATES = frozenset({"queued", "sending", "waiting", "stopped", "done"})
_FIX_AUTH = "set service_token's variable to the token the subscriber service was given"


@dataclass(frozen=True)
class TemplateStatus:
    """One message template of the WhatsApp account, as the service reports it."""

    name: str
    language: str
    status: str  # APPROVED, PENDING, REJECTED, PAUSED, DISABLED …
    category: str = ""
    parameters: int = 0


def error_reader(http: Http) -> Callable[[httpx.Response], DeliveryError | None]:
    """The service's reading of an error answer; None leaves it to the status (429, 5xx)."""
    channel = http.channel

    def read(response: httpx.Response) -> DeliveryError | None:
        status, message = response.status_code, http.redact(_error_message(response))
        if status in (401, 403):
            return AuthFailed(
                _("{channel}: the subscriber service refused the token").format(channel=channel),
                hint=_FIX_AUTH,
            )
        if status == 409:
            why = "the service has a broadcast under this delivery key with another text"
            hint = "a changed post goes out as a correction (socialpub correct), a new broadcast"
            return Rejected(f"{channel}: {why}", hint=hint, status=409, platform_error="conflict")
        if status == 422:
            return Rejected(
                _("{channel}: the subscriber service refused the broadcast: {message}").format(
                    channel=channel, message=message
                ),
                hint=_("fix the post or the channel's template settings"),
                status=422,
                platform_error="invalid",
            )
        return None

    return read


def progress_refs(answer: Any, channel: str) -> dict[str, Any]:
    """A broadcast's progress as the ledger keeps it: counts, failures by error code, state."""
    if not isinstance(answer, Mapping) or not all(_count(answer.get(k)) for k in COUNTS):
        raise Transient(
            _("{channel}: the subscriber service answered without counts").format(channel=channel),
            maybe_sent=True,
        )
    failed = answer.get("failed")
    state = answer.get("state")
    refs: dict[str, Any] = {key: answer[key] for key in COUNTS}
    refs["failed"] = {
        str(code): n
        for code, n in (failed.items() if isinstance(failed, Mapping) else ())
        if _count(n)
    }
    refs["state"] = state if state in STATES else "unknown"
    refs["next_window"] = _text(answer.get("next_window"))
    refs["stopped_reason"] = _text(answer.get("stopped_reason"))
    return refs


def audience(http: Http, settings: WhatsAppSettings) -> int:
    """How many subscribers a broadcast would reach now."""
    answer = _get(http, settings, "/audience")
    count = answer.get("recipients") if isinstance(answer, Mapping) else None
    if not _count(count):
        raise Transient(
            _("{channel}: the subscriber service gave no audience").format(channel=http.channel),
            maybe_sent=False,
        )
    assert isinstance(count, int)
    return count


def templates(http: Http, settings: WhatsAppSettings) -> tuple[TemplateStatus, ...]:
    """The account's message templates and their status."""
    answer = _get(http, settings, "/templates")
    items = answer.get("templates") if isinstance(answer, Mapping) else None
    if not isinstance(items, list):
        raise Transient(
            _("{channel}: the subscriber service listed no templates").format(channel=http.channel),
            maybe_sent=False,
        )
    return tuple(
        TemplateStatus(
            str(t.get("name", "")),
            str(t.get("language", "")),
            str(t.get("status", "")),
            str(t.get("category", "")),
            t["parameters"] if _count(t.get("parameters")) else 0,
        )
        for t in items
        if isinstance(t, Mapping)
    )


def approval_problem(found: tuple[TemplateStatus, ...], settings: WhatsAppSettings) -> str:
    """Why the configured template cannot be used ("" when it is approved)."""
    name, language = settings.template.name, settings.template.language
    match = [t for t in found if t.name == name and t.language == language]
    if not match:
        others = sorted({f"{t.name} ({t.language})" for t in found if t.name == name})
        known = f"; the account has it in {', '.join(others)}" if others else ""
        return f"template {name} ({language}) does not exist on the WhatsApp account{known}"
    if match[0].status != "APPROVED":
        return f"template {name} ({language}) is {match[0].status}, not APPROVED, on the account"
    return ""


def service_http(
    channel: str,
    settings: WhatsAppSettings,
    environ: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> Http | None:
    """A quick Http to the service (one try, short timeout); None when the token is not set."""
    token = environ.get(settings.service_token.env, "")
    if not token:
        return None
    import httpx

    from socialpub.net.http import Http, RetryPolicy, make_client

    client = make_client(transport, httpx.Timeout(QUICK_TIMEOUT))
    policy = RetryPolicy(attempts=1, max_rate_wait=0.0)
    return Http(
        client, channel=channel, secrets={"service_token": token}, clock=clock, policy=policy
    )


def headers(http: Http) -> dict[str, str]:
    try:
        return {"Authorization": f"Bearer {http.secret('service_token')}"}
    except KeyError:
        raise AuthFailed(
            _("{channel}: no service_token configured").format(channel=http.channel), hint=_FIX_AUTH
        ) from None


def _get(http: Http, settings: WhatsAppSettings, path: str) -> Any:
    response = http.request(
        "GET",
        settings.service_url + path,
        idempotent=True,
        read_error=error_reader(http),
        headers=headers(http),
    )
    return http.json(response)


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return str(message)[:300] if message else f"HTTP {response.status_code}"


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(value: Any) -> str | None:
    return str(value)[:300] if isinstance(value, str) and value else None
