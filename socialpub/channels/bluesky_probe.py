"""`doctor` for Bluesky: a session made (or the cached one refreshed) with the app password,
exactly as publishing does, then `com.atproto.server.getSession`: whose account, and whether
the PDS still lets it post (`active`; else `status`: takendown, suspended, deactivated).
App passwords carry no scopes and do not expire until revoked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from socialpub.channels.bluesky import BlueskyAdapter
from socialpub.channels.probe import Finding, Identity, Status, note
from socialpub.i18n import N_, _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

RENEW = N_("in Bluesky under Settings › Privacy and security › App passwords, create a new one")


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, BlueskyAdapter)
    answer = adapter.xrpc.call(http, "GET", "com.atproto.server.getSession", idempotent=True)
    data = answer if isinstance(answer, Mapping) else {}
    handle, did = str(data.get("handle", "")), str(data.get("did", ""))
    notes: tuple[Finding, ...] = ()
    if data.get("active") is False:
        why = str(data.get("status") or "inactive")
        notes = (
            note(
                "account",
                adapter.channel.name,
                Status.error,
                _("the PDS reports the account as {why}: it cannot post").format(why=why),
                _("sign in to Bluesky to see why, and reactivate the account"),
            ),
        )
    return Identity(who=f"@{handle} ({did})", renew=_(RENEW), notes=notes)
