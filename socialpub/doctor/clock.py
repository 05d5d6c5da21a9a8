"""The clock against the platforms': every answer of a probe carries a `Date` header; the
median difference to our clock says how far off it is. Signed requests (OAuth 1.0a
timestamps, short-lived JWTs) and schedules depend on it."""

from __future__ import annotations

import email.utils
import statistics
from dataclasses import dataclass, field

import httpx

from socialpub.channels.probe import Finding, Status
from socialpub.i18n import _
from socialpub.net.http import Clock

#: more than this many seconds off is worth fixing
MAX_SKEW = 60.0


@dataclass
class DateLog:
    """An httpx response hook that keeps (server − local) in seconds for each answer."""

    clock: Clock
    offsets: list[float] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)

    def __call__(self, response: httpx.Response) -> None:
        try:
            server = email.utils.parsedate_to_datetime(response.headers.get("date", ""))
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            return
        self.offsets.append((server - self.clock.now()).total_seconds())
        self.hosts.add(response.request.url.host)


def finding(log: DateLog) -> Finding:
    if not log.offsets:
        return Finding(
            "clock",
            "",
            Status.warning,
            _("not checked: no platform sent its time"),
            _("check that the machine's clock is synchronised (NTP)"),
        )
    # Date has whole seconds and is taken before the answer travels: ±2 s is no skew
    skew = statistics.median(log.offsets)
    where = ", ".join(sorted(log.hosts))
    if abs(skew) > MAX_SKEW:
        behind = _("this machine's clock is {skew:.0f} s behind {where}")
        ahead = _("this machine's clock is {skew:.0f} s ahead of {where}")
        return Finding(
            "clock",
            "",
            Status.warning,
            (behind if skew > 0 else ahead).format(skew=abs(skew), where=where),
            _(
                "synchronise it (timedatectl set-ntp true, or chrony/ntpd): signed requests and "
                "schedules depend on it"
            ),
        )
    return Finding(
        "clock",
        "",
        Status.ok,
        _("within {skew:.0f} s of {where}").format(skew=abs(skew), where=where),
    )
