"""Checks of a whatsapp channel's `server:` block, run by `validate` like every setting.

Apart from `whatsappserver.py` (which builds the settings and imports `config`), so that
`settingrules` can call it without an import cycle. Each problem names file, line and field.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

SECRETS = ("access_token", "app_secret", "verify_token")
REQUIRED = ("phone_number_id", "waba_id", *SECRETS)
KEYS = (
    *REQUIRED,
    "store",
    "graph_base",
    "rate",
    "daily_limit",
    "free_text_in_window",
    "contact_phone",
    "words",
    "replies",
    "confirm_within",
    "max_body_bytes",
)
WORD_LISTS = ("start", "stop")
REPLIES = ("welcome", "goodbye", "notice")
#: WhatsApp's limit for the body of a text message
MAX_REPLY = 4096
_SECRET_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_DURATION = re.compile(r"^\s*(\d+)\s*(s|min|h|d)\s*$")
_UNITS = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}


def secret_env(value: Any) -> str | None:
    """The variable of a `${ENV}` reference, else None."""
    match = _SECRET_REF.match(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def parse_duration(value: Any) -> timedelta | None:
    """`10min`, `90s`, `2h`, `1d` → a timedelta; None when it is none of these."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        return None
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def normalise(text: str) -> str:
    """A message or a keyword as compared: case folded, without the spaces, punctuation and
    symbols (emoji) around it. "  Start! " → "start"; "Start bitte" stays two words."""
    start, end = 0, len(text)
    while start < end and _is_filler(text[start]):
        start += 1
    while end > start and _is_filler(text[end - 1]):
        end -= 1
    return " ".join(text[start:end].split()).casefold()


def _is_filler(char: str) -> bool:
    return unicodedata.category(char)[0] in "PZSC"


def check_server(path: Path, where: str, value: Any, line: int, problems: list[Problem]) -> None:
    """Append a problem for everything wrong in a `server:` block."""
    if not isinstance(value, yamlsafe.YMap):
        problems.append(problem("SP506", path, line, where, _("server must be a mapping")))
        return
    for key in value:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or _("server takes: ") + ", ".join(KEYS)
            problems.append(
                problem(
                    "SP502",
                    path,
                    value.line_of(key),
                    f"{where}.{key}",
                    _("unknown setting {key!r}").format(key=key),
                    hint,
                )
            )
    for key in REQUIRED:
        if key not in value:
            problems.append(
                problem(
                    "SP503",
                    path,
                    value.line,
                    f"{where}.{key}",
                    _("server needs {key!r}").format(key=key),
                )
            )
    for key, item in value.items():
        field, at = f"{where}.{key}", value.line_of(key)
        message = _wrong_value(path, key, item)
        if message and key in SECRETS:
            # Never echo the value: it may be a real token pasted by mistake.
            problems.append(problem("SP504", path, at, field, message[0], message[1]))
        elif message:
            problems.append(problem("SP506", path, at, field, message[0], message[1]))
    if not value.get("contact_phone") and _uses_phone(value):
        problems.append(
            problem(
                "SP503",
                path,
                value.line,
                f"{where}.contact_phone",
                _("server needs contact_phone: the one-way notice tells citizens whom to call"),
                _('add contact_phone: "+49 3621 123-0"'),
            )
        )
    if isinstance(value.get("words"), yamlsafe.YMap):
        _check_words(path, f"{where}.words", value["words"], problems)
    if isinstance(value.get("replies"), yamlsafe.YMap):
        _check_replies(path, where, value, problems)


