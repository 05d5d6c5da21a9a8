"""`validate` asks the subscriber service whether each whatsapp channel's template is approved.

Only where the config has a whatsapp channel and its `service_token` variable is set: a
press officer's laptop without the token validates offline and quietly, as before. The
service's answer (`GET /templates`) is the account's list; a template that is not on it, or
not APPROVED, is a warning (SP805) at the channel's `template` in the config: the posts are
fine, but `publish` will refuse to broadcast until Meta approves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig, Config
from socialpub.errors import ConfigError, DeliveryError
from socialpub.i18n import _
from socialpub.models import Problem

if TYPE_CHECKING:
    import httpx

    from socialpub.channels.whatsapp_service import Clock


@dataclass(frozen=True)
class TemplateCheck:
    problems: tuple[Problem, ...] = ()
    #: channels whose service could not be asked, and why (shown, never a failure)
    unknown: tuple[tuple[str, str], ...] = ()


def check_templates(
    config: Config,
    environ: Mapping[str, str],
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> TemplateCheck:
    from socialpub.channels import whatsapp_service as service
    from socialpub.content.whatsappconfig import read_whatsapp

    found: list[Problem] = []
    unknown: list[tuple[str, str]] = []
    for channel in config.channels.values():
        if channel.type != "whatsapp":
            continue
        try:
            settings = read_whatsapp(channel)
        except ConfigError:
            continue  # reported by the config's own checks
        http = service.service_http(channel.name, settings, environ, clock, transport)
        if http is None:
            continue
        try:
            why = service.approval_problem(service.templates(http, settings), settings)
        except DeliveryError as exc:
            unknown.append((channel.name, exc.message))
            continue
        if why:
            found.append(_warning(config, channel, why))
    return TemplateCheck(tuple(found), tuple(unknown))


def _warning(config: Config, channel: ChannelConfig, why: str) -> Problem:
    line_of = getattr(channel.settings.get("template"), "line_of", None)  # a YMap knows lines
    line = int(line_of("name")) if line_of is not None else channel.line
    where = f"channels.{channel.name}.template.name"
    hint = _(
        "publish refuses to broadcast until Meta approves it; see `socialpub whatsapp templates`"
    )
    try:
        file = str(config.path.resolve().relative_to(config.root))
    except ValueError:
        file = str(config.path)
    return problem("SP805", file, line, where, f"{channel.name}: {why}", hint)
