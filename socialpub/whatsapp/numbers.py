"""Phone numbers as people type them, and as WhatsApp names them (`wa_id`: digits, no "+").

A number is personal data: outside the store it only ever appears masked, `+49 151 •••••67`
(country code, the first three digits after it, the last two). The country code is found
in ITU's list of calling codes: they are prefix-free, so the first one to three digits name
exactly one code.
"""

from __future__ import annotations

import re

from socialpub.errors import InputError
from socialpub.i18n import _

#: calling codes of one and of two digits; every other code has three (ITU-T E.164 list)
_ONE_DIGIT = frozenset({"1", "7"})
_CODES_OF_TWO = (
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
)
_TWO_DIGITS = frozenset(_CODES_OF_TWO.split())
#: E.164: at most 15 digits; shorter than 8 is no mobile number anywhere
_MIN_DIGITS, _MAX_DIGITS = 8, 15
#: what people put between digits
_SEPARATORS = re.compile(r"[\s\-./()]")
#: the national trunk prefix written in brackets after the country code: "+49 (0)151 …"
_TRUNK = re.compile(r"\(\s*0\s*\)")
_HIDDEN = "•••••"
_EXAMPLE = "+49 151 …"


class BadNumber(InputError):
    """Text that is not an international phone number."""


def parse_number(text: str) -> str:
    """The wa_id of a number as typed: "+49 151 2345 6767", "0049 151 …", "+49 (0)151 …"."""
    compact = _SEPARATORS.sub("", _TRUNK.sub("", text.strip()))
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif compact.isdigit():
        # A national number (0151 …) or digits without "+": the country is a guess, so ask.
        raise BadNumber(
            _("{shown} has no country code").format(shown=_shown(text)),
            hint=_("write it with +49 or 0049: {example}").format(example=_EXAMPLE),
        )
    else:
        digits = compact
    if not digits.isdigit() or not digits.isascii():
        raise BadNumber(
            _("{shown} is not a phone number").format(shown=_shown(text)),
            hint=_("write digits only: {example}").format(example=_EXAMPLE),
        )
    if digits.startswith("0"):
        raise BadNumber(
            _("{shown}: a country code never starts with 0").format(shown=_shown(text)),
            hint=_("drop the 0 after the country code: {example}").format(example=_EXAMPLE),
        )
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        raise BadNumber(
            _("{shown} has {count} digits, a phone number has {min_digits} to {max_digits}").format(
                shown=_shown(text),
                count=len(digits),
                min_digits=_MIN_DIGITS,
                max_digits=_MAX_DIGITS,
            ),
            hint=_("write the whole number with its country code: {example}").format(
                example=_EXAMPLE
            ),
        )
    return digits


def country_code(wa_id: str) -> str:
    """The calling code a wa_id starts with ("49" for 4915123456767)."""
    if wa_id[:1] in _ONE_DIGIT:
        return wa_id[:1]
    if wa_id[:2] in _TWO_DIGITS:
        return wa_id[:2]
    return wa_id[:3]


def mask(wa_id: str) -> str:
    """`+49 151 •••••67`: enough to tell numbers apart, too little to call one. The hidden
    part is always five dots, so the mask does not tell the number's length either."""
    if not (wa_id.isascii() and wa_id.isdigit()) or len(wa_id) < _MIN_DIGITS:
        return "+" + _HIDDEN  # not a number we know how to show: show nothing of it
    code = country_code(wa_id)
    rest = wa_id[len(code) :]
    return f"+{code} {rest[:3]} {_HIDDEN}{rest[-2:]}"


def _shown(text: str) -> str:
    """What a message about a bad number may show of it: masked where it is one."""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= _MIN_DIGITS:
        return f"the number ending in {digits[-2:]}"
    return repr(text.strip()[:40])
