"""Load and check `socialpub.yaml`: timezone, language, folders and channels (the channels
and their secrets in `channelconfig.py`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialpub.content import pubconfig, yamlsafe
from socialpub.content.channelconfig import (
    CHANNEL_NAME as CHANNEL_NAME,
)
from socialpub.content.channelconfig import (
    COMMON_CHANNEL_KEYS as COMMON_CHANNEL_KEYS,
)
from socialpub.content.channelconfig import SECRET_REF as SECRET_REF
from socialpub.content.channelconfig import ChannelConfig as ChannelConfig
from socialpub.content.channelconfig import SecretRef as SecretRef
from socialpub.content.channelconfig import read_channels
from socialpub.content.codes import problem
from socialpub.content.corrections import Policy, read_corrections
from socialpub.content.etiquetteconfig import Etiquette, read_etiquette
from socialpub.content.schema import LANG_PATTERN
from socialpub.content.sourceconfig import SourceConfig, read_sources
from socialpub.content.textfile import DecodeProblem, decode, did_you_mean
from socialpub.content.uilang import read_ui_lang
from socialpub.content.workflowconfig import WorkflowConfig, read_workflow
from socialpub.errors import ConfigError, UnknownChannel
from socialpub.i18n import _
from socialpub.models import Problem

CONFIG_NAME = "socialpub.yaml"
ENV_VAR = "SOCIALPUB_CONFIG"
#: blocks of settings
SECTIONS = ("channels", "publish", "sources", "etiquette", "workflow", "corrections")
TOP_KEYS = ("timezone", "lang", "ui_lang", "posts_dir", "templates_dir", *SECTIONS)


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    timezone: ZoneInfo
    lang: str
    posts_dir: Path
    templates_dir: Path
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)
    publish: pubconfig.PublishSettings = field(default_factory=pubconfig.PublishSettings)
    sources: tuple[SourceConfig, ...] = ()  # partner accounts gathered on the website
    corrections: Policy = field(default_factory=Policy)  # content/corrections.py
    etiquette: Etiquette | None = None  # house rules for posts; None: no etiquette rules
    #: hash of the config file's bytes: cached validation results depend on it
    fingerprint: str = ""
    #: departments, approvers and policy; None: `status: approved` is the permission
    workflow: WorkflowConfig | None = None
    #: the language of socialpub's own messages (de, en); None: SOCIALPUB_LANG, else the locale
    ui_lang: str | None = None


DEFAULT_SITE_DIR = "site"


def site_folder(root: Path, channel: ChannelConfig) -> Path:
    """Where a website channel's site is written: its `out_dir` (default `site`) in the
    repository."""
    return root / str(channel.settings.get("out_dir") or DEFAULT_SITE_DIR)


def site_page(post_id: str) -> str:
    """A post's page in the site, relative to its root: `posts/<id>/` (an `index.html`)."""
    return f"posts/{post_id}/"


def site_url(channel: ChannelConfig, post_id: str) -> str:
    """A post's public address: the website channel's `base_url` and the page (without a
    `base_url`, the page's path alone)."""
    base = str(channel.settings.get("base_url") or "")
    return (base.rstrip("/") + "/" if base else "") + site_page(post_id)


def channel_hint(name: str, channels: Iterable[str]) -> str:
    """A did-you-mean for a channel name, or the list of configured channels."""
    names = list(channels)
    return did_you_mean(name, names) or "configured: " + (", ".join(names) or "(none)")


def require_channels(config: Config, names: Iterable[str]) -> None:
    """Raise UnknownChannel for the first name the config does not define."""
    for name in names:
        if name not in config.channels:
            raise UnknownChannel(
                _("unknown channel {name!r}").format(name=name),
                hint=channel_hint(name, config.channels),
            )


