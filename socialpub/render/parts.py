"""A variant's text as parts: counted exactly as its platform counts, and split into a thread
when it is too long and the post allows one.

The measures per counting rule and dialect, the split (with Bluesky and Mastodon counted by
slices, see slices.py) and the shortcuts validation may take instead of splitting.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.models import Facet, Part
from socialpub.render.counting.entities import Flavor
from socialpub.specs import Capabilities

if TYPE_CHECKING:  # splitting pulls in the thread modules: imported when a text is split
    from socialpub.render.thread import Thread

_TAG = re.compile(r"<[^>]*>")


def visible_text(telegram_html: str) -> str:
    """What a reader sees of Telegram HTML: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", telegram_html))


def measure_of(caps: Capabilities) -> Callable[[str], int]:
    if caps.counter == "none":
        return len
    from socialpub.render import counting

    base = counting.length_function(caps.counter)
    if caps.dialect == "telegram_html":
        return lambda text: base(visible_text(text))
    if caps.counter == "bluesky":
        # Both limits must hold: 300 graphemes and 3000 bytes, i.e. 10 bytes per grapheme.
        return lambda text: max(base(text), -(-len(text.encode("utf-8")) // 10))
    return base


def part(
    text: str, caps: Capabilities, length: int | None = None, *, facets_too: bool = True
) -> Part:
    facets: tuple[Facet, ...] = ()
    if caps.counter == "bluesky" and facets_too:
        from socialpub.render.facets import bluesky_facets

        facets = bluesky_facets(text)
    if length is None or caps.counter == "none":
        length = _length(text, caps)
    return Part(text=text, length=length, facets=facets)


def _length(text: str, caps: Capabilities) -> int:
    """The length as the platform reports it (for HTML dialects: the visible text)."""
    shown = visible_text(text) if caps.dialect != "plain" else text
    if caps.counter == "none":
        return len(shown)
    from socialpub.render import counting

    return counting.length_function(caps.counter)(shown)


def split(
    text: str,
    limit: int,
    caps: Capabilities,
    measure: Callable[[str], int],
    numbering: bool,
    *,
    verify: bool = True,
) -> Thread:
    """The thread of a text too long for one post; `verify`: count the finished parts in full
    (publishing does; validation relies on the slices, which are tested to count alike)."""
    from socialpub.render.slices import slicer
    from socialpub.render.thread import build_thread

    thread = build_thread(
        text,
        limit,
        measure,
        numbering=numbering,
        flavor=_flavor(caps),
        slicer=slicer(caps, measure),
        verify=verify,
    )
    if caps.dialect == "telegram_html" and not all(_balanced(part) for part in thread.parts):
        raise ContentError(_("the formatted text cannot be split without breaking its formatting"))
    return thread


def surely_splittable(
    text: str, limit: int, caps: Capabilities, measure: Callable[[str], int]
) -> bool:
    from socialpub.render.threadcheck import surely_splittable as splittable

    # Telegram parts must also keep their HTML tags balanced: only a real split can tell.
    return caps.dialect != "telegram_html" and splittable(
        text, limit, measure, flavor=_flavor(caps)
    )


def surely_fits(text: str, limit: int, caps: Capabilities) -> bool:
    """Whether a Mastodon text is within the limit without counting it: graphemes are at
    most code points, a mention only gets shorter, and a URL (it holds "://") counts 23."""
    return (
        caps.counter == "mastodon"
        and caps.dialect == "plain"
        and len(text) + 23 * text.count("://") <= limit
    )


def remembered(measure: Callable[[str], int]) -> Callable[[str], int]:
    known: dict[str, int] = {}

    def remembered(text: str) -> int:
        if text not in known:
            known[text] = measure(text)
        return known[text]

    return remembered


def _flavor(caps: Capabilities) -> Flavor:
    """Whose rules find the URLs, mentions and hashtags that a thread part must not cut."""
    return (
        "twitter" if caps.counter == "x" else "bluesky" if caps.counter == "bluesky" else "mastodon"
    )


def _balanced(fragment: str) -> bool:
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-z-]+)[^>]*>", fragment):
        closing, name = match.groups()
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack
