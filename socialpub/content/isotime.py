"""ISO 8601 times as press officers write them in posts (publish_at, expires_at)."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime

#: the forms press officers write, which datetime reads as dateutil does (and ~20× faster)
_PLAIN_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)


def isoparse(text: str) -> datetime:
    """ISO 8601 as dateutil's isoparse reads it."""
    if _PLAIN_ISO.fullmatch(text):
        with contextlib.suppress(ValueError):  # 24:00, which only dateutil reads
            return datetime.fromisoformat(text)
    from dateutil import parser as dateparser  # ~15 ms to import: only for unusual forms

    return dateparser.isoparse(text)
