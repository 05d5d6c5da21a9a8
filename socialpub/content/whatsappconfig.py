"""Settings of a `whatsapp` channel: what publishing needs, and the `server:` block that only
the subscriber service (`socialpub whatsapp serve`) reads.

    whatsapp:
      type: whatsapp
      service_url: https://whatsapp.landkreis.example     # the county's subscriber service
      service_token: ${WHATSAPP_SERVICE_TOKEN}            # bearer token of its broadcast API
      template: {name: kreis_nachrichten, language: de, parameters: [title, summary, link]}
      price_per_message: 0.0613                           # optional: plan shows the cost
      server:                                             # only on the service's machine
        phone_number_id: "100000000000001"
        waba_id: "200000000000002"
        access_token: ${WHATSAPP_TOKEN}
        app_secret: ${WHATSAPP_APP_SECRET}
        verify_token: ${WHATSAPP_VERIFY_TOKEN}
        ...

The `server:` block is read by `content/whatsappserver.py`; a CI run that publishes needs
nothing but `service_token`. `validate` checks the values here (`whatsapprules.py`, called
from `settingrules.py` with file, line and field); `read_whatsapp` turns a checked channel into
`WhatsAppSettings` and raises ConfigError for anything a check would have reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.content.whatsapprules import KEYS, check_value
from socialpub.content.whatsapprules import TEMPLATE_FIELDS as TEMPLATE_FIELDS
from socialpub.errors import ConfigError
from socialpub.i18n import _
from socialpub.models import Problem

if TYPE_CHECKING:
    from socialpub.content.config import ChannelConfig, SecretRef


@dataclass(frozen=True)
class Template:
    """An approved message template: its body parameters {{1}}, {{2}} … are filled, in
    order, from the variant's parts named in `parameters`."""

    name: str
    language: str = "de"
    parameters: tuple[str, ...] = ("title", "summary", "link")


@dataclass(frozen=True)
class WhatsAppSettings:
    """What publishing to a whatsapp channel needs."""

    service_url: str
    service_token: SecretRef
    template: Template
    price_per_message: float | None = None


def read_whatsapp(channel: ChannelConfig) -> WhatsAppSettings:
    """The publishing settings of a whatsapp channel; ConfigError when one is wrong."""
    settings = channel.settings
    problems: list[Problem] = []
    for key in sorted(KEYS & settings.keys()):
        check_value(
            Path("socialpub.yaml"),
            f"channels.{channel.name}.{key}",
            key,
            settings[key],
            channel.line,
            problems,
        )
    token = settings.get("service_token")
    if problems or "template" not in settings or "service_url" not in settings or token is None:
        first = problems[0].message if problems else "needs service_url, service_token, template"
        raise ConfigError(
            _("channel {name!r}: {first}").format(name=channel.name, first=first),
            hint=_("run `socialpub validate`"),
        )
    price = settings.get("price_per_message")
    return WhatsAppSettings(
        service_url=str(settings["service_url"]).rstrip("/"),
        service_token=token,
        template=_template(settings["template"]),
        price_per_message=float(price) if price is not None else None,
    )


def _template(value: Mapping[str, Any]) -> Template:
    parameters = value.get("parameters")
    return Template(
        name=str(value["name"]),
        language=str(value.get("language", "de")),
        parameters=tuple(parameters) if parameters is not None else Template.parameters,
    )
