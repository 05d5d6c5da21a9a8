"""The rules for the values of a whatsapp channel's publishing settings (`service_url`,
`template`, `price_per_message`), with file, line and field. Apart from `whatsappconfig.py`,
which reads them, so that `settingrules.py` can ask without an import cycle."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

#: what a template parameter may be filled from, by name (the variant's parts)
TEMPLATE_FIELDS = ("title", "summary", "text", "link")
#: the settings of the publishing part that `check_value` knows (service_token is a secret,
#: checked like every secret; `server` belongs to whatsappserver.py)
KEYS = frozenset({"service_url", "template", "price_per_message"})
TEMPLATE_KEYS = ("name", "language", "parameters")
#: Meta: template names are lower-case letters, digits and underscores, at most 512
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
#: Meta's template language codes: `de`, `en_US`, `pt_BR`, `zh_CN` …
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
#: a bearer token may go unencrypted only to this machine (a test, an SSH tunnel)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_value(
    path: Path, where: str, key: str, value: Any, line: int, problems: list[Problem]
) -> None:
    """Append a problem for each thing wrong with the value of setting `key` (one of KEYS)."""
    if key == "service_url":
        _check_url(path, where, value, line, problems)
    elif key == "price_per_message":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(
                problem(
                    "SP506",
                    path,
                    line,
                    where,
                    _("price_per_message must be a number ≥ 0"),
                    _("the price of one delivered template message, e.g. 0.0613"),
                )
            )
    elif key == "template":
        _check_template(path, where, value, line, problems)


def _check_url(path: Path, where: str, value: Any, line: int, problems: list[Problem]) -> None:
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    local = parts is not None and parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if parts is None or not parts.hostname or (parts.scheme != "https" and not local):
        problems.append(
            problem(
                "SP506",
                path,
                line,
                where,
                _("service_url must be the https:// address of the subscriber service"),
                _("the bearer token must not travel unencrypted (http only to localhost)"),
            )
        )


def _check_template(path: Path, where: str, value: Any, line: int, problems: list[Problem]) -> None:
    if not isinstance(value, Mapping):
        hint = _("write it like {name: kreis_nachrichten, language: de, parameters: [title, link]}")
        problems.append(problem("SP506", path, line, where, _("template must be a mapping"), hint))
        return
    line_of = getattr(value, "line_of", lambda key: line)  # a YMap knows each key's line
    for key in value:
        if key not in TEMPLATE_KEYS:
            hint = did_you_mean(str(key), TEMPLATE_KEYS) or _(
                "template takes name, language, parameters"
            )
            problems.append(
                problem(
                    "SP502",
                    path,
                    line_of(key),
                    f"{where}.{key}",
                    _("unknown template setting {key!r}").format(key=key),
                    hint,
                )
            )
    name, language = value.get("name"), value.get("language", "de")
    if not isinstance(name, str) or not _TEMPLATE_NAME.match(name):
        message = _("template.name must be the template's name in WhatsApp Manager")
        hint = _("lower-case letters, digits and _, e.g. kreis_nachrichten")
        problems.append(problem("SP506", path, line_of("name"), f"{where}.name", message, hint))
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        message = _("template.language {language!r} is not a WhatsApp language code").format(
            language=language
        )
        hint = _("the code the template was approved in, e.g. de or en_US")
        problems.append(
            problem("SP506", path, line_of("language"), f"{where}.language", message, hint)
        )
    _check_parameters(
        path, f"{where}.parameters", value.get("parameters", []), line_of("parameters"), problems
    )


def _check_parameters(
    path: Path, where: str, value: Any, line: int, problems: list[Problem]
) -> None:
    fields = ", ".join(TEMPLATE_FIELDS)
    if not isinstance(value, list):
        problems.append(
            problem(
                "SP506",
                path,
                line,
                where,
                _("template.parameters must be a list of {fields}").format(fields=fields),
            )
        )
        return
    for item in value:
        if item not in TEMPLATE_FIELDS:
            hint = did_you_mean(str(item), TEMPLATE_FIELDS) or _("one of {fields}").format(
                fields=fields
            )
            message = _("a template parameter cannot be filled from {item!r}").format(item=item)
            problems.append(problem("SP506", path, line, where, message, hint))