def _wrong_value(config: Path, key: str, value: Any) -> tuple[str, str] | None:
    """(message, hint) when `value` is not a valid value of `key`."""
    if key in SECRETS and secret_env(value) is None:
        return (
            _("secrets must not be written into the config file"),
            _(
                "write a reference such as ${{WHATSAPP_{key}}} and set that environment "
                "variable; if a real secret was committed, revoke it"
            ).format(key=key.upper()),
        )
    if key in ("phone_number_id", "waba_id") and not _is_id(value):
        return _("{key} must be the number Meta shows (digits)").format(key=key), _(
            'quote it: "100000000000001"'
        )
    if key == "store":
        return _wrong_store(config, value)
    if key == "graph_base" and not (
        isinstance(value, str) and value.startswith(("https://", "http://"))
    ):
        return _("graph_base must be a URL"), "https://graph.facebook.com/v23.0"
    if key == "rate" and not (_is_number(value) and value > 0):
        return _("rate must be a number of messages per second > 0"), "rate: 80"
    if key in ("daily_limit", "max_body_bytes") and not (_is_number(value, int) and value >= 1):
        return _("{key} must be a whole number ≥ 1").format(key=key), _(
            "daily_limit: 1000 (the account's tier)"
        )
    if key == "free_text_in_window" and not isinstance(value, bool):
        return _("free_text_in_window must be true or false"), ""
    if key == "contact_phone" and not isinstance(value, str):
        return _("contact_phone must be a text"), 'contact_phone: "+49 3621 123-0"'
    if key == "confirm_within" and parse_duration(value) is None:
        return _("{value!r} is not a duration").format(value=value), _(
            "write it like 90s, 10min, 2h or 1d"
        )
    if key in ("words", "replies") and not isinstance(value, yamlsafe.YMap):
        names = WORD_LISTS if key == "words" else REPLIES
        return _("{key} must be a mapping").format(key=key), f"{key} takes: {', '.join(names)}"
    return None


def _wrong_store(config: Path, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, str) or not Path(value).is_absolute():
        return (
            _("store must be an absolute path"),
            _("a file outside the repository, e.g. /var/lib/socialpub/whatsapp.sqlite3"),
        )
    if Path(value).resolve().is_relative_to(config.resolve().parent):
        return (
            _("store is inside the repository: phone numbers must never go near git"),
            _("put it outside, e.g. /var/lib/socialpub/whatsapp.sqlite3"),
        )
    return None


def _check_words(path: Path, where: str, words: yamlsafe.YMap, problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for key, value in words.items():
        field, line = f"{where}.{key}", words.line_of(key)
        if key not in WORD_LISTS:
            hint = did_you_mean(key, WORD_LISTS) or _("words takes: start, stop")
            problems.append(
                problem(
                    "SP502", path, line, field, _("unknown setting {key!r}").format(key=key), hint
                )
            )
            continue
        if not (
            isinstance(value, list)
            and value
            and all(isinstance(w, str) and normalise(w) for w in value)
        ):
            problems.append(
                problem(
                    "SP506",
                    path,
                    line,
                    field,
                    _("{key} must be a list of words").format(key=key),
                    f"{key}: [{'start, anmelden' if key == 'start' else 'stop, abmelden'}]",
                )
            )
            continue
        for word in value:
            other = seen.setdefault(normalise(word), key)
            if other != key:
                problems.append(
                    problem(
                        "SP506",
                        path,
                        line,
                        field,
                        _("{word!r} is both a start and a stop word").format(word=word),
                        _("keep it in one list"),
                    )
                )


def _check_replies(path: Path, where: str, server: yamlsafe.YMap, problems: list[Problem]) -> None:
    replies: yamlsafe.YMap = server["replies"]
    for key, value in replies.items():
        field, line = f"{where}.replies.{key}", replies.line_of(key)
        if key not in REPLIES:
            hint = did_you_mean(key, REPLIES) or _("replies takes: ") + ", ".join(REPLIES)
            problems.append(
                problem(
                    "SP502", path, line, field, _("unknown setting {key!r}").format(key=key), hint
                )
            )
        elif not isinstance(value, str) or not value.strip() or len(value) > MAX_REPLY:
            problems.append(
                problem(
                    "SP506",
                    path,
                    line,
                    field,
                    _("{key} must be a text of 1 to {max_reply} characters").format(
                        key=key, max_reply=MAX_REPLY
                    ),
                )
            )
        elif (wrong := _placeholder_problem(value)) is not None:
            problems.append(
                problem("SP506", path, line, field, wrong, _("only {phone} is filled in"))
            )


def _uses_phone(server: yamlsafe.YMap) -> bool:
    """Whether a reply fills in {phone}; the default notice does."""
    replies = server.get("replies")
    given = replies if isinstance(replies, yamlsafe.YMap) else {}
    notice = given.get("notice", "{phone}")
    return any("{phone}" in str(text) for text in (*given.values(), notice))


def _placeholder_problem(text: str) -> str | None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return _("a brace without its partner: write {{ and }} for braces")
    unknown = [name for name in names if name != "phone"]
    return _("unknown placeholder {{{unknown}}}").format(unknown=unknown[0]) if unknown else None


def _is_id(value: Any) -> bool:
    text = str(value) if _is_number(value, int) else value
    return isinstance(text, str) and text.isascii() and text.isdigit()


def _is_number(value: Any, kind: type | tuple[type, ...] = (int, float)) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)
