"""One channel's part of `doctor`: its secrets in the environment, then what its platform
says about the token (the channel's probe), read into Findings with how to fix each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import httpx

from socialpub.channels.adapter import adapter_class
from socialpub.channels.probe import Finding, Identity, Status, missing, probe_for, renew_for
from socialpub.content.config import ChannelConfig, Config, SecretRef
from socialpub.doctor.clock import DateLog
from socialpub.doctor.repo import output_folder
from socialpub.errors import AuthFailed, DeliveryError, InputError, RateLimited, Transient
from socialpub.i18n import _
from socialpub.net.http import Http, RetryPolicy, make_client
from socialpub.publishing.engine import STATE_DIR

#: warn this long before a token expires
EXPIRY_WARNING = timedelta(days=7)
#: doctor asks each platform with a short timeout and one retry: it must stay quick
TIMEOUT = httpx.Timeout(10.0)
POLICY = RetryPolicy(attempts=2, backoff=0.5, max_rate_wait=5.0)


def channel(
    config: Config,
    name: str,
    environ: Mapping[str, str],
    dates: DateLog,
    transport: httpx.BaseTransport | None = None,
) -> list[Finding]:
    settings = config.channels[name]
    found = secrets(settings, environ)
    if any(f.status is Status.error for f in found):
        return found  # the platform cannot be asked without them
    return [*found, *_platform(config, settings, environ, dates, transport)]


def _platform(
    config: Config,
    settings: ChannelConfig,
    environ: Mapping[str, str],
    dates: DateLog,
    transport: httpx.BaseTransport | None,
) -> list[Finding]:
    name = settings.name
    if settings.type == "website":
        return [output_folder(config.root, settings)]
    probe, cls = probe_for(settings.type), adapter_class(settings.type)
    if probe is None or cls is None:
        return [Finding("kit", name, Status.ok, _("no API: publish writes a posting kit"))]
    http = _http(settings, environ, dates, transport)
    try:
        identity = probe(cls(settings, config.root, config.root / STATE_DIR), http)
        found = read(identity, name, dates.clock.now())
    except DeliveryError as exc:
        found = [_failure(name, exc, renew_for(settings.type))]
    except InputError as exc:  # a setting the adapter or the probe needs
        found = [Finding("settings", name, Status.error, exc.message, exc.hint or "")]
    finally:
        http.client.close()
    # the errors are redacted already; this holds for whatever a platform echoes back too
    return [replace(f, detail=http.redact(f.detail), fix=http.redact(f.fix)) for f in found]


def secrets(settings: ChannelConfig, environ: Mapping[str, str]) -> list[Finding]:
    refs = [
        (key, ref)
        for key, ref in sorted(settings.settings.items())
        if key in settings.spec.secrets and isinstance(ref, SecretRef)
    ]
    if not refs:
        return []
    unset = [f"{key} (${ref.env})" for key, ref in refs if not environ.get(ref.env)]
    if unset:
        names = " ".join(f"{ref.env}=…" for _, ref in refs if not environ.get(ref.env))
        return [
            Finding(
                "secrets",
                settings.name,
                Status.error,
                _("not set: ") + ", ".join(unset),
                _("export {names} (in CI: the repository's secrets)").format(names=names),
            )
        ]
    listed = ", ".join(f"${ref.env}" for _, ref in refs)
    return [Finding("secrets", settings.name, Status.ok, _("set: {listed}").format(listed=listed))]


def read(identity: Identity, name: str, now: datetime) -> list[Finding]:
    """The platform's description of a token as Findings: whose, scopes, expiry, notes."""
    found = [Finding("token", name, Status.ok, identity.who)]
    if identity.scopes is not None:
        found.append(_scopes(identity, name))
    if identity.expires_at is not None:
        found.append(_expiry(identity, name, now))
    return [*found, *identity.notes]


def _scopes(identity: Identity, name: str) -> Finding:
    assert identity.scopes is not None
    lacking = missing(identity.scopes, identity.needed)
    if lacking:
        return Finding(
            "scopes",
            name,
            Status.error,
            _("cannot publish: the token lacks ") + ", ".join(lacking),
            identity.renew,
        )
    unwanted = missing(identity.scopes, identity.wanted)
    if unwanted:
        return Finding(
            "scopes",
            name,
            Status.warning,
            _("publishes, but lacks ") + ", ".join(unwanted) + _(" (delete, reconcile)"),
            identity.renew,
        )
    return Finding("scopes", name, Status.ok, " ".join(sorted(identity.scopes)))


def _expiry(identity: Identity, name: str, now: datetime) -> Finding:
    assert identity.expires_at is not None
    left = identity.expires_at - now
    when = identity.expires_at.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
    if left <= timedelta(0):
        return Finding(
            "expiry", name, Status.error, _("expired on {when}").format(when=when), identity.renew
        )
    if left < EXPIRY_WARNING:
        return Finding(
            "expiry",
            name,
            Status.warning,
            _("expires on {when}, in {span}").format(when=when, span=_span(left)),
            identity.renew,
        )
    return Finding(
        "expiry",
        name,
        Status.ok,
        _("expires on {when}, in {span}").format(when=when, span=_span(left)),
    )


def _span(left: timedelta) -> str:
    if left >= timedelta(days=2):
        return f"{left.days} days"
    return f"{int(left.total_seconds() // 3600)} hours"


def _failure(name: str, exc: DeliveryError, renew: str) -> Finding:
    if isinstance(exc, AuthFailed):
        hints = [h for h in (exc.hint, renew) if h]
        fix = hints[0] if len(hints) == 1 or hints[1] in hints[0] else "; ".join(hints)
        return Finding(
            "token", name, Status.error, _("refused: {message}").format(message=exc.message), fix
        )
    if isinstance(exc, RateLimited):
        return Finding(
            "token",
            name,
            Status.warning,
            _("not checked: {message}").format(message=exc.message),
            _("the platform asks to slow down; run doctor again later"),
        )
    if isinstance(exc, Transient):
        return Finding(
            "token",
            name,
            Status.error,
            _("cannot reach the platform: {message}").format(message=exc.message),
            _("check the network, the proxy and the channel's api_base/instance"),
        )
    return Finding(
        "token",
        name,
        Status.error,
        _("refused: {message}").format(message=exc.message),
        exc.hint or "check the channel's settings",
    )


def _http(
    settings: ChannelConfig,
    environ: Mapping[str, str],
    dates: DateLog,
    transport: httpx.BaseTransport | None,
) -> Http:
    values = {
        key: environ.get(ref.env, "")
        for key, ref in settings.settings.items()
        if key in settings.spec.secrets and isinstance(ref, SecretRef)
    }
    client = make_client(transport, TIMEOUT)
    client.event_hooks = {"response": [dates]}
    return Http(client, channel=settings.name, secrets=values, clock=dates.clock, policy=POLICY)
