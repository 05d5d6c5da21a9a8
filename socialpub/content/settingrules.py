"""Rules for the values of channel settings (types, URLs, enumerations), with the problem each
wrong value gets. Kept apart from `config.py`, which reads the file and its structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from socialpub.content import pubconfig
from socialpub.content.codes import problem
from socialpub.models import Problem

#: the whatsapp channel's own settings (content/whatsapprules.py checks them)
_WHATSAPP_KEYS = frozenset({"service_url", "template", "price_per_message"})
_BOOL_KEYS = frozenset({"thread_numbering", "disable_notification", "link_preview", "link_cards"})
_URL_KEYS = frozenset({"instance", "service", "api_base", "base_url", "public_media_base"})


def check_setting(
    path: Path, where: str, key: str, value: Any, line: int, problems: list[Problem]
) -> None:
    """Append a problem when `value` is not a valid value of setting `key`."""
    if key in pubconfig.CHANNEL_KEYS:
        pubconfig.check_channel_value(path, where, key, value, line, problems)
        return
    if key in _WHATSAPP_KEYS:  # only the whatsapp type takes these keys
        from socialpub.content import whatsapprules  # only configs with a whatsapp channel

        whatsapprules.check_value(path, where, key, value, line, problems)
        return
    if key == "server":  # a whatsapp channel's subscriber service
        from socialpub.content.whatsappservercheck import check_server

        check_server(path, where, value, line, problems)
        return
    if key in _BOOL_KEYS and not isinstance(value, bool):
        problems.append(problem("SP506", path, line, where, f"{key} must be true or false"))
        return
    if key in _URL_KEYS and not (
        isinstance(value, str) and value.startswith(("https://", "http://"))
    ):
        problems.append(problem("SP506", path, line, where, f"{key} must be a URL (https://…)"))
    elif key in ("max_characters", "image_max_bytes") and not (
        isinstance(value, int) and not isinstance(value, bool) and value > 0
    ):
        problems.append(problem("SP506", path, line, where, f"{key} must be a number > 0"))
    elif key == "chat" and not (
        isinstance(value, int) or (isinstance(value, str) and value.startswith("@"))
    ):
        problems.append(
            problem("SP506", path, line, where, "chat must be @channelname or a numeric chat id")
        )
    elif key == "schedule" and value not in ("native", "wait"):
        problems.append(problem("SP506", path, line, where, "schedule must be native or wait"))
    elif key == "visibility" and value not in ("public", "unlisted", "private", "direct"):
        problems.append(
            problem(
                "SP506", path, line, where, "visibility must be public, unlisted, private or direct"
            )
        )
