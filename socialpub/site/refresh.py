"""Build the site from everything the repository holds: posts, ledger and partner items.

Used by `socialpub site build`, and by `socialpub publish` for the website channel: the site
is built before the run (so every due post's page exists when the delivery is recorded) and
after it (so each page's "Auch auf" list shows the copies just published).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from socialpub.config import Config
from socialpub.ledger import Ledger
from socialpub.site.build import BuildReport, build_site, site_settings
from socialpub.sources.store import load_items


def rebuild(config: Config, *, now: datetime, out_dir: Path | None = None) -> BuildReport:
    target = out_dir or site_settings(config).out_dir
    items = load_items(config.root, config.sources)
    return build_site(config, target, now=now, ledger=Ledger(config.root), source_entries=items)
