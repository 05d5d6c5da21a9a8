"""`doctor` for X: `GET /2/users/me` with the channel's credentials (OAuth 1.0a signed, or the
OAuth 2.0 user token, refreshed as publishing would): whose account, and whether it is the
one `user_id` names. X's v2 API reports neither scopes nor an expiry for either kind of
token; an OAuth 2.0 token without `refresh_token` lives only two hours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from socialpub.channels.probe import Finding, Identity, Status, note
from socialpub.channels.x import XAdapter
from socialpub.channels.x_api import RENEW
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, XAdapter)
    answer = adapter.api(http).call("GET", "/2/users/me", idempotent=True)
    user = answer.get("data") if isinstance(answer, Mapping) else None
    user = user if isinstance(user, Mapping) else {}
    name = adapter.channel.name
    notes: list[Finding] = []
    if str(user.get("id", "")) != adapter.settings.user_id:
        notes.append(
            note(
                "owner",
                name,
                Status.error,
                _("the credentials are for user {get}, the channel's user_id is {user_id}").format(
                    get=user.get("id"), user_id=adapter.settings.user_id
                ),
                _("correct user_id, or use the county account's access token"),
            )
        )
    if adapter.settings.oauth2 and "refresh_token" not in adapter.channel.settings:
        notes.append(
            note(
                "expiry",
                name,
                Status.warning,
                _("an OAuth 2.0 token without refresh_token lives two hours"),
                _("add refresh_token (scope offline.access) and client_id, or use OAuth 1.0a"),
            )
        )
    return Identity(
        who=f"@{user.get('username', '?')} (id {user.get('id', '?')})",
        renew=_(RENEW),
        notes=tuple(notes),
    )
