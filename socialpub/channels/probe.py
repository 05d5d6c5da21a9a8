"""What `socialpub doctor` asks each channel's platform: whose token it is, what it may do and
until when. Each platform family has a `<family>_probe.py` beside its adapter with one
function, `probe(adapter, http) -> Identity`, reusing the adapter's own HTTP code and error
mapping; it raises only from the error tree (AuthFailed for a refused or expired token)."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http


class Status(enum.StrEnum):
    ok = "ok"
    warning = "warning"
    error = "error"


@dataclass(frozen=True)
class Finding:
    """One line of `doctor`: a check of one channel (or of the repository: channel "")."""

    check: str  # a stable id: config, secrets, token, scopes, expiry, quota, chat, …
    channel: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "channel": self.channel,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class Identity:
    """A token as its platform describes it. `scopes` is None when the platform does not
    say; `needed` are the scopes publishing cannot do without, `wanted` those some
    commands need (delete, reconcile); `notes` are the platform's further checks (quota,
    the bot's rights in the chat, the template's approval)."""

    who: str
    scopes: frozenset[str] | None = None
    needed: frozenset[str] = frozenset()
    wanted: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    renew: str = ""  # how to get a new token, for the fix of a missing scope or an expiry
    notes: tuple[Finding, ...] = ()


Probe = Callable[["Adapter", "Http"], Identity]

#: channel type → the module whose `probe` asks its platform
PROBES: dict[str, str] = {
    "mastodon": "socialpub.channels.mastodon_probe",
    "bluesky": "socialpub.channels.bluesky_probe",
    "telegram": "socialpub.channels.telegram_probe",
    "facebook": "socialpub.channels.meta_probe",
    "instagram": "socialpub.channels.meta_probe",
    "threads": "socialpub.channels.meta_probe",
    "x": "socialpub.channels.x_probe",
    "linkedin": "socialpub.channels.linkedin_probe",
    "whatsapp": "socialpub.channels.whatsapp_probe",
}


def probe_for(channel_type: str) -> Probe | None:
    """The probe of a channel type; None for channels without a platform API."""
    if channel_type not in PROBES:
        return None
    found: Probe = importlib.import_module(PROBES[channel_type]).probe
    return found


def renew_for(channel_type: str) -> str:
    """How to get a new token for a channel type (the fix when its platform refuses one):
    the probe module's `RENEW`, or its `RENEWS[type]` where one module serves several."""
    module = importlib.import_module(PROBES[channel_type])
    by_type: dict[str, str] = getattr(module, "RENEWS", {})
    renew = by_type.get(channel_type) or str(getattr(module, "RENEW", ""))
    return _(renew) if renew else ""  # the texts are in the catalogue (N_ where defined)


def missing(granted: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The wanted scopes not granted; a granted parent scope covers its children
    (Mastodon's `write` covers `write:statuses`)."""
    have = set(granted)
    return sorted(s for s in wanted if s not in have and s.split(":")[0] not in have)


def epoch(value: Any) -> datetime | None:
    """A Unix time from an API answer; None for 0 or anything else (0: never expires)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def note(check: str, channel: str, status: Status, detail: str, fix: str = "") -> Finding:
    return Finding(check, channel, status, detail, fix)
