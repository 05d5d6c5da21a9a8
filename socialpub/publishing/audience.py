"""How many people a broadcast reaches, and what it costs: `plan` and `publish` show it for
whatsapp deliveries before anything is sent.

The subscriber service answers `GET /audience` with the number of active subscribers; it is
asked only when the channel's `service_token` variable is set (a laptop without it plans
offline, as for every other channel), once per channel, with a short timeout. When it cannot
be asked, the plan says why ("recipients unknown: …") and goes on: a warning, never a crash.
The cost is recipients × `price_per_message`, in whatever currency the price is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socialpub.content.config import Config
from socialpub.errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    import httpx

    from socialpub.net.http import Clock


@dataclass(frozen=True)
class Audience:
    recipients: int | None  # None: unknown, `unknown` says why
    price: float | None = None  # per delivered template message
    unknown: str = ""

    @property
    def cost(self) -> float | None:
        if self.recipients is None or self.price is None:
            return None
        return round(self.recipients * self.price, 2)

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"recipients": self.recipients, "cost": self.cost}
        return found | ({"recipients_unknown": self.unknown} if self.unknown else {})

    def describe(self) -> str:
        if self.recipients is None:
            return f"recipients unknown: {self.unknown}"
        cost = self.cost
        price = f", cost {cost:.2f} ({self.price:g} per message)" if cost is not None else ""
        return f"{self.recipients:,} recipients{price}"


def audiences(
    config: Config,
    channels: Iterable[str],
    environ: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Audience]:
    """The audience of each named whatsapp channel (other channel types are left out)."""
    return {
        name: _audience(config, name, environ, clock, transport)
        for name in sorted(set(channels))
        if name in config.channels and config.channels[name].type == "whatsapp"
    }


def _audience(
    config: Config,
    name: str,
    environ: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None,
) -> Audience:
    from socialpub.channels import whatsapp_service as service
    from socialpub.content.whatsappconfig import read_whatsapp

    try:
        settings = read_whatsapp(config.channels[name])
    except ConfigError as exc:
        return Audience(None, unknown=exc.message)
    price = settings.price_per_message
    http = service.service_http(name, settings, environ, clock, transport)
    if http is None:
        return Audience(None, price, f"{settings.service_token.env} is not set")
    try:
        return Audience(service.audience(http, settings), price)
    except DeliveryError as exc:
        return Audience(None, price, f"the subscriber service did not answer ({exc.message})")
