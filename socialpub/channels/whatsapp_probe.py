"""`doctor` for WhatsApp broadcasts: the subscriber service's `GET /health`, then, with the
channel's service_token, the audience and the template's approval as the service reports
them from the WhatsApp account. The service token has no scopes and no expiry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from socialpub.channels import whatsapp_service as service
from socialpub.channels.probe import Finding, Identity, Status, note
from socialpub.channels.whatsapp import WhatsAppAdapter
from socialpub.errors import Transient
from socialpub.i18n import N_, _

if TYPE_CHECKING:
    from socialpub.channels.adapter import Adapter
    from socialpub.net.http import Http

RENEW = N_("set service_token's variable to the token the subscriber service was given")


def probe(adapter: Adapter, http: Http) -> Identity:
    assert isinstance(adapter, WhatsAppAdapter)
    settings = adapter.settings
    response = http.request("GET", settings.service_url + "/health", idempotent=True)
    health = http.json(response)
    if not isinstance(health, Mapping) or health.get("status") != "ok":
        raise Transient(
            _("{name}: the subscriber service is not healthy").format(name=adapter.channel.name)
        )
    recipients = service.audience(http, settings)
    return Identity(
        who=f"subscriber service {settings.service_url} ({recipients} subscribers)",
        renew=_(RENEW),
        notes=(_template(adapter, http),),
    )


def _template(adapter: WhatsAppAdapter, http: Http) -> Finding:
    settings, name = adapter.settings, adapter.channel.name
    why = service.approval_problem(service.templates(http, settings), settings)
    if why:
        return note(
            "template",
            name,
            Status.error,
            why,
            _(
                "see `socialpub whatsapp templates`; wait for Meta's approval or "
                "configure another template"
            ),
        )
    template = settings.template
    return note(
        "template",
        name,
        Status.ok,
        _("{name} ({language}) is approved").format(name=template.name, language=template.language),
    )
