"""The Telegram adapter's settings and the small pieces of its Bot API messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from socialpub.errors import ConfigError, Rejected
from socialpub.i18n import _
from socialpub.models import Sent

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig

API_BASE = "https://api.telegram.org"


@dataclass(frozen=True)
class Settings:
    chat: int | str  # "@channelname" or a numeric chat id
    api_base: str = API_BASE
    disable_notification: bool = False
    link_preview: bool = True

    @classmethod
    def parse(cls, channel: ChannelConfig) -> Settings:
        get, where = channel.settings.get, f"channel {channel.name!r}"
        chat, quiet = get("chat"), get("disable_notification", False)
        preview = get("link_preview", True)
        if isinstance(chat, bool) or not isinstance(chat, int | str) or chat == "":
            raise ConfigError(
                _("{where}: chat must be @name or a numeric chat id").format(where=where)
            )
        if not isinstance(quiet, bool) or not isinstance(preview, bool):
            raise ConfigError(
                _("{where}: disable_notification and link_preview are true or false").format(
                    where=where
                )
            )
        return cls(chat, str(get("api_base") or API_BASE).rstrip("/"), quiet, preview)


def html_field(field: str, text: str | None) -> dict[str, str]:
    return {field: text, "parse_mode": "HTML"} if text else {}


def caption_of(body: Mapping[str, Any]) -> str | None:
    caption: str | None = (body["media"][0] if "media" in body else body).get("caption")
    return caption


def method_of(message: Mapping[str, Any]) -> str:
    return str(message["endpoint"]).rsplit("/", 1)[-1]


def sent_id(sent: Sent) -> int:
    if not sent.id.isdigit():
        raise Rejected(_("the ledger holds no Telegram message id: {id!r}").format(id=sent.id))
    return int(sent.id)


def form_value(value: object) -> str:
    """A multipart field: texts as they are, anything else as JSON (true, 42, {...})."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
