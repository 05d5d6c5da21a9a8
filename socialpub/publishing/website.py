"""Build the site from everything the repository holds: posts, ledger and partner items.

Used by `socialpub site build`, and by `socialpub publish` for the website channel: the site
is built before the run (so every due post's page exists when the delivery is recorded) and
after it (so each page's "Auch auf" list shows the copies just published).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from socialpub.content.config import Config
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.site.build import BuildReport, build_site, site_settings
from socialpub.site.model import Copy
from socialpub.sources.store import load_items
from socialpub.workflow.approvalgate import unapproved_website_posts


def rebuild(config: Config, *, now: datetime, out_dir: Path | None = None) -> BuildReport:
    target = out_dir or site_settings(config).out_dir
    items = load_items(config.root, config.sources)
    copies = site_copies(Ledger(config.root).records())
    withheld = unapproved_website_posts(config)
    return build_site(
        config, target, now=now, copies=copies, source_entries=items, withheld=withheld
    )


def site_copies(records: Iterable[Record]) -> list[Copy]:
    """What the site shows of the ledger: where each post went, and whether it is there."""
    return [
        Copy(
            post=r.post,
            channel=r.channel,
            type=r.type,
            url=r.url,
            published_at=r.published_at,
            live=r.state is State.PUBLISHED,
        )
        for r in records
    ]
