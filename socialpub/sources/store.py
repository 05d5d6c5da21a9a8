"""The archive of partner items in the repo: one JSON file per item, written atomically.

```
sources/<source>/<item id>.json    one item (pretty-printed, sorted keys: small git diffs)
sources/<source>/media/<hash>.jpg  its images, metadata stripped
sources/<source>/_source.json      ETag / Last-Modified of the last fetch (polite re-fetching)
```

A re-fetch rewrites an item only when something in it changed, and nothing is ever deleted:
the archive keeps what a partner later removes from the platform.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.content.sourceconfig import NAME_PATTERN, SourceConfig
from socialpub.content.textfile import atomic_write
from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.site.model import Entry, Picture
from socialpub.sources.items import SAFE_ID, Item, StoredMedia

SOURCES_DIR = "sources"
STATE_FILE = "_source.json"
_PICTURE_KINDS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp", ".gif": "gif"}


@dataclass(frozen=True)
class SourceState:
    """What the last fetch of a source learned; stale when the source's URL changed."""

    url: str = ""
    etag: str = ""
    last_modified: str = ""
    account_id: str = ""  # Mastodon: saves the account lookup on every later fetch


def source_dir(root: Path, source: str) -> Path:
    return root / SOURCES_DIR / source


def item_path(root: Path, source: str, item: str) -> Path:
    return source_dir(root, source) / f"{item}.json"


def read_state(root: Path, source: SourceConfig) -> SourceState:
    path = source_dir(root, source.name) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = SourceState(**{k: str(v) for k, v in data.items() if k in _STATE_KEYS})
    except (OSError, ValueError, TypeError, AttributeError):
        return SourceState(url=source.url)
    return state if state.url == source.url else SourceState(url=source.url)


def save_state(root: Path, source: str, state: SourceState) -> None:
    path = source_dir(root, source) / STATE_FILE
    data = _dump(asdict(state))
    if not path.exists() or path.read_bytes() != data:
        atomic_write(path, data)


def read_item(path: Path) -> Item:
    """One stored item; ContentError naming the file when it cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ContentError(
            _("{path}: not a readable source item ({name}: {exc})").format(
                path=path, name=type(exc).__name__, exc=exc
            ),
            hint=_("fix or delete the file; `socialpub sources fetch` writes it again"),
        ) from None


def save_item(root: Path, item: Item) -> str:
    """Store the item: "new", "changed" or "unchanged" (then the file is not touched).

    When the item is already stored, its first_seen time is kept.
    """
    path = item_path(root, item.source, item.id)
    old = read_item(path) if path.exists() else None
    if old is not None:
        item = replace(item, first_seen=old.first_seen)
    data = _dump(_to_json(item))
    if old is not None and path.read_bytes() == data:
        return "unchanged"
    atomic_write(path, data)
    return "new" if old is None else "changed"


def stored_item(root: Path, source: str, item: str) -> Item | None:
    path = item_path(root, source, item)
    return read_item(path) if path.exists() else None


def load_items(root: Path, sources: Iterable[SourceConfig] = ()) -> list[Entry]:
    """Every stored item as a site Entry, newest first.

    Items of sources no longer configured stay (it is an archive); `sources` only supplies
    current titles and departments. HTML is sanitized again: the files may be hand-edited.
    """
    configured = {source.name: source for source in sources}
    entries = [_entry(item, configured.get(item.source)) for item in _stored_items(root)]
    entries.sort(key=lambda entry: (entry.published, entry.id), reverse=True)
    return entries


def _stored_items(root: Path) -> Iterator[Item]:
    base = root / SOURCES_DIR
    if not base.is_dir():
        return
    for folder in sorted(base.iterdir()):
        if not folder.is_dir() or not NAME_PATTERN.match(folder.name):
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name != STATE_FILE:
                yield read_item(path)


def _entry(item: Item, source: SourceConfig | None) -> Entry:
    from socialpub.sources.sanitize import clean_html, plain_text  # only when there are items

    title = source.title if source else (item.source_title or item.source)
    department = (source.department if source else item.department) or title
    html = clean_html(item.html)
    return Entry(
        id=f"{item.source}--{item.id}",
        title=item.title,
        html=html,
        text=plain_text(html),
        published=item.published,
        updated=item.updated,
        lang=item.lang or "de",
        tags=item.tags,
        author=item.author,
        department=department,
        source=item.source,
        original_url=item.url,
        media=tuple(_picture(medium) for medium in item.media),
    )


def _picture(medium: StoredMedia) -> Picture:
    kind = _PICTURE_KINDS.get(Path(medium.path).suffix.lower(), "jpeg")
    return Picture(
        src=medium.path, kind=kind, alt=medium.alt, width=medium.width, height=medium.height
    )


_STATE_KEYS = frozenset(SourceState.__dataclass_fields__)


def _dump(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _to_json(item: Item) -> dict[str, Any]:
    data = asdict(item)
    for key in ("published", "updated", "first_seen"):
        data[key] = getattr(item, key).isoformat()
    data["tags"] = list(item.tags)
    data["media"] = [asdict(medium) for medium in item.media]
    return data


def _from_json(data: dict[str, Any]) -> Item:
    fields = dict(data)
    for key in ("published", "updated", "first_seen"):
        fields[key] = _aware(fields[key])
    fields["tags"] = tuple(str(tag) for tag in fields.get("tags", ()))
    fields["media"] = tuple(StoredMedia(**medium) for medium in fields.get("media", ()))
    item = Item(**fields)
    if not NAME_PATTERN.match(item.source) or not SAFE_ID.match(item.id):
        raise ValueError("source or id is not a safe name")
    media_dir = f"{SOURCES_DIR}/{item.source}/media/"
    for medium in item.media:  # the site copies these files: they must not lie elsewhere
        if not medium.path.startswith(media_dir) or ".." in medium.path or "\\" in medium.path:
            raise ValueError(f"media path {medium.path!r} is not in {media_dir}")
    return item


def _aware(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"time without a timezone: {value}")
    return moment
