"""The `sources:` block of the config: which partner accounts the website shows.

```yaml
sources:
  feuerwehr:                       # the name: a slug, used in file names and page URLs
    kind: mastodon                 # rss | mastodon | bluesky
    url: https://social.example/@feuerwehr
    title: Freiwillige Feuerwehr   # shown on the site (default: the name)
    max_items: 50                  # newest items kept per fetch (default 50)
    department: Feuerwehren        # optional grouping on the site (default: the title)
  klinik:
    kind: bluesky
    url: klinikum.bsky.social      # a handle or DID
    appview: https://public.api.bsky.app
  stadt:
    kind: rss
    url: https://www.stadt.example/feed.xml   # RSS or Atom
  intranet:
    kind: rss
    url: https://intranet.landkreis.local/feed.xml
    allow_private: [10.20.0.0/16, intranet.landkreis.local]   # media from these may be internal
```

This module is imported while reading the config, so it loads no network libraries.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

KINDS = ("rss", "mastodon", "bluesky")
KEYS = ("kind", "url", "appview", "title", "max_items", "department", "allow_private")
DEFAULT_APPVIEW = "https://public.api.bsky.app"
DEFAULT_MAX_ITEMS = 50
#: more than this per source would make one partner drown the county's own posts
MAX_MAX_ITEMS = 1000
#: no "--": entry ids are "<source>--<item id>" and must split unambiguously
NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HANDLE = re.compile(r"^@?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$")
_DID = re.compile(r"^did:(plc|web):[a-zA-Z0-9._:%-]+$")
_MASTODON_PATH = re.compile(r"^/@([A-Za-z0-9_]+(@[A-Za-z0-9.-]+)?)/?$")
_HOST_NAME = re.compile(
    r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
ALLOW_EXAMPLE = "e.g. allow_private: [10.20.0.0/16, intranet.landkreis.local]"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str  # one of KINDS
    url: str  # feed URL, Mastodon account URL or Bluesky handle/DID
    title: str
    max_items: int = DEFAULT_MAX_ITEMS
    appview: str = DEFAULT_APPVIEW
    department: str = ""
    #: networks ("10.20.0.0/16") and host names whose media may be on internal addresses
    allow_private: tuple[str, ...] = ()

    @property
    def mastodon_account(self) -> tuple[str, str]:
        """(instance base URL, acct) of a Mastodon account URL like https://host/@name."""
        parts = urllib.parse.urlsplit(self.url)
        match = _MASTODON_PATH.match(parts.path)
        acct = match.group(1) if match else ""
        return f"{parts.scheme}://{parts.netloc}", acct

    @property
    def bluesky_actor(self) -> str:
        return self.url.removeprefix("@")


def read_sources(
    path: Path, raw: yamlsafe.YMap, problems: list[Problem]
) -> tuple[SourceConfig, ...]:
    """Every well-formed source of the `sources:` block; problems for the rest."""
    block = raw.get("sources")
    if block is None:
        return ()
    if not isinstance(block, yamlsafe.YMap):
        message = _("sources must be a mapping of source names to settings")
        problems.append(problem("SP506", path, raw.line_of("sources"), "sources", message))
        return ()
    found = (_read_one(path, name, block, problems) for name in block)
    return tuple(source for source in found if source is not None)


def _read_one(
    path: Path, name: str, block: yamlsafe.YMap, problems: list[Problem]
) -> SourceConfig | None:
    where = f"sources.{name}"
    line = block.line_of(name)
    before = len(problems)
    if not NAME_PATTERN.match(name):
        hint = _("use lowercase letters, digits and single hyphens, e.g. feuerwehr-musterstadt")
        problems.append(
            problem(
                "SP506",
                path,
                line,
                where,
                _("{name!r} is not a source name").format(name=name),
                hint,
            )
        )
    settings = block[name]
    if not isinstance(settings, yamlsafe.YMap):
        message = _("{where} must be a mapping with kind and url").format(where=where)
        problems.append(problem("SP506", path, line, where, message))
        return None
    _unknown_keys(path, where, settings, problems)
    for key in ("kind", "url"):
        if key not in settings:
            message = f"{where} needs {key}"
            problems.append(problem("SP503", path, settings.line, f"{where}.{key}", message))
    values = {key: _value(path, where, key, settings, problems) for key in KEYS if key in settings}
    if len(problems) > before or "kind" not in values or "url" not in values:
        return None
    return SourceConfig(
        name=name,
        kind=values["kind"],
        url=values["url"],
        title=values.get("title", name),
        max_items=values.get("max_items", DEFAULT_MAX_ITEMS),
        appview=values.get("appview", DEFAULT_APPVIEW).rstrip("/"),
        department=values.get("department", ""),
        allow_private=values.get("allow_private", ()),
    )


