"""The `server:` block of a whatsapp channel: what only the subscriber service reads.

Secrets in it are `${ENV}` references like every secret (SecretRef), resolved only by the
service (`socialpub whatsapp …` on the county's server). `validate` checks the block
(`whatsappservercheck.py`); `read_server` builds the settings from a checked block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.content import yamlsafe
from socialpub.content.config import SecretRef
from socialpub.content.whatsappservercheck import check_server, parse_duration, secret_env
from socialpub.errors import ConfigError
from socialpub.i18n import _
from socialpub.models import Problem

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig


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


def default_store(channel: str, environ: Mapping[str, str]) -> Path:
    """`$XDG_STATE_HOME/socialpub/whatsapp-<channel>.sqlite3`, else under `~/.local/state`:
    the user's private state folder, never the repository."""
    state = environ.get("XDG_STATE_HOME") or (
        str(Path(environ["HOME"]) / ".local" / "state") if environ.get("HOME") else ""
    )
    if not state:
        raise ConfigError(
            _("no place for the subscriber store: neither XDG_STATE_HOME nor HOME is set"),
            hint=_("set `store:` in the channel's server block to an absolute path"),
        )
    return Path(state) / "socialpub" / f"whatsapp-{channel}.sqlite3"


def read_server(
    channel: ChannelConfig, environ: Mapping[str, str], root: Path | None = None
) -> ServerSettings:
    """The `server:` block of a whatsapp channel, checked (load_config has checked it once
    already; a block built by hand is checked here). `environ` gives the default store's
    folder; a store under `root` (the repository) is refused."""
    block = channel.settings.get("server")
    where = f"channels.{channel.name}.server"
    if block is None:
        raise ConfigError(
            _("channel {name!r} has no server block").format(name=channel.name),
            hint=_(
                "the subscriber service needs `server:` with phone_number_id, waba_id and "
                "the secrets (see README, WhatsApp)"
            ),
        )
    problems: list[Problem] = []
    check_server(Path("socialpub.yaml"), where, block, channel.line, problems)
    if problems:
        first = problems[0]
        raise ConfigError(f"{first.field}: {first.message}", hint=first.hint, problems=problems)
    store = Path(block["store"]) if "store" in block else default_store(channel.name, environ)
    if root is not None and store.resolve().is_relative_to(root.resolve()):
        raise ConfigError(
            _("{where}.store: {store} is inside the repository {root}").format(
                where=where, store=store, root=root
            ),
            hint=_(
                "phone numbers never go near git: put the store outside, e.g. "
                "/var/lib/socialpub/whatsapp.sqlite3"
            ),
        )
    return ServerSettings(
        phone_number_id=str(block["phone_number_id"]),
        waba_id=str(block["waba_id"]),
        access_token=_secret(block, "access_token"),
        app_secret=_secret(block, "app_secret"),
        verify_token=_secret(block, "verify_token"),
        store=store,
        **_optional(block),
    )


def _secret(block: Mapping[str, Any], key: str) -> SecretRef:
    env = secret_env(block[key])
    assert env is not None  # check_server refused anything else
    return SecretRef(env)


def _optional(block: yamlsafe.YMap) -> dict[str, Any]:
    """The settings with defaults, as ServerSettings' keyword arguments."""
    given: dict[str, Any] = {}
    for key in ("contact_phone", "free_text_in_window", "daily_limit"):
        if key in block:
            given[key] = block[key]
    if "rate" in block:
        given["rate"] = float(block["rate"])
    if "max_body_bytes" in block:
        given["max_body_bytes"] = int(block["max_body_bytes"])
    if "graph_base" in block:
        given["graph_base"] = str(block["graph_base"]).rstrip("/")
    if "confirm_within" in block:
        given["confirm_within"] = parse_duration(block["confirm_within"])
    words = block.get("words") or {}
    for key in ("start", "stop"):
        if key in words:
            given[f"{key}_words"] = tuple(str(word) for word in words[key])
    replies = block.get("replies") or {}
    given["replies"] = Replies(**{key: str(text) for key, text in replies.items()})
    return given
