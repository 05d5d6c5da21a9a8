"""`doctor` for Facebook Pages, Instagram and Threads: Meta's `GET /debug_token` (whose token,
valid, its scopes and expiry: the same endpoint on graph.facebook.com and graph.threads.net)
and the 24-hour publishing quotas Instagram (`content_publishing_limit`) and Threads
(`threads_publishing_limit`) report.

`debug_token` takes the token to inspect only as the `input_token` query parameter; the
token that authorises the call goes in the Authorization header as everywhere. Http strips
the query from every message and redacts the token from httpx's log lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from socialpub.channels import facebook, instagram, meta, threads
from socialpub.channels.meta_data import dig
from socialpub.channels.probe import Finding, Identity, Status, epoch, note
from socialpub.errors import AuthFailed, Rejected
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

#: per type: Graph host, service name, scopes publishing needs, scopes delete/reconcile need
_FAMILY: dict[str, tuple[str, str, frozenset[str], frozenset[str], str]] = {
    "facebook": (
        meta.GRAPH_BASE,
        "Facebook",
        frozenset({"pages_manage_posts", "pages_read_engagement"}),
        frozenset({"pages_show_list"}),
        facebook.RENEW,
    ),
    "instagram": (
        meta.GRAPH_BASE,
        "Instagram",
        frozenset({"instagram_basic", "instagram_content_publish"}),
        frozenset({"pages_read_engagement"}),
        instagram.RENEW,
    ),
    "threads": (
        meta.THREADS_BASE,
        "Threads",
        frozenset({"threads_basic", "threads_content_publish"}),
        frozenset({"threads_delete", "threads_manage_replies", "threads_read_replies"}),
        threads.RENEW,
    ),
}
RENEWS = {kind: family[4] for kind, family in _FAMILY.items()}
_QUOTA = {"instagram": "content_publishing_limit", "threads": "threads_publishing_limit"}
#: warn when this share of a 24-hour quota is used
QUOTA_WARNING = 0.8


def probe(adapter: Adapter, http: Http) -> Identity:
    kind = adapter.channel.type
    default, service, needed, wanted, renew = _FAMILY[kind]
    renew = _(renew)  # the adapters' RENEW texts are in the catalogue (N_)
    name = adapter.channel.name
    graph = meta.Graph(
        http,
        base=meta.api_base(adapter.channel.settings, default),
        channel=name,
        service=service,
        renew=renew,
    )
    token = http.secret(meta.AUTH_SETTING) if _has_token(http) else ""
    if not token:
        raise AuthFailed(
            _("{name}: no {service} access token configured").format(name=name, service=service),
            hint=renew,
        )
    account = _account(adapter)
    try:
        answer = graph.call("GET", "/debug_token", idempotent=True, params={"input_token": token})
    except Rejected as exc:  # Meta may want an app developer's token for debug_token
        return _unexplained(graph, kind, account, exc, renew)
    data = answer.get("data") if isinstance(answer, Mapping) else None
    if not isinstance(data, Mapping) or data.get("is_valid") is not True:
        reason = str(dig(data, "error", "message") or "Meta says it is not valid")
        raise AuthFailed(
            _("{name}: the {service} token is not valid: {redact}").format(
                name=name, service=service, redact=http.redact(reason)
            ),
            hint=renew,
        )
    notes = [_owner(data, kind, account, name, renew)]
    if kind in _QUOTA:
        notes.append(_quota(graph, account, _QUOTA[kind], name))
    scopes = data.get("scopes")
    return Identity(
        who=_who(data, kind, account),
        scopes=frozenset(str(s) for s in scopes) if isinstance(scopes, list) else None,
        needed=needed,
        wanted=wanted,
        expires_at=epoch(data.get("expires_at")),
        renew=renew,
        notes=tuple(n for n in notes if n is not None),
    )


def _unexplained(
    graph: meta.Graph, kind: str, account: str, refused: Rejected, renew: str
) -> Identity:
    """The token, when debug_token will not describe it: one read of the account shows that
    it works; its scopes and expiry stay unknown."""
    graph.call("GET", f"/{account}", idempotent=True, params={"fields": "id"})
    what = {"facebook": "Page", "instagram": "Instagram account", "threads": "Threads user"}
    return Identity(
        who=f"a token that may read {what[kind]} {account}",
        renew=renew,
        notes=(
            note(
                "scopes",
                graph.channel,
                Status.warning,
                _("scopes and expiry not checked: debug_token refused ({message})").format(
                    message=refused.message
                ),
                _(
                    "Meta describes tokens only to the app's developers: run doctor with the "
                    "token of an app admin or developer, or check it in Meta's Access Token "
                    "Debugger"
                ),
            ),
        ),
    )


def _has_token(http: Http) -> bool:
    try:
        return bool(http.secret(meta.AUTH_SETTING))
    except KeyError:
        return False


def _account(adapter: Adapter) -> str:
    key = "page_id" if adapter.channel.type == "facebook" else "user_id"
    return str(adapter.channel.settings.get(key) or "")


def _who(data: Mapping[str, Any], kind: str, account: str) -> str:
    app = str(data.get("application") or data.get("app_id") or "an app")
    what = {"facebook": "Page", "instagram": "Instagram account", "threads": "Threads user"}
    return f"{data.get('type', 'USER')} token of {app} for {what[kind]} {account}"


def _owner(
    data: Mapping[str, Any], kind: str, account: str, channel: str, renew: str
) -> Finding | None:
    """A Page token names its Page (`profile_id`), a Threads token its user (`user_id`); an
    Instagram token belongs to the Facebook user, whose id says nothing about the account."""
    field = {"facebook": "profile_id", "threads": "user_id"}.get(kind)
    owner = str(data.get(field) or "") if field else ""
    if not owner or owner == account:
        return None
    return note(
        "owner",
        channel,
        Status.error,
        _("the token is for {owner}, but the channel publishes as {account}").format(
            owner=owner, account=account
        ),
        _("use a token of {account}, or correct the channel's id; {renew}").format(
            account=account, renew=renew
        ),
    )


def _quota(graph: meta.Graph, account: str, edge: str, channel: str) -> Finding:
    answer = graph.call(
        "GET", f"/{account}/{edge}", idempotent=True, params={"fields": "quota_usage,config"}
    )
    item = dig(answer, "data")
    first = item[0] if isinstance(item, list) and item and isinstance(item[0], Mapping) else {}
    used, total = first.get("quota_usage"), dig(first, "config", "quota_total")
    if not isinstance(used, int) or not isinstance(total, int) or total <= 0:
        return note(
            "quota",
            channel,
            Status.warning,
            _("{edge} gave no quota").format(edge=edge),
            _("Meta may not report it for this account; publishing still tries"),
        )
    detail = f"{used} of {total} posts in the last 24 hours"
    if used >= total:
        return note(
            "quota",
            channel,
            Status.error,
            detail + _(": used up"),
            _("wait until older posts leave the 24-hour window"),
        )
    if used >= QUOTA_WARNING * total:
        return note(
            "quota",
            channel,
            Status.warning,
            detail,
            _("few posts left today: publish the important ones first"),
        )
    return note("quota", channel, Status.ok, detail)
