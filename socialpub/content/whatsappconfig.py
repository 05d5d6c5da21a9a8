"""Settings of a `whatsapp` channel: what publishing needs, and the `server:` block that only
the subscriber service (`socialpub whatsapp serve`) reads.

    whatsapp:
      type: whatsapp
      service_url: https://whatsapp.landkreis.example     # the county's subscriber service
      service_token: ${WHATSAPP_SERVICE_TOKEN}            # bearer token of its broadcast API
      template: {name: kreis_nachrichten, language: de, parameters: [title, summary, link]}
      price_per_message: 0.0613                           # optional: plan shows the cost
      server:                                             # only on the service's machine
        phone_number_id: "100000000000001"
        waba_id: "200000000000002"
        access_token: ${WHATSAPP_TOKEN}
        app_secret: ${WHATSAPP_APP_SECRET}
        verify_token: ${WHATSAPP_VERIFY_TOKEN}
        ...

The `server:` block is read by `content/whatsappserver.py`; a CI run that publishes needs
nothing but `service_token`.
TODO(helper wa-adapter): `read_whatsapp(channel) -> WhatsAppSettings` and its checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialpub.content.config import SecretRef

#: what a template parameter may be filled from, by name (the variant's parts)
TEMPLATE_FIELDS = ("title", "summary", "text", "link")


@dataclass(frozen=True)
class Template:
    """An approved message template: its body parameters {{1}}, {{2}} … are filled, in
    order, from the variant's parts named in `parameters`."""

    name: str
    language: str = "de"
    parameters: tuple[str, ...] = ("title", "summary", "link")


@dataclass(frozen=True)
class WhatsAppSettings:
    """What publishing to a whatsapp channel needs."""

    service_url: str
    service_token: SecretRef
    template: Template
    price_per_message: float | None = None
