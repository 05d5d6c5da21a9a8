"""LinkedIn's answers read onto socialpub's error tree, and the token every call needs.

LinkedIn answers errors as `{"status", "serviceErrorCode", "code", "message"}`, a 422 about
the content with `errorDetails.inputErrors[].input.inputPath.fieldPath` naming the field.
401 (expired or revoked token: they live 60 days) and 403 (missing permission) are
AuthFailed, 429 RateLimited (for as long as Retry-After says), 5xx Transient (maybe sent,
but for 503), any other 4xx Rejected, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from socialpub.errors import AuthFailed, DeliveryError, RateLimited, Rejected, Transient
from socialpub.i18n import N_, _
from socialpub.net.http import retry_after

if TYPE_CHECKING:
    import httpx

    from socialpub.net.http import Http

RENEW = N_(
    "LinkedIn access tokens live 60 days: sign in again through your LinkedIn app's OAuth "
    "flow (scopes w_organization_social and r_organization_social, as an admin of the page) "
    "and put the new token into the env var the channel's access_token names"
)
_NOT_PROCESSED = 503


def api_token(http: Http, channel: str) -> str:
    try:
        token = http.secret("access_token")
    except KeyError:
        token = ""
    if not token:
        raise AuthFailed(
            _("{channel}: no LinkedIn access token configured").format(channel=channel),
            hint=_(RENEW),
        )
    return token


#: LinkedIn's answer to a `Linkedin-Version` it has sunset (code NONEXISTENT_VERSION)
_VERSION_GONE = 426


def read_error(response: httpx.Response, http: Http, channel: str) -> DeliveryError | None:
    """LinkedIn's error body, `{"status", "serviceErrorCode", "code", "message"}`, onto
    the error tree; the field at fault from `errorDetails` when LinkedIn names it."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or "message" not in body:
        return None
    status = response.status_code
    said = http.redact(str(body.get("message") or ""))[:300]
    code = body.get("serviceErrorCode")
    name = f"{body.get('code') or ''} {code or ''}".strip()
    text = _("LinkedIn said: {said}").format(said=said) + (
        f" (serviceErrorCode {code})" if code else ""
    )
    if status == 401:
        message = _(
            "{channel}: the LinkedIn access token has expired or is invalid – {text}"
        ).format(channel=channel, text=text)
        return AuthFailed(message, hint=_(RENEW), status=status, platform_error=name)
    if status == 403:
        message = _("{channel}: LinkedIn refused access – {text}").format(
            channel=channel, text=text
        )
        hint = _("the token needs w_organization_social, and its member must be a page admin")
        return AuthFailed(message, hint=hint, status=status, platform_error=name)
    if status == 429:
        wait = retry_after(response, http.clock.now())
        return RateLimited(
            _("{channel}: LinkedIn's rate limit reached – {text}").format(
                channel=channel, text=text
            ),
            retry_after=wait,
        )
    if status == _VERSION_GONE:
        message = _("{channel}: LinkedIn no longer serves this API version – {text}").format(
            channel=channel, text=text
        )
        hint = _("set the channel's api_version to a current month (YYYYMM) and publish again")
        return Rejected(message, hint=hint, status=status, platform_error=name)
    if status >= 500:
        message = _("{channel}: a temporary LinkedIn problem – {text}").format(
            channel=channel, text=text
        )
        return Transient(message, maybe_sent=status != _NOT_PROCESSED, status=status)
    fields = _fields(body)
    where = f" in {', '.join(fields)}" if fields else ""
    message = _("{channel}: LinkedIn refused the post{where} – {text}").format(
        channel=channel, where=where, text=text
    )
    return Rejected(message, status=status, platform_error=name)


def _fields(body: Mapping[str, Any]) -> list[str]:
    """The fields LinkedIn names in `errorDetails.inputErrors[].input.inputPath.fieldPath`."""
    details = body.get("errorDetails")
    errors = details.get("inputErrors") if isinstance(details, dict) else None
    paths = []
    for error in errors if isinstance(errors, list) else []:
        entry = error.get("input") if isinstance(error, dict) else None
        path = entry.get("inputPath") if isinstance(entry, dict) else None
        if isinstance(path, dict) and isinstance(path.get("fieldPath"), str):
            paths.append(path["fieldPath"])
    return paths
