"""The `server:` block of a whatsapp channel: what only the subscriber service reads.

Secrets in it are `${ENV}` references like every secret (SecretRef), resolved only by the
service (`socialpub whatsapp …` on the county's server).
TODO(helper wa-inbound): `read_server(channel) -> ServerSettings` and its checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialpub.content.config import SecretRef


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
