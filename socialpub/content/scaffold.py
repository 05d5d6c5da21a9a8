"""`socialpub init` (a new posts repository) and `socialpub new` (a new draft post)."""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from socialpub.content import gitrepo
from socialpub.content.config import CONFIG_NAME, Config, require_channels
from socialpub.content.posts import discover, quick_ids
from socialpub.errors import InputError
from socialpub.i18n import _

_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)
MAX_SLUG = 60

STARTER_CONFIG = """\
# socialpub configuration — see README.md › Config.
# Secrets are never written here: use ${ENVIRONMENT_VARIABLE} references.
timezone: Europe/Berlin
lang: de
# the language of socialpub's messages: de (Deutsch) or en (English)
ui_lang: de
posts_dir: posts
templates_dir: templates

channels:
  mastodon:
    type: mastodon
    instance: https://mastodon.example
    token: ${MASTODON_TOKEN}
  website:
    type: website
    base_url: https://www.landkreis.example/aktuelles
"""

STARTER_POST = """\
---
id: willkommen
title: Willkommen bei socialpub
status: draft
author: Pressestelle
tags: [Landkreis]
---
Dies ist ein Beispielbeitrag. Schreiben Sie den Text in **Markdown**.
Prüfen Sie ihn mit `socialpub validate` und sehen Sie die Vorschau mit `socialpub preview`.
"""

STARTER_TEMPLATE = """\
{#- Example: layout for every Mastodon channel. Delete this file to use the built-in one.
    Available: title, body, link, hashtags, tags, post, channel. -#}
{{ body }}
{%- if link %}

{{ link }}
{%- endif %}
{%- if hashtags %}

{{ hashtags }}
{%- endif %}
"""

# The ledger (.socialpub/ledger) is committed; caches, private state and the built site are not.
GITIGNORE = ".socialpub/cache/\n.socialpub/state/\n.socialpub/lock\n/site/\n"


def init_repo(directory: Path) -> tuple[list[Path], list[Path]]:
    """Write the starter files that do not exist yet; returns (created, kept)."""
    files = {
        directory / CONFIG_NAME: STARTER_CONFIG,
        directory / "posts" / "willkommen.md": STARTER_POST,
        directory / "templates" / "mastodon.j2": STARTER_TEMPLATE,
        directory / ".gitignore": GITIGNORE,
    }
    return write_missing(files)


def write_missing(files: Mapping[Path, str]) -> tuple[list[Path], list[Path]]:
    """Write each file that does not exist yet, never one that does; returns (created, kept)."""
    created: list[Path] = []
    kept: list[Path] = []
    for path, text in files.items():
        if path.exists():
            kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created, kept


class GitSetup(enum.StrEnum):
    INITIALISED = "initialised"  # `git init` ran in the new folder
    EXISTING = "existing"  # the folder is already inside a git work tree: no nested repository
    UNAVAILABLE = "unavailable"  # git is not installed: publishing needs it


def init_git(directory: Path) -> GitSetup:
    """The ledger lives in git, so a new posts repository is a git repository."""
    if not gitrepo.git_installed():
        return GitSetup.UNAVAILABLE
    if gitrepo.inside_work_tree(directory):
        return GitSetup.EXISTING
    gitrepo.init_repository(directory)
    return GitSetup.INITIALISED


def slugify(title: str) -> str:
    """A readable id from a title: "Kreistag tagt" → "kreistag-tagt"."""
    text = unicodedata.normalize("NFKD", title.translate(_TRANSLITERATION))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:MAX_SLUG].rstrip("-") or "beitrag"


def new_post(config: Config, title: str, channels: Sequence[str], *, today: date) -> Path:
    if not title.strip():
        raise InputError(
            _("the title is empty"), hint=_('socialpub new "Kreistag tagt am 3. Dezember"')
        )
    require_channels(config, channels)
    taken = _existing_ids(config)
    base = slugify(title)
    post_id = base
    counter = 2
    while post_id in taken:
        post_id = f"{base}-{counter}"
        counter += 1
    folder = config.posts_dir / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{post_id}.md"
    path.write_text(_post_text(post_id, title.strip(), channels), encoding="utf-8")
    return path


def _existing_ids(config: Config) -> set[str]:
    return {post_id for file in discover([], config.posts_dir) for post_id in quick_ids(file)}


def _post_text(post_id: str, title: str, channels: Sequence[str]) -> str:
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a valid YAML scalar
    lines = ["---", f"id: {post_id}", f"title: {quoted}", "status: draft"]
    if channels:
        lines.append(f"channels: [{', '.join(channels)}]")
    lines += ["tags: []", "---", "Text des Beitrags in Markdown.", ""]
    return "\n".join(lines)
