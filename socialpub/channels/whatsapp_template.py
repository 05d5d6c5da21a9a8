"""The body parameters of a WhatsApp template, filled from a variant, and WhatsApp's rules
for them. Pure: `prepare()` and `check()` of the whatsapp adapter use it.

What each parameter name takes (`Template.parameters`, in the order {{1}}, {{2}} …):
- `title`: the post's title, exactly as written. It is never changed: a title WhatsApp
  would refuse is an error for the press office to fix, not something to rewrite silently.
- `link`: the post's link, exactly as written.
- `summary`: a teaser made by socialpub from the rendered text: its first paragraph that is
  not the title, the link or the hashtag line, joined into one line (line breaks, tabs and
  runs of spaces become one space) and cut at a word to `SUMMARY_MAX` characters with "…".
  Joining is safe here because socialpub made the summary: nobody wrote its line breaks.
- `text`: the whole rendered text joined into one line in the same way, never cut.

WhatsApp refuses a template message whose parameter holds a new-line or tab or more than four
spaces in a row ("Param text cannot have new-line/tab characters or more than 4 consecutive
spaces", error 132018 since v23.0), and a template body longer than 1,024 characters with its
parameters filled in (132005). The template's own words are only known to Meta, so the check
here is that the parameters alone fit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from socialpub.content.codes import problem
from socialpub.i18n import _
from socialpub.models import Problem, Variant

BODY_MAX = 1024  # characters of a template body, parameters filled in
SUMMARY_MAX = 500  # a teaser leaves room for the title, the link and the template's words
#: what WhatsApp refuses inside a parameter
_FORBIDDEN = re.compile(r"[\n\r\t]| {5,}")
#: what joining turns into one space (not the no-break space: it is meant)
_BREAKS = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")
#: the post's field a parameter comes from, for the problem's `field`
_SOURCE_FIELD = {"title": "title", "link": "link", "summary": "body", "text": "body"}


def parameter_values(variant: Variant, names: Sequence[str], part: int = 0) -> list[str]:
    """The parameters in template order; `part` is the variant part whose text is used."""
    text = variant.parts[part].text if variant.parts else ""
    return [_value(variant, name, text) for name in names]


def one_line(text: str) -> str:
    return _BREAKS.sub(" ", text).strip()


def summary(variant: Variant, text: str) -> str:
    """The first paragraph that says something beyond the title, link and hashtags."""
    title = variant.title.strip()
    skip = {title, f"*{title}*", (variant.link or "").strip()}  # *bold*: render/defaults
    for paragraph in text.split("\n\n"):
        line = one_line(paragraph)
        words = line.split(" ")
        if line and line not in skip and not all(w.startswith("#") for w in words):
            return _shortened(line, SUMMARY_MAX)
    return ""


def problems(variant: Variant, names: Sequence[str]) -> list[Problem]:
    """Every template rule the variant's parameters break, and a warning for its media."""
    found: list[Problem] = []
    values = parameter_values(variant, names)
    for number, (name, value) in enumerate(zip(names, values, strict=True), 1):
        found.extend(_parameter_problems(variant, number, name, value))
    total = sum(map(len, values))
    if total > BODY_MAX:
        message = f"the template parameters have {total} characters; WhatsApp takes {BODY_MAX}"
        hint = "shorten the title or the text, or fill fewer parameters with long parts"
        found.append(problem("SP803", variant.post_id, 1, "body", message, hint))
    if variant.media:
        files = ", ".join(m.file for m in variant.media)
        message = f"{variant.channel}: media are not sent to WhatsApp subscribers ({files})"
        hint = "the broadcast is the template's text only; link to the pictures if they matter"
        found.append(
            problem("SP804", variant.post_id, variant.media[0].line, "media", message, hint)
        )
    return found


def _value(variant: Variant, name: str, text: str) -> str:
    if name == "title":
        return variant.title
    if name == "link":
        return variant.link or ""
    if name == "summary":
        return summary(variant, text)
    return one_line(text)


def _parameter_problems(variant: Variant, number: int, name: str, value: str) -> list[Problem]:
    field = _SOURCE_FIELD.get(name, "body")
    which = f"template parameter {{{{{number}}}}} ({name})"
    if not value.strip():
        hint = f"give the post a {name}, or take {name} out of the channel's template.parameters"
        return [
            problem(
                "SP801",
                variant.post_id,
                1,
                field,
                _("{which} would be empty").format(which=which),
                hint,
            )
        ]
    found = []
    if _FORBIDDEN.search(value):
        message = f"{which} holds a line break, a tab or more than 4 spaces in a row"
        hint = f"write the {name} on one line; WhatsApp refuses the message otherwise"
        found.append(problem("SP802", variant.post_id, 1, field, message, hint))
    if len(value) > BODY_MAX:
        message = f"{which} has {len(value)} characters; WhatsApp takes {BODY_MAX}"
        found.append(
            problem(
                "SP803",
                variant.post_id,
                1,
                field,
                message,
                _("shorten the {name}").format(name=name),
            )
        )
    return found


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–") + "…"
