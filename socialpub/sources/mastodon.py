"""A Mastodon account's public posts, read through the instance's API without a token."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx

from socialpub.content.sourceconfig import SourceConfig
from socialpub.i18n import _
from socialpub.sources.items import FetchedItem, MediaLink, item_id, parse_time
from socialpub.sources.net import Answer, SourceFailed, get
from socialpub.sources.sanitize import clean_html, plain_text, shorten
from socialpub.sources.store import SourceState

#: the API's largest page
PAGE_LIMIT = 40


def fetch(
    client: httpx.Client, source: SourceConfig, state: SourceState
) -> tuple[list[FetchedItem] | None, SourceState]:
    """The account's newest posts (None when unchanged since the last fetch) and the new state."""
    instance, acct = source.mastodon_account
    account_id = state.account_id or _lookup(client, instance, acct)
    try:
        answer = _statuses(client, instance, account_id, source, state)
    except SourceFailed as exc:
        if not state.account_id or exc.status != 404:
            raise
        # the remembered account id is gone (account moved or re-created): look it up anew
        account_id = _lookup(client, instance, acct)
        answer = _statuses(client, instance, account_id, source, SourceState())
    if answer.not_modified:
        return None, replace(state, account_id=account_id)
    statuses = _json(answer.body)
    if not isinstance(statuses, list):
        raise SourceFailed(_("the statuses answer is not a list"))
    items = [_item(status) for status in statuses if _is_own_public_post(status)]
    return items, SourceState(source.url, answer.etag, answer.last_modified, account_id)


def _statuses(
    client: httpx.Client, instance: str, account_id: str, source: SourceConfig, state: SourceState
) -> Answer:
    return get(
        client,
        f"{instance}/api/v1/accounts/{account_id}/statuses",
        params={
            "exclude_replies": "true",
            "exclude_reblogs": "true",
            "limit": str(min(source.max_items, PAGE_LIMIT)),
        },
        etag=state.etag,
        last_modified=state.last_modified,
    )


def _lookup(client: httpx.Client, instance: str, acct: str) -> str:
    answer = get(client, f"{instance}/api/v1/accounts/lookup", params={"acct": acct})
    account = _json(answer.body)
    account_id = account.get("id") if isinstance(account, dict) else None
    if not isinstance(account_id, str | int) or not str(account_id).isalnum():
        raise SourceFailed(_("account lookup for {acct!r} gave no account id").format(acct=acct))
    return str(account_id)


def _is_own_public_post(status: Any) -> bool:
    return (
        isinstance(status, dict)
        and not status.get("reblog")
        and status.get("visibility", "public") in ("public", "unlisted")
        and bool(status.get("id"))
    )


def _item(status: dict[str, Any]) -> FetchedItem:
    html = clean_html(str(status.get("content") or ""))
    account = status.get("account") or {}
    warning = str(status.get("spoiler_text") or "").strip()
    published = parse_time(status.get("created_at"))
    return FetchedItem(
        id=item_id(str(status["id"])),
        url=str(status.get("url") or status.get("uri") or ""),
        author=str(account.get("display_name") or account.get("acct") or ""),
        published=published,
        updated=parse_time(status.get("edited_at")) or published,
        title=warning or shorten(plain_text(html)) or "(ohne Text)",
        html=html,
        lang=str(status.get("language") or ""),
        tags=tuple(str(t["name"]) for t in status.get("tags") or () if t.get("name")),
        media=tuple(
            MediaLink(str(m["url"]), str(m.get("description") or ""))
            for m in status.get("media_attachments") or ()
            if m.get("type") == "image" and m.get("url")
        ),
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise SourceFailed(_("the instance answered with invalid JSON")) from None
