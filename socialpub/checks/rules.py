"""The rules one post is checked against: channel names, media, rendering, style.

They depend only on the post, the config and its variants, so their results can be cached;
the rules that must run fresh are in `report.py`. Each rule returns Problems; none stops at
the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import regex

from socialpub.checks.departments import department_problems
from socialpub.checks.emoji import emoji_count
from socialpub.checks.etiquette import etiquette_problems
from socialpub.checks.media import media_problems
from socialpub.checks.platform import platform_problems
from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig, Config, channel_hint
from socialpub.i18n import _
from socialpub.models import Post, Problem, Status, Variant

__all__ = ["emoji_count", "post_problems"]

MAX_EMOJI = 5
_BODY_HASHTAG = regex.compile(r"(?<![\w#])#(\w+)")


def post_problems(
    post: Post, channels: Mapping[str, ChannelConfig], variants: Sequence[Variant], config: Config
) -> list[Problem]:
    """The cacheable rules of one loaded post, given its variants for `channels` (all the
    channels it goes to): channel names, media rules, rendering, style."""
    problems = _channel_problems(post, config)
    problems.extend(media_problems(post, dict(channels)))
    for variant in variants:
        problems.extend(variant.problems)
    problems.extend(platform_problems(post, channels, variants, config))
    problems.extend(_editorial_problems(post, config))
    problems.extend(department_problems(post, channels, config))
    problems.extend(etiquette_problems(post, variants, config))
    return problems


# --- per-post rules --------------------------------------------------------------------------


def _channel_problems(post: Post, config: Config) -> list[Problem]:
    names = [(name, post.line_of("channels")) for name in post.channels or ()]
    names += [(name, o.line or post.line_of("overrides")) for name, o in post.overrides.items()]
    return [
        problem(
            "SP109",
            post.source,
            line,
            "channels",
            _("unknown channel {name!r}").format(name=name),
            channel_hint(name, config.channels),
        )
        for name, line in names
        if name not in config.channels
    ]


def _editorial_problems(post: Post, config: Config) -> list[Problem]:
    """Built-in style warnings; a rule of the same kind in the etiquette replaces them."""
    etiquette = config.etiquette
    problems: list[Problem] = []
    # in workflow mode the approval is a record (`socialpub approve`), not `approved_by`
    if post.status is Status.APPROVED and not post.approved_by and config.workflow is None:
        problems.append(
            problem(
                "SP401",
                post.source,
                post.line_of("status"),
                "approved_by",
                _("approved post names no approver"),
                _("add `approved_by: <name>` so the approval can be traced"),
            )
        )
    replaced = etiquette.configured("hashtag_case") if etiquette else False
    for tag, line in () if replaced else _hashtags(post):
        if (tag.islower() and len(tag) >= 15) or (tag.isupper() and len(tag) > 6):
            problems.append(
                problem(
                    "SP402",
                    post.source,
                    line,
                    "tags",
                    _("#{tag}: write multi-word hashtags in CamelCase").format(tag=tag),
                    _("e.g. #TagDerOffenenTür — screen readers then read the words, not letters"),
                )
            )
    emoji = emoji_count(post.body)
    if emoji > MAX_EMOJI and not (etiquette and etiquette.configured("max_emojis")):
        problems.append(
            problem(
                "SP403",
                post.source,
                post.line_of("body"),
                "body",
                _("{emoji} emoji: screen readers read out every one").format(emoji=emoji),
                _("use at most {max_emoji}, and not in place of words").format(max_emoji=MAX_EMOJI),
            )
        )
    return problems


def _hashtags(post: Post) -> Iterable[tuple[str, int]]:
    for tag in post.tags:
        yield tag, post.line_of("tags")
    for match in _BODY_HASHTAG.finditer(post.body):
        line = post.line_of("body") + post.body.count("\n", 0, match.start())
        yield match.group(1), line
