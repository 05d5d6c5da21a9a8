"""What Meta's Cloud API refuses, with Meta's codes, titles and HTTP statuses (tests/wafake.py).

Sources (checked 2026-12): Meta's error-code table,
developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes, its
throughput and messaging-limits pages, and the OpenAPI document's error examples. Where they
disagree the table wins: the document's example says 132000 for "Template not found", the
table says 132001 (132000 is the parameter count).

- 131047, 132000, 132001, 132005, 132015, 132016, 130429, 131056, 131048, 190, 368: answered
  at once (synchronous) with Meta's error JSON;
- 131026 (undeliverable) and 131050 (the user stopped marketing messages): the request is
  accepted (a wamid comes back), the message then fails in a status webhook, as Meta does it;
- pair rate: one message every 6 s to the same user, bursts of up to 45 (Meta's throughput
  page), as a token bucket;
- messaging limit (`daily_limit`): Meta counts the distinct users reached outside a customer
  service window in a moving 24 h and documents no error code for going over it. The fake
  refuses the first message to one user too many with 131048 ("restrictions on how many
  messages can be sent from this phone number"), the closest code Meta documents, and counts
  it in `CloudApiFake.over_limit`, so a test can assert the service never tried.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

WINDOW_SECONDS = 24 * 3600  # the customer-service window, and the messaging limit's period
PAIR_RATE = 1 / 6  # messages per second to one user
PAIR_BURST = 45
BODY_MAX = 1024  # characters of a template body with its parameters filled in (132005)
#: a template parameter may not hold these (Meta: "Param text cannot have new-line/tab
#: characters or more than 4 consecutive spaces")
BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")


class GraphError(Exception):
    """An error answer in the Graph API's shape."""

    def __init__(
        self,
        status: int,
        code: int,
        title: str,
        details: str | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(f"{status} (#{code}) {title}: {details}")
        self.status, self.code, self.title, self.details = status, code, title, details
        self.subcode = subcode

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
        }
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}

    @property
    def message(self) -> str:
        """Graph's own errors (190, unknown object) carry their text; WhatsApp's codes put
        the title after the code, "(#131047) Re-engagement message"."""
        return self.title if self.code in (190, 2500) else f"(#{self.code}) {self.title}"


def invalid(details: str) -> GraphError:
    return GraphError(400, 100, "Invalid parameter", details)


def no_such_object(object_id: str, method: str) -> GraphError:
    text = (
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot "
        "be loaded due to missing permissions, or does not support this operation. Please "
        "read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
    )
    return GraphError(400, 100, text, None, subcode=33)


def unknown_path(path: str) -> GraphError:
    return GraphError(400, 2500, f"Unknown path components: {path}")


def bad_token() -> GraphError:
    return GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token")


def expired_token() -> GraphError:
    return GraphError(
        401, 190, "Error validating access token: Session has expired.", None, subcode=463
    )


def blocked() -> GraphError:
    return GraphError(
        403,
        368,
        "Temporarily blocked for policies violations",
        "The WhatsApp Business Account associated with the app has been restricted or "
        "disabled for violating a platform policy.",
    )


def throughput() -> GraphError:
    return GraphError(
        429, 130429, "Rate limit hit", "Cloud API message throughput has been reached."
    )


def pair_rate() -> GraphError:
    return GraphError(
        429,
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone "
        "number in a short period of time.",
    )


def messaging_limit(limit: int) -> GraphError:
    return GraphError(
        400,
        131048,
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many messages can be "
        f"sent from this phone number (messaging limit: {limit} users in 24 hours).",
    )


def internal() -> GraphError:
    return GraphError(
        500, 131000, "Something went wrong", "Message failed to send due to an unknown error."
    )


def outside_window() -> GraphError:
    return GraphError(
        400,
        131047,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    )


def template_missing(name: str, language: str) -> GraphError:
    return GraphError(
        404,
        132001,
        "Template name does not exist in the translation",
        f"template name ({name}) does not exist in {language}",
    )


def template_count(expected: int, given: int) -> GraphError:
    return GraphError(
        400,
        132000,
        "Number of parameters does not match the expected number of params",
        f"body: number of localizable_params ({given}) does not match the expected number "
        f"of params ({expected})",
    )


