"""The `channels:` section of socialpub.yaml: each channel's type, settings and secrets.

Secrets are never written into the file: a secret setting must be a reference to an
environment variable, `${MASTODON_TOKEN}`, resolved only when a command needs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialpub import specs
from socialpub.content import pubconfig, yamlsafe
from socialpub.content.codes import problem
from socialpub.content.settingrules import check_setting
from socialpub.content.textfile import did_you_mean
from socialpub.errors import ConfigError
from socialpub.i18n import _
from socialpub.models import Problem

COMMON_CHANNEL_KEYS = frozenset({"type", "title", "thread_numbering"}) | pubconfig.CHANNEL_KEYS
SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class SecretRef:
    """A reference to an environment variable holding a secret. Never holds the value."""

    env: str

    def resolve(self, environ: Mapping[str, str], channel: str) -> str:
        value = environ.get(self.env, "")
        if not value:
            raise ConfigError(
                _("environment variable {env} is not set (needed by channel {channel!r})").format(
                    env=self.env, channel=channel
                ),
                hint=_("export {env}=… or set it as a CI secret").format(env=self.env),
            )
        return value

    def __str__(self) -> str:
        return "${" + self.env + "}"


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    settings: Mapping[str, Any]
    line: int = 1

    @property
    def spec(self) -> specs.ChannelSpec:
        return specs.spec(self.type)

    @property
    def capabilities(self) -> specs.Capabilities:
        return self.spec.capabilities

    @property
    def thread_numbering(self) -> bool:
        """Whether thread parts end in " 1/3" (default) or go out unnumbered."""
        return self.settings.get("thread_numbering", True) is not False

    @property
    def rate_limit(self) -> pubconfig.Rate | None:
        return pubconfig.parse_rate(self.settings.get("rate_limit"))

    @property
    def concurrency(self) -> int:
        value = self.settings.get("concurrency")
        return value if isinstance(value, int) else 1

    @property
    def limit(self) -> int:
        """The text limit, honouring an instance-specific `max_characters`."""
        override = self.settings.get("max_characters")
        return int(override) if isinstance(override, int) else self.capabilities.max_length


def read_channels(
    path: Path, raw: yamlsafe.YMap, problems: list[Problem]
) -> dict[str, ChannelConfig]:
    block = raw.get("channels")
    if block is None:
        problems.append(
            problem(
                "SP503",
                path,
                raw.line,
                "channels",
                _("no channels configured"),
                _("add a `channels:` mapping, e.g. mastodon: {type: mastodon, …}"),
            )
        )
        return {}
    if not isinstance(block, yamlsafe.YMap):
        problems.append(
            problem(
                "SP506", path, raw.line_of("channels"), "channels", _("channels must be a mapping")
            )
        )
        return {}
    channels: dict[str, ChannelConfig] = {}
    for name, settings in block.items():
        channel = _channel(path, name, settings, block.line_of(name), problems)
        if channel is not None:
            channels[name] = channel
    return channels


def _channel(
    path: Path, name: str, settings: Any, line: int, problems: list[Problem]
) -> ChannelConfig | None:
    where = f"channels.{name}"
    if not CHANNEL_NAME.match(name):
        problems.append(
            problem(
                "SP506",
                path,
                line,
                where,
                _("channel name {name!r} is not a simple name").format(name=name),
                _("use lower-case letters, digits, - and _"),
            )
        )
    if not isinstance(settings, yamlsafe.YMap):
        problems.append(problem("SP506", path, line, where, _("a channel must be a mapping")))
        return None
    kind = settings.get("type")
    if not isinstance(kind, str) or kind not in specs.CHANNEL_TYPES:
        if kind is None:
            problems.append(problem("SP503", path, line, f"{where}.type", _("channel has no type")))
        else:
            hint = did_you_mean(str(kind), specs.CHANNEL_TYPES) or (
                _("one of ") + ", ".join(specs.CHANNEL_TYPES)
            )
            problems.append(
                problem(
                    "SP505",
                    path,
                    settings.line_of("type"),
                    f"{where}.type",
                    _("unknown channel type {kind!r}").format(kind=kind),
                    hint,
                )
            )
        return None
    spec = specs.spec(kind)
    values = _settings(path, where, spec, settings, problems)
    return ChannelConfig(name=name, type=kind, settings=values, line=line)


def _settings(
    path: Path,
    where: str,
    spec: specs.ChannelSpec,
    settings: yamlsafe.YMap,
    problems: list[Problem],
) -> dict[str, Any]:
    allowed = spec.settings | COMMON_CHANNEL_KEYS
    values: dict[str, Any] = {}
    for key, value in settings.items():
        line = settings.line_of(key)
        if key not in allowed:
            hint = did_you_mean(key, allowed) or f"{spec.type} takes: {', '.join(sorted(allowed))}"
            problems.append(
                problem(
                    "SP502",
                    path,
                    line,
                    f"{where}.{key}",
                    _("unknown setting {key!r}").format(key=key),
                    hint,
                )
            )
        elif key in spec.secrets:
            values[key] = _secret(path, f"{where}.{key}", value, line, problems)
        elif key != "type":
            check_setting(path, f"{where}.{key}", key, value, line, problems)
            values[key] = value
    for key in sorted(spec.required - settings.keys()):
        problems.append(
            problem(
                "SP503",
                path,
                settings.line,
                f"{where}.{key}",
                _("{type} channel needs {key!r}").format(type=spec.type, key=key),
            )
        )
    return values


def _secret(
    path: Path, where: str, value: Any, line: int, problems: list[Problem]
) -> SecretRef | None:
    match = SECRET_REF.match(value) if isinstance(value, str) else None
    if match:
        return SecretRef(match.group(1))
    # Never echo the value: it may be a real token pasted by mistake.
    problems.append(
        problem(
            "SP504",
            path,
            line,
            where,
            _("secrets must not be written into the config file"),
            _(
                "write a reference such as ${MASTODON_TOKEN} and set that environment variable; "
                "if a real token was committed, revoke it"
            ),
        )
    )
    return None