def _unknown_keys(path: Path, where: str, settings: yamlsafe.YMap, problems: list[Problem]) -> None:
    for key in settings:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or _("a source takes: ") + ", ".join(KEYS)
            message = _("unknown setting {key!r}").format(key=key)
            field = f"{where}.{key}"
            problems.append(problem("SP502", path, settings.line_of(key), field, message, hint))


def _value(
    path: Path, where: str, key: str, settings: yamlsafe.YMap, problems: list[Problem]
) -> Any:
    """The checked value of one setting; a problem (and None) when it is unusable."""
    if key == "allow_private":
        return _allow_list(path, f"{where}.{key}", settings, problems)
    value = settings[key]
    error, hint = _check(key, value, settings.get("kind"))
    if error:
        field = f"{where}.{key}"
        problems.append(problem("SP506", path, settings.line_of(key), field, error, hint))
        return None
    return value


def _check(key: str, value: Any, kind: Any) -> tuple[str, str]:
    """(error, hint) for a setting's value; ("", "") when it is fine."""
    if key == "max_items":
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole or not 1 <= value <= MAX_MAX_ITEMS:
            return _("max_items must be a whole number from 1 to {max_max_items}").format(
                max_max_items=MAX_MAX_ITEMS
            ), ""
        return "", ""
    if not isinstance(value, str) or not value.strip():
        return _("{key} must be a non-empty text").format(key=key), ""
    if key == "kind" and value not in KINDS:
        return _("unknown kind {value!r}").format(value=value), did_you_mean(
            value, KINDS
        ) or "kinds: " + ", ".join(KINDS)
    if key == "appview":
        if kind != "bluesky":
            return _("appview applies only to kind: bluesky"), _("remove it")
        if not _is_web_url(value):
            return _("appview must be an http(s) URL"), f"e.g. {DEFAULT_APPVIEW}"
    if key == "url" and kind in KINDS:
        return _check_url(kind, value)
    return "", ""


def _check_url(kind: str, value: str) -> tuple[str, str]:
    if kind == "bluesky":
        if _HANDLE.match(value) or _DID.match(value):
            return "", ""
        return _("url of a bluesky source must be a handle or DID"), "e.g. kreis.bsky.social"
    if not _is_web_url(value):
        return _("url must be an http(s) URL"), ""
    if kind == "mastodon" and not _MASTODON_PATH.match(urllib.parse.urlsplit(value).path):
        return (
            _("url of a mastodon source must be an account URL"),
            "e.g. https://social.example/@name",
        )
    return "", ""


def _is_web_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class BadEntry(ValueError):
    """An allow_private entry that is neither a network nor a host name."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _allow_list(
    path: Path, field: str, settings: yamlsafe.YMap, problems: list[Problem]
) -> tuple[str, ...] | None:
    """The allow-list's entries in their normal form; a problem for each bad entry."""
    value = settings["allow_private"]
    line = settings.line_of("allow_private")
    if isinstance(value, str):
        value = [value]  # one entry needs no list
    elif not isinstance(value, yamlsafe.YList):
        message = _("allow_private must be a list of networks and host names")
        problems.append(problem("SP506", path, line, field, message, ALLOW_EXAMPLE))
        return None
    lines = value.lines if isinstance(value, yamlsafe.YList) else [line]
    allowed: list[str] = []
    for entry, entry_line in zip(value, lines, strict=True):
        try:
            allowed.append(str(allowed_entry(entry)))
        except BadEntry as bad:
            problems.append(problem("SP506", path, entry_line, field, str(bad), bad.hint))
    return tuple(allowed)


def allowed_entry(entry: object) -> Network | str:
    """An allow_private entry: a network (one address is a /32 or /128) or a host name,
    lower-case; BadEntry for anything else."""
    if not isinstance(entry, str) or not entry.strip():
        raise BadEntry(
            _("{entry!r} is not a network or host name").format(entry=entry), ALLOW_EXAMPLE
        )
    text = entry.strip().lower().rstrip(".")
    try:
        return ipaddress.ip_network(text)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            network = ipaddress.ip_network(text, strict=False)
            raise BadEntry(
                _("{entry!r} has host bits set").format(entry=entry),
                _("did you mean {network}?").format(network=network),
            ) from None
    if "/" in text or ":" in text or text.replace(".", "").isdigit():
        hint = _("e.g. 10.20.0.0/16, 10.20.0.5 or fd00:20::/48 (quote IPv6 in YAML)")
        raise BadEntry(_("{entry!r} is not a valid network or address").format(entry=entry), hint)
    if not _HOST_NAME.match(text):
        hint = _("a host name like intranet.landkreis.local (no wildcards), or a network")
        raise BadEntry(_("{entry!r} is not a valid host name").format(entry=entry), hint)
    return text
