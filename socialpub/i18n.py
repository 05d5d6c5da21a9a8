"""The language of every message to a person: German or English, from gettext catalogues.

English is the source language (the msgids), so it needs no catalogue. The command line
decides the language (config `ui_lang`, else SOCIALPUB_LANG, else the locale) and calls
`set_language`; the rest of the tool only calls `_`/`ngettext` where it makes a message, so a
message is in the language of the command that made it. This module never reads the
environment itself: `choose` gets it passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, Protocol

LANGUAGES: Final = ("de", "en")
DEFAULT: Final = "en"
DOMAIN: Final = "socialpub"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
#: the locale variables, in the order POSIX gives them precedence
_LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")


class _Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _Source:
    """English: the messages as written (no catalogue, no gettext import)."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


_current: _Translations = _Source()
_language: str = DEFAULT


def choose(ui_lang: str | None, environ: Mapping[str, str]) -> str:
    """The config's `ui_lang`, else SOCIALPUB_LANG, else the locale, else English."""
    for wanted in (ui_lang, environ.get("SOCIALPUB_LANG")):
        if wanted:
            return _known(wanted)
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:  # the first one set decides, as in POSIX (LANG=de_DE, LC_ALL=C → C)
            return _known(value)
    return DEFAULT


def _known(tag: str) -> str:
    base = tag.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return base if base in LANGUAGES else DEFAULT


def set_language(language: str) -> None:
    """Use `language` for every message made from now on (an unknown one is English)."""
    global _current, _language
    language = _known(language)
    if language == _language:
        return
    _language = language
    _current = _Source() if language == DEFAULT else _catalogue(language)


def language() -> str:
    return _language


def _catalogue(language: str) -> _Translations:
    import gettext

    # fallback: a checkout that was never installed has no compiled catalogue; English then
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """The message in the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for `n`, in the current language."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue that is translated later, where it is shown."""
    return message
