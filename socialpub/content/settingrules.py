"""Rules for the values of channel settings (types, URLs, enumerations), with the problem each
wrong value gets. Kept apart from `config.py`, which reads the file and its structure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialpub.content import pubconfig
from socialpub.content.codes import problem
from socialpub.models import Problem

#: the whatsapp channel's own settings (content/whatsapprules.py checks them)
_WHATSAPP_KEYS = frozenset({"service_url", "template", "price_per_message"})


@dataclass(frozen=True)
class SettingRule:
    """What a valid value of a setting is: the check validation runs, and the same rule as
    JSON Schema for editors (content/editorschema.py), kept side by side so they agree."""

    valid: Callable[[Any], bool]
    message: str  # the problem when the value is not valid
    schema: Mapping[str, Any]


def _whole_above_zero(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_BOOL = SettingRule(
    lambda v: isinstance(v, bool), "{key} must be true or false", {"type": "boolean"}
)
_URL = SettingRule(
    lambda v: isinstance(v, str) and v.startswith(("https://", "http://")),
    "{key} must be a URL (https://…)",
    {"type": "string", "pattern": "^https?://"},
)
_POSITIVE = SettingRule(
    _whole_above_zero, "{key} must be a number > 0", {"type": "integer", "minimum": 1}
)
_VISIBILITIES = ("public", "unlisted", "private", "direct")
#: the settings of channels whose values this module checks
RULES: Mapping[str, SettingRule] = {
    **dict.fromkeys(("thread_numbering", "disable_notification", "link_preview"), _BOOL),
    "link_cards": _BOOL,
    **dict.fromkeys(("instance", "service", "api_base", "base_url", "public_media_base"), _URL),
    **dict.fromkeys(("max_characters", "image_max_bytes"), _POSITIVE),
    "chat": SettingRule(
        lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, str) and v.startswith("@"))
        ),
        "chat must be @channelname or a numeric chat id",
        {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^@"}]},
    ),
    "schedule": SettingRule(
        lambda v: v in ("native", "wait"),
        "schedule must be native or wait",
        {"enum": ["native", "wait"]},
    ),
    "visibility": SettingRule(
        lambda v: v in _VISIBILITIES,
        "visibility must be public, unlisted, private or direct",
        {"enum": list(_VISIBILITIES)},
    ),
}


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
    rule = RULES.get(key)
    if rule is not None and not rule.valid(value):
        problems.append(problem("SP506", path, line, where, rule.message.format(key=key)))
