"""`doctor` for LinkedIn: the token introspected (`POST /oauth/v2/introspectToken` on
www.linkedin.com with the app's `client_id` and `client_secret`: active or expired or
revoked, its scopes, its expiry) when the channel has the app's credentials, and in any case
one read of the page's posts with the token, which shows it works for the organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from socialpub.channels.linkedin import LinkedInAdapter
from socialpub.channels.linkedin_errors import RENEW, api_token
from socialpub.channels.probe import Identity, Status, epoch, note
from socialpub.errors import AuthFailed
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

OAUTH_BASE = "https://www.linkedin.com"
NEEDED = frozenset({"w_organization_social"})
WANTED = frozenset({"r_organization_social"})  # reconcile reads the page's posts


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, LinkedInAdapter)
    name, settings = adapter.channel.name, adapter.channel.settings
    info = _introspect(adapter, http) if "client_secret" in settings else None
    params = {"author": adapter.author, "q": "author", "count": 1}
    adapter.call(
        http, "GET", "/posts", idempotent=True, params=params, headers={"X-RestLi-Method": "FINDER"}
    )
    if info is None:
        return Identity(
            who=f"a token that may read {adapter.author}'s posts",
            renew=_(RENEW),
            notes=(
                note(
                    "scopes",
                    name,
                    Status.warning,
                    _("scopes and expiry not checked"),
                    _(
                        "add client_id and client_secret: ${…} (the LinkedIn app's) to the "
                        "channel so doctor can introspect the token"
                    ),
                ),
            ),
        )
    scope = info.get("scope")
    return Identity(
        who=f"{info.get('auth_type', '3L')} token of app {info.get('client_id', '?')} "
        f"for {adapter.author}",
        scopes=frozenset(s.strip() for s in scope.split(",")) if isinstance(scope, str) else None,
        needed=NEEDED,
        wanted=WANTED,
        expires_at=epoch(info.get("expires_at")),
        renew=_(RENEW),
    )


def _introspect(adapter: LinkedInAdapter, http: Http) -> Mapping[str, Any]:
    settings = adapter.channel.settings
    base = str(settings.get("oauth_base") or OAUTH_BASE).rstrip("/")
    form = {
        "client_id": str(settings.get("client_id") or ""),
        "client_secret": http.secret("client_secret"),
        "token": api_token(http, adapter.channel.name),
    }
    response = http.request("POST", f"{base}/oauth/v2/introspectToken", idempotent=True, data=form)
    info = http.json(response)
    info = info if isinstance(info, Mapping) else {}
    if info.get("active") is not True:
        status = str(info.get("status") or "inactive")
        raise AuthFailed(
            _("{name}: LinkedIn says the token is {status}").format(
                name=adapter.channel.name, status=status
            ),
            hint=_(RENEW),
        )
    return info
