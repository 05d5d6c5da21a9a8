"""`doctor` for Mastodon: `GET /api/v1/accounts/verify_credentials` (whose token) and
`GET /api/v1/apps/verify_credentials` (the scopes of the app the token was made for; an
instance that does not say, or a token made without an app, leaves them unknown).
Mastodon tokens do not expire until revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialpub.channels.mastodon import MastodonAdapter
from socialpub.channels.mastodon_api import MastodonApi, text
from socialpub.channels.probe import Identity
from socialpub.errors import AuthFailed, Rejected
from socialpub.i18n import N_, _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

NEEDED = frozenset({"write:statuses", "write:media"})
#: reading the account's statuses: reconcile, and the instance's limits
WANTED = frozenset({"read:statuses"})
RENEW = N_(
    "in Mastodon under Preferences › Development, create an application with the scopes "
    "read:statuses, write:statuses and write:media, and export its access token"
)


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, MastodonAdapter)
    client = MastodonApi(http, adapter.settings.instance, adapter.channel.name)
    account = client.call("GET", "/api/v1/accounts/verify_credentials")
    acct = text(account, "acct") or text(account, "username")
    host = adapter.settings.instance.split("://")[-1]
    try:
        app = client.call("GET", "/api/v1/apps/verify_credentials")
    except (AuthFailed, Rejected):  # a token without an app: its scopes are not told
        app = {}
    scopes = app.get("scopes") if isinstance(app, dict) else None
    return Identity(
        who=f"@{acct}@{host}" + (f" (app {text(app, 'name')})" if text(app, "name") else ""),
        scopes=frozenset(str(s) for s in scopes) if isinstance(scopes, list) else None,
        needed=NEEDED,
        wanted=WANTED,
        renew=_(RENEW),
    )
