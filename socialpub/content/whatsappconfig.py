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

Secrets in `server:` are `${ENV}` references like every secret (SecretRef), resolved only by
the service, so a CI run that publishes needs nothing but `service_token`.
TODO(helper store-inbound): `read_server(channel, path) -> ServerSettings` with problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
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
class Replies:
    """Free-form answers inside the 24 h customer-service window ({phone}: contact_phone)."""

    welcome: str = (
        "Willkommen! Sie erhalten ab jetzt die Nachrichten des Landkreises. "
        "Mit STOP melden Sie sich jederzeit ab."
    )
    goodbye: str = "Sie sind abgemeldet und erhalten keine Nachrichten mehr."
    notice: str = (
        "Dieser Kanal informiert nur, Nachrichten werden nicht gelesen. "
        "Für persönliche Anliegen rufen Sie uns bitte an: {phone}."
    )


@dataclass(frozen=True)
class ServerSettings:
    """The `server:` block of a whatsapp channel."""

    phone_number_id: str
    waba_id: str
    access_token: SecretRef
    app_secret: SecretRef
    verify_token: SecretRef
    store: Path  # default: $XDG_STATE_HOME/socialpub/whatsapp-<channel>.sqlite3, outside git
    contact_phone: str = ""
    graph_base: str = "https://graph.facebook.com/v23.0"
    rate: float = 80.0  # messages per second (the account's throughput)
    daily_limit: int = 1000  # business-initiated messages per rolling 24 h (the tier)
    free_text_in_window: bool = False  # plain text where the subscriber's 24 h window is open
    start_words: tuple[str, ...] = ("start", "anmelden")
    stop_words: tuple[str, ...] = ("stop", "stopp", "abmelden")
    replies: Replies = field(default_factory=Replies)
    #: how long a recipient whose answer was lost waits for a status webhook before it is
    #: reported unconfirmed (never resent)
    confirm_within: timedelta = timedelta(minutes=10)
    max_body_bytes: int = 1_000_000  # larger webhook bodies are refused unread


@dataclass(frozen=True)
class WhatsAppSettings:
    """What publishing to a whatsapp channel needs."""

    service_url: str
    service_token: SecretRef
    template: Template
    price_per_message: float | None = None
    server: ServerSettings | None = None
