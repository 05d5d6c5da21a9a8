"""`ui_lang` in socialpub.yaml: the language of socialpub's own messages (de or en)."""

from __future__ import annotations

import re
from pathlib import Path

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.i18n import LANGUAGES, _
from socialpub.models import Problem

#: a top-level `ui_lang: de` line, read before the config is parsed (see `peek_ui_lang`)
_UI_LANG_LINE = re.compile(rb"^ui_lang:[ \t]*[\"']?([A-Za-z_-]+)", re.MULTILINE)


def read_ui_lang(path: Path, raw: yamlsafe.YMap, problems: list[Problem]) -> str | None:
    value = raw.get("ui_lang")
    if value is None or value in LANGUAGES:
        return value if isinstance(value, str) else None
    problems.append(
        problem(
            "SP506",
            path,
            raw.line_of("ui_lang"),
            "ui_lang",
            _("ui_lang must be one of {choices}, not {value!r}").format(
                choices=", ".join(LANGUAGES), value=value
            ),
            _("de: German messages, en: English"),
        )
    )
    return None


def peek_ui_lang(path: Path) -> str | None:
    """The config's `ui_lang` from its text alone, so that the problems found while the
    config is read are already in its language; `read_ui_lang` checks it afterwards."""
    try:
        found = _UI_LANG_LINE.search(path.read_bytes())
    except OSError:
        return None
    return found.group(1).decode("ascii") if found else None