def find_config(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """--config FILE, else $SOCIALPUB_CONFIG, else socialpub.yaml here or in a parent folder."""
    chosen = explicit or environ.get(ENV_VAR)
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError(
                _("config file {chosen} not found").format(chosen=chosen),
                hint=_("check the path given to --config"),
            )
        return path
    for folder in (cwd, *cwd.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ConfigError(
        _("no {config_name} found in {cwd} or its parent folders").format(
            config_name=CONFIG_NAME, cwd=cwd
        ),
        hint=_("run `socialpub init` to create one, or pass --config FILE"),
    )


def load_config(path: Path) -> Config:
    """Read and check a config file; raises ConfigError carrying every problem found."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            _("cannot read config {path}: {strerror}").format(path=path, strerror=exc.strerror)
        ) from None
    problems: list[Problem] = []
    raw = _parse(path, data, problems)
    config = _build(path, raw, problems) if raw is not None else None
    errors = [p for p in problems if p.severity.value == "error"]
    if errors or config is None:
        first = errors[0] if errors else problems[0]
        raise ConfigError(
            f"{first.file}:{first.line}: {first.message}", hint=first.hint, problems=problems
        )
    return config


def _parse(path: Path, data: bytes, problems: list[Problem]) -> yamlsafe.YMap | None:
    try:
        raw = yamlsafe.load(decode(data))
    except DecodeProblem as exc:
        problems.append(problem("SP001", path, exc.line, "", exc.message))
        return None
    except yamlsafe.YamlProblem as exc:
        problems.append(problem("SP501", path, exc.line, "", exc.message, exc.hint))
        return None
    if raw is None:
        raw = yamlsafe.YMap(1)
    if not isinstance(raw, yamlsafe.YMap):
        problems.append(problem("SP501", path, 1, "", _("the config must be a mapping of keys")))
        return None
    return raw


def _build(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> Config | None:
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(
                problem(
                    "SP502",
                    path,
                    raw.line_of(key),
                    key,
                    _("unknown config key {key!r}").format(key=key),
                    did_you_mean(key, TOP_KEYS),
                )
            )
    root = path.resolve().parent
    timezone = _timezone(path, raw, problems)
    lang = _text(path, raw, "lang", "de", problems)
    if not LANG_PATTERN.match(lang):
        problems.append(
            problem(
                "SP506",
                path,
                raw.line_of("lang"),
                "lang",
                _("{lang!r} is not a language tag").format(lang=lang),
            )
        )
    ui_lang = read_ui_lang(path, raw, problems)
    posts_folder = _text(path, raw, "posts_dir", "posts", problems)
    posts_dir = root / posts_folder
    templates_dir = root / _text(path, raw, "templates_dir", "templates", problems)
    channels = read_channels(path, raw, problems)
    publish = pubconfig.read_publish(path, raw, problems)
    sources = read_sources(path, raw, problems)
    corrections = read_corrections(path, raw, problems)
    etiquette = read_etiquette(path, raw, posts_folder, timezone or ZoneInfo("UTC"), problems)
    workflow = read_workflow(path, raw, channels, problems)
    if timezone is None:
        return None
    return Config(
        path=path,
        root=root,
        timezone=timezone,
        lang=lang,
        posts_dir=posts_dir,
        templates_dir=templates_dir,
        channels=channels,
        publish=publish,
        sources=sources,
        corrections=corrections,
        etiquette=etiquette,
        fingerprint=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
        workflow=workflow,
        ui_lang=ui_lang,
    )


def _text(path: Path, raw: yamlsafe.YMap, key: str, default: str, problems: list[Problem]) -> str:
    value = raw.get(key, default)
    if isinstance(value, str) and value:
        return value
    problems.append(
        problem(
            "SP506",
            path,
            raw.line_of(key),
            key,
            _("{key} must be a non-empty text").format(key=key),
        )
    )
    return default


def _timezone(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> ZoneInfo | None:
    name = _text(path, raw, "timezone", "Europe/Berlin", problems)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            problem(
                "SP506",
                path,
                raw.line_of("timezone"),
                "timezone",
                _("unknown timezone {name!r}").format(name=name),
                _("use an IANA name such as Europe/Berlin"),
            )
        )
        return None
