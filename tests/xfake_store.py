"""What the fake X server keeps: posts and media uploads, and how a post is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Tweet:
    id: str
    author: str
    text: str
    created_at: datetime
    media_ids: list[str] = field(default_factory=list)
    reply_to: str | None = None
    edit_history: list[str] = field(default_factory=list)  # ids, oldest first, this one last
    deleted: bool = False
    superseded: bool = False  # an edit replaced it


@dataclass
class Media:
    id: str
    owner: str
    category: str
    media_type: str
    data: bytes = b""
    total_bytes: int = 0
    segments: dict[int, bytes] = field(default_factory=dict)
    state: str = "succeeded"  # pending, in_progress, succeeded
    polls_left: int = 0
    alt: str | None = None


def fields_of(tweet: Tweet, fields: list[str]) -> dict[str, Any]:
    """A post as `GET /2/users/{id}/tweets` shows it: id and text, and what was asked for."""
    shown: dict[str, Any] = {"id": tweet.id, "text": tweet.text}
    if "created_at" in fields:
        shown["created_at"] = _stamp(tweet.created_at)
    if "referenced_tweets" in fields and tweet.reply_to:
        shown["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
    if "edit_history_tweet_ids" in fields:
        shown["edit_history_tweet_ids"] = tweet.edit_history
    return shown


def _stamp(moment: datetime) -> str:
    """X's form of a time: 2026-12-03T16:24:24.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
