"""Access tokens in the fake Meta Graph server: what `GET /debug_token` reports about each
(Meta's "Debug Access Token" reference, the same on graph.facebook.com and
graph.threads.net), and expiry (a call with an expired token is refused with code 190,
subcode 463, as Meta does).

Response shape, from Meta's docs: `{"data": {"type", "application", "app_id",
"data_access_expires_at", "expires_at", "is_valid", "issued_at", "scopes", "user_id"}}`;
`expires_at` 0 means the token never expires (Page tokens from a long-lived user token);
a Page token also names its Page as `profile_id`. The fake's choices: the app is called
"Landkreis Publisher", every Facebook-side token belongs to user 10001."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.metagraph_wire import GraphError, Request

if TYPE_CHECKING:
    from tests.metagraph_store import Account, Family, Store

APP = ("Landkreis Publisher", "555000111")
FB_USER = "10001"
#: what a token of each kind may do unless a test says otherwise
SCOPES = {
    "page": ("pages_manage_posts", "pages_read_engagement", "pages_show_list"),
    "instagram": ("instagram_basic", "instagram_content_publish", "pages_read_engagement"),
    "threads": (
        "threads_basic", "threads_content_publish", "threads_delete",
        "threads_manage_replies", "threads_read_replies",
    ),
}  # fmt: skip
LIFETIME = timedelta(days=60)  # long-lived user and Threads tokens


@dataclass(frozen=True)
class TokenMeta:
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None  # None: never


def default_meta(account: Account, now: datetime) -> TokenMeta:
    lasts = None if account.kind == "page" else now + LIFETIME
    return TokenMeta(SCOPES[account.kind], now, lasts)


def check_expiry(store: Store, token: str) -> None:
    meta = store.token_meta.get(token)
    if meta is not None and meta.expires_at is not None and meta.expires_at <= store.now():
        when = meta.expires_at.strftime("%A, %d-%b-%y %H:%M:%S UTC")
        raise GraphError(
            400, 190, f"Error validating access token: Session has expired on {when}.",
            subcode=463,
        )  # fmt: skip


def debug_token(store: Store, request: Request) -> dict[str, Any]:
    if request.method != "GET":
        raise GraphError(400, 100, f"Unsupported {request.method} request.")
    from tests.metagraph_facebook import check_params  # it imports the store, which imports us

    check_params(request, frozenset({"input_token"}))
    if store.debug_needs_app_token:
        # Meta's rule ("an app access token or … a developer of the app"), the fake's words
        message = "(#100) You must provide an app access token, or a user access token that "
        raise GraphError(400, 100, message + "is an owner or developer of the app")
    token = request.params.get("input_token", "")
    if not token:
        raise GraphError(400, 100, "(#100) The parameter input_token is required")
    family: Family = "threads" if request.version == "v1.0" else "facebook"
    account = store.account_for(family, token)
    meta = store.token_meta.get(token)
    if account is None or meta is None:
        return {"data": {"is_valid": False, "scopes": [], "error": {
            "code": 190, "message": "Invalid OAuth access token - Cannot parse access token",
        }}}  # fmt: skip
    expired = meta.expires_at is not None and meta.expires_at <= store.now()
    data: dict[str, Any] = {
        "app_id": APP[1],
        "type": "PAGE" if account.kind == "page" else "USER",
        "application": APP[0],
        "data_access_expires_at": _epoch(meta.issued_at + timedelta(days=90)),
        "expires_at": _epoch(meta.expires_at) if meta.expires_at else 0,
        "is_valid": not expired,
        "issued_at": _epoch(meta.issued_at),
        "scopes": list(meta.scopes),
        "user_id": account.id if account.kind == "threads" else FB_USER,
    }
    if account.kind == "page":
        data["profile_id"] = account.id
    if expired:
        data["error"] = {"code": 190, "subcode": 463, "message": "Session has expired"}
    return {"data": data}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())
