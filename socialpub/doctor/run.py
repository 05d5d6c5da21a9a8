"""`doctor` from the config to the list of Findings: every channel (or those asked for), then
the clock and the ledger."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import httpx

from socialpub.channels.probe import Finding, Status
from socialpub.content.config import Config, require_channels
from socialpub.doctor import repo, tokens
from socialpub.doctor.clock import DateLog, finding
from socialpub.i18n import ngettext
from socialpub.net.http import Clock


def diagnose(
    config: Config,
    environ: Mapping[str, str],
    clock: Clock,
    *,
    channels: Sequence[str] = (),
    transport: httpx.BaseTransport | None = None,
) -> list[Finding]:
    """Every check's Finding, in a stable order: config, channels (config order), clock,
    ledger. `channels` limits the channel checks (UnknownChannel for a name not configured)."""
    require_channels(config, channels)
    names = [n for n in config.channels if not channels or n in channels]
    found = [
        Finding(
            "config",
            "",
            Status.ok,
            ngettext(
                "{name}: {count} channel(s)", "{name}: {count} channel(s)", len(config.channels)
            ).format(name=config.path.name, count=len(config.channels)),
        )
    ]
    dates = DateLog(clock)
    for name in names:
        found += tokens.channel(config, name, environ, dates, transport)
    if dates.offsets or _asked(found):
        found.append(finding(dates))
    found.append(repo.ledger(config.root))
    return found


def can_publish(found: Iterable[Finding]) -> bool:
    """True when nothing is an error (warnings allowed)."""
    return all(f.status is not Status.error for f in found)


def _asked(found: Iterable[Finding]) -> bool:
    return any(f.check == "token" for f in found)