def template_too_long() -> GraphError:
    return GraphError(400, 132005, "Translated text too long", "Translated text is too long.")


def template_status(status: str) -> GraphError:
    if status == "PAUSED":
        return GraphError(
            400, 132015, "Template is Paused", "Template is paused due to low quality."
        )
    return GraphError(400, 132016, "Template is Disabled", "Template has been disabled.")


def bad_parameter() -> GraphError:
    return invalid(
        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
    )


#: the errors a failed status webhook carries (asynchronous)
ASYNC_ERRORS: dict[int, tuple[str, str]] = {
    131026: (
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a "
        "WhatsApp phone number; the recipient has not accepted WhatsApp's terms of service; "
        "the recipient uses an outdated WhatsApp client.",
    ),
    131050: (
        "Unable to deliver the message",
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
    ),
}
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


def status_error(code: int) -> dict[str, Any]:
    title, details = ASYNC_ERRORS[code]
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_HREF,
    }


@dataclass
class Template:
    """A message template of the account, as WhatsApp Manager holds it."""

    id: str
    name: str
    language: str
    parameters: int
    status: str = "APPROVED"  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED
    category: str = "MARKETING"

    @property
    def body(self) -> str:
        slots = " ".join(f"{{{{{i}}}}}" for i in range(1, self.parameters + 1))
        return f"Neues aus dem Landkreis: {slots}".strip()

    def listing(self) -> dict[str, Any]:
        """The template as `GET /{waba-id}/message_templates` lists it."""
        body: dict[str, Any] = {"type": "BODY", "text": self.body}
        if self.parameters:
            body["example"] = {
                "body_text": [[f"Beispiel {i}" for i in range(1, self.parameters + 1)]]
            }
        return {
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
            "components": [body],
        }

    def render(self, parameters: list[str]) -> str:
        text = self.body
        for index, value in enumerate(parameters, start=1):
            text = text.replace(f"{{{{{index}}}}}", value)
        return text


def body_parameters(template: dict[str, Any]) -> list[str]:
    """The texts of a template message's body parameters; a parameter that is not text
    is refused (the fake's templates have text parameters only)."""
    texts: list[str] = []
    for component in template.get("components", []):
        if component.get("type") != "body":
            continue
        for parameter in component.get("parameters", []):
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                raise invalid("body parameters must be of type text for this template")
            if not isinstance(parameter.get("text"), str):
                raise GraphError(400, 131008, "Required parameter is missing", "text")
            texts.append(parameter["text"])
    return texts


def check_template(found: Template | None, name: str, language: str, texts: list[str]) -> None:
    """Meta's checks of a template message, in Meta's order."""
    if found is None or found.status in ("PENDING", "REJECTED"):
        raise template_missing(name, language)  # not approved: as if it did not exist
    if found.status != "APPROVED":
        raise template_status(found.status)
    if len(texts) != found.parameters:
        raise template_count(found.parameters, len(texts))
    if any(BAD_PARAMETER.search(text) for text in texts):
        raise bad_parameter()
    if len(found.render(texts)) > BODY_MAX:
        raise template_too_long()


@dataclass
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; one per message. Thread-safe."""

    rate: float
    burst: float
    _tokens: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (tokens, when)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str, now: float) -> bool:
        with self._lock:
            tokens, last = self._tokens.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            allowed = tokens >= 1
            self._tokens[key] = (tokens - 1 if allowed else tokens, now)
            return allowed


@dataclass
class MessagingLimit:
    """Distinct users reached outside a customer-service window in a moving 24 h."""

    limit: int | None
    _reached: dict[str, float] = field(default_factory=dict)  # wa_id → when first counted

    def admit(self, wa_id: str, now: float) -> bool:
        """Whether a business-initiated message to `wa_id` fits; counts it if so."""
        if self.limit is None:
            return True
        since = now - WINDOW_SECONDS
        first = self._reached.get(wa_id)
        if first is not None and first > since:
            return True
        if len(self._reached) >= self.limit:  # drop what left the period before counting
            self._reached = {k: t for k, t in self._reached.items() if t > since}
        if len(self._reached) >= self.limit:
            return False
        self._reached[wa_id] = now
        return True
