"""The county's etiquette (`etiquette:` in the config): forbidden words, sign-off lines,
hashtags and emoji, CamelCase hashtags, link shorteners, shouting.

Each rule reads the post's own text (title, body, tags, link), pointing at the line of what
it found, and each rendered variant, for what templates and overrides add (hashtags, a
channel's own text): a finding only a variant has points at the channel's override, else at
the body, and names the channels. Rules that are off, or not configured, do not run.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from socialpub.checks.emoji import emoji_clusters
from socialpub.content.codes import problem
from socialpub.content.config import Config
from socialpub.content.etiquetteconfig import ForbiddenWord, Rule
from socialpub.i18n import _
from socialpub.models import Post, Problem, Variant
from socialpub.render.counting import find_entities
from socialpub.render.counting.entities import Entity

#: a word: starts with a letter, may hold digits and hyphens ("B27", "A7-SPERRUNG")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:-[^\W_]+)*")
_MARKUP = re.compile(r"<[^>]+>|[*_`]")
_SPACE = re.compile(r"\s+")
#: what a message quotes of a long list
SHOWN = 5


@dataclass(frozen=True)
class Text:
    """A piece of text a rule reads: where it starts in the file, and whose it is."""

    text: str
    line: int
    field: str
    channel: str = ""  # set for a rendered variant: its lines are not the file's
    channel_type: str = ""

    def line_at(self, offset: int) -> int:
        return self.line if self.channel else self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True)
class Found:
    """One finding: as it is written, where, and the channels when only variants have it."""

    shown: str
    line: int
    field: str
    channels: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return (
            _(" (in the text for {channels})").format(channels=", ".join(self.channels))
            if self.channels
            else ""
        )


#: a finder yields (key to tell findings apart, the finding as written, offset)
Finder = Callable[[str], Iterable[tuple[str, str, int]]]


@dataclass(frozen=True)
class Subject:
    """What the rules look at: the post, its own texts and its rendered variants."""

    post: Post
    own: tuple[Text, ...]
    rendered: tuple[Text, ...]
    config: Config

    def findings(self, finder: Finder) -> list[Found]:
        """Each finding in the post's own texts, then each one only variants have."""
        seen: set[str] = set()
        found: list[Found] = []
        for text in self.own:
            for key, shown, offset in finder(text.text):
                seen.add(key)
                found.append(Found(shown, text.line_at(offset), text.field))
        extra: dict[str, tuple[str, Text, list[str]]] = {}  # key → shown, first place, channels
        for text in self.rendered:
            for key, shown, __ in finder(text.text):
                if key in seen:
                    continue
                channels = extra.setdefault(key, (shown, text, []))[2]
                if text.channel not in channels:
                    channels.append(text.channel)
        found += [Found(s, t.line, t.field, tuple(c)) for s, t, c in extra.values()]
        return found

    def problem(self, code: str, found: Found, message: str, hint: str) -> Problem:
        return problem(code, self.post.source, found.line, found.field, message, hint)


def etiquette_problems(post: Post, variants: Sequence[Variant], config: Config) -> list[Problem]:
    """Every etiquette problem of one post and its variants, at the rules' severities."""
    if config.etiquette is None:
        return []
    subject = Subject(post, _own_texts(post), _rendered(post, variants), config)
    found: list[Problem] = []
    for name, check in _CHECKS.items():
        rule = config.etiquette.active(name)
        if rule is not None and rule.severity is not None:
            severity = rule.severity
            found += [dataclasses.replace(p, severity=severity) for p in check(subject, rule)]
    return found


def _own_texts(post: Post) -> tuple[Text, ...]:
    texts = [Text(post.title, post.line_of("title"), "title"), Text(post.body, _body(post), "body")]
    if post.tags:
        texts.append(Text(" ".join(f"#{tag}" for tag in post.tags), post.line_of("tags"), "tags"))
    if post.link:
        texts.append(Text(post.link, post.line_of("link"), "link"))
    return tuple(texts)


def _rendered(post: Post, variants: Sequence[Variant]) -> tuple[Text, ...]:
    """Each variant's text, placed at the channel's override text when it has one (what only
    a variant has comes from there), else at the body."""
    texts = []
    for variant in variants:
        override = post.overrides.get(variant.channel)
        if override is not None and override.text is not None:
            line, field = override.line, f"overrides.{variant.channel}.text"
        else:
            line, field = _body(post), "body"
        texts.append(Text(variant.text, line, field, variant.channel, variant.channel_type))
    return tuple(texts)


def _body(post: Post) -> int:
    """The line the body's text starts on (blank lines after the front matter skipped)."""
    return post.lines.get("text", post.line_of("body"))


# --- words -----------------------------------------------------------------------------------


def _forbidden_words(subject: Subject, rule: Rule) -> list[Problem]:
    words: tuple[ForbiddenWord, ...] = rule.settings["words"]
    problems = []
    for word in words:
        pattern = _word_pattern(word.word)

        def finder(text: str, pattern: re.Pattern[str] = pattern) -> Iterable[tuple[str, str, int]]:
            return ((_key(m.group(0)), m.group(0), m.start()) for m in pattern.finditer(text))

        for found in subject.findings(finder):
            message = _("„{shown}“ is on the etiquette's list of words not to use{where}").format(
                shown=found.shown, where=found.where
            )
            hint = word.hint or _("rephrase it without this word (etiquette.forbidden_words)")
            problems.append(subject.problem("SP601", found, message, hint))
    return problems


def _key(found: str) -> str:
    """A finding as findings are told apart: rendering may join lines and spaces."""
    return _SPACE.sub(" ", found).casefold()


@cache
def _word_pattern(word: str) -> re.Pattern[str]:
    """A whole word or phrase, upper or lower case alike, any spaces between its words."""
    inner = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){inner}(?!\w)", re.IGNORECASE)


def _shouting(subject: Subject, rule: Rule) -> list[Problem]:
    least, allowed = rule.number("min_letters"), rule.settings["allow"]

    def finder(text: str) -> Iterable[tuple[str, str, int]]:
        for match in _WORD.finditer(_without_entities(text)):
            word = match.group(0)
            letters = sum(1 for char in word if char.isalpha())
            # ß has no capital in common use: STRAßE is written in capitals
            if letters >= least and word.replace("ß", "").isupper() and word.upper() not in allowed:
                yield word.casefold(), word, match.start()

    found = subject.findings(finder)
    if len(found) <= rule.number("max_words"):
        return []
    words = ", ".join(dict.fromkeys(f.shown for f in found[:SHOWN]))
    message = _("{count} words in capitals ({words}){where}: this reads as shouting").format(
        count=len(found), words=words, where=found[0].where
    )
    hint = _(
        "write them in normal case; abbreviations of up to {value} letters (DRK, ÖPNV, B27) are "
        "fine, add others to etiquette.shouting.allow"
    ).format(value=least - 1)
    return [subject.problem("SP607", found[0], message, hint)]


# --- links and hashtags ----------------------------------------------------------------------


def _link_shorteners(subject: Subject, rule: Rule) -> list[Problem]:
    hosts: frozenset[str] = rule.settings["hosts"]

    def finder(text: str) -> Iterable[tuple[str, str, int]]:
        for entity in _entities(text):
            if entity.kind == "url" and _shortened(entity.value, hosts):
                yield entity.value.casefold(), entity.value, entity.start

    hint = _("link the full address, e.g. https://www.landkreis-musterstadt.de/…")
    return [
        subject.problem(
            "SP606",
            found,
            _("{shown} is a shortened link: readers cannot see where it leads{where}").format(
                shown=found.shown, where=found.where
            ),
            hint,
        )
        for found in subject.findings(finder)
    ]


def _shortened(url: str, hosts: frozenset[str]) -> bool:
    host = re.split(r"[/?#:]", url.split("://", 1)[-1], maxsplit=1)[0].lower().rstrip(".")
    return any(host == name or host.endswith("." + name) for name in hosts)


def _hashtag_case(subject: Subject, rule: Rule) -> list[Problem]:
    lower, upper = rule.number("max_lower"), rule.number("max_upper")

    def finder(text: str) -> Iterable[tuple[str, str, int]]:
        for tag, start in _hashtags(text):
            letters = sum(1 for char in tag if char.isalpha())
            if (letters > lower and tag.islower()) or (letters > upper and tag.isupper()):
                yield tag.casefold(), tag, start

    hint = _(
        "write each word with a capital, e.g. #TagDerOffenenTür: screen readers then read "
        "the words, not a jumble of letters"
    )
    return [
        subject.problem(
            "SP605",
            found,
            _("#{shown}: write hashtags of several words in CamelCase{where}").format(
                shown=found.shown, where=found.where
            ),
            hint,
        )
        for found in subject.findings(finder)
    ]


def _max_hashtags(subject: Subject, rule: Rule) -> list[Problem]:
    def tags(text: str) -> list[str]:
        return list(dict.fromkeys(f"#{tag}" for tag, __ in _hashtags(text)))

    field = "tags" if subject.post.tags else "body"
    return _too_many(subject, rule, "SP603", tags, "hashtags", field)


def _max_emojis(subject: Subject, rule: Rule) -> list[Problem]:
    return _too_many(subject, rule, "SP604", emoji_clusters, "emoji", "body")


def _too_many(
    subject: Subject,
    rule: Rule,
    code: str,
    items: Callable[[str], list[str]],
    what: str,
    field: str,
) -> list[Problem]:
    """One problem when the text a social channel gets (else the post's own) has more items
    than allowed. The website's page is no post: it shows the title twice, tags as a list."""
    most = rule.number("max")
    social = tuple(t for t in subject.rendered if t.channel_type != "website")
    texts = social or (Text("\n".join(t.text for t in subject.own), 0, field),)
    counted = [(text.channel, items(text.text)) for text in texts]
    over = [(channel, found) for channel, found in counted if len(found) > most]
    if not over:
        return []
    worst = max((found for __, found in over), key=len)
    channels = ", ".join(channel for channel, __ in over if channel)
    shown = " ".join(worst[:SHOWN]) + (" …" if len(worst) > SHOWN else "")
    where = f" on {channels}" if channels else ""
    line = subject.post.line_of("tags") if field == "tags" else _body(subject.post)
    message = _("{count} {what}{where} ({shown}): the etiquette allows {most}").format(
        count=len(worst), what=what, where=where, shown=shown, most=most
    )
    hint = _("keep at most {most}, the ones that matter most").format(most=most) + (
        _("; screen readers read out every emoji") if what == "emoji" else ""
    )
    return [problem(code, subject.post.source, line, field, message, hint)]


@lru_cache(maxsize=256)
def _entities(text: str) -> tuple[Entity, ...]:
    """URLs, mentions and hashtags as X finds them (also URLs without https://)."""
    return tuple(find_entities(text, "twitter"))


def _hashtags(text: str) -> list[tuple[str, int]]:
    return [(e.value, e.start) for e in _entities(text) if e.kind == "hashtag"]


def _without_entities(text: str) -> str:
    """The text with URLs, mentions and hashtags blanked out (same offsets)."""
    if not any(mark in text for mark in "#@.:"):
        return text
    chars = list(text)
    for entity in _entities(text):
        chars[entity.start : entity.end] = " " * (entity.end - entity.start)
    return "".join(chars)


# --- sign-off ----------------------------------------------------------------------------------


def _signoff(subject: Subject, rule: Rule) -> list[Problem]:
    post, config = subject.post, subject.config
    folder, line_text = signoff_for(post.source, config.root, rule)
    if not line_text:
        return []
    wanted = _plain(line_text)
    texts = subject.rendered or subject.own[1:2]
    missing = [t.channel for t in texts if wanted not in _plain(t.text)]
    if not missing:
        return []
    missing_channels = [c for c in missing if c]
    where = (
        _("the text for {missing_channels}").format(missing_channels=", ".join(missing_channels))
        if len(missing_channels) < len(texts)
        else _("the text")
    )
    last_line = _body(post) + post.body.count("\n")
    setting = (
        _("etiquette.signoff for {folder}").format(folder=folder)
        if folder
        else _("etiquette.signoff default")
    )
    message = _("{where} lacks the sign-off „{line_text}“").format(where=where, line_text=line_text)
    hint = _("end the text with the line „{line_text}“ ({setting})").format(
        line_text=line_text, setting=setting
    )
    return [problem("SP602", post.source, last_line, "body", message, hint)]


def signoff_for(source: Path, root: Path, rule: Rule) -> tuple[str, str | None]:
    """(folder, line) of the sign-off a post file needs: its deepest folder's, else the
    default ("", line); (“”, None) when none applies."""
    relative = os.path.relpath(os.path.abspath(source), root).replace(os.sep, "/")  # noqa: PTH100
    folders: dict[str, str] = rule.settings["folders"]
    matching = [f for f in folders if relative.startswith(f + "/")]
    if matching:
        deepest = max(matching, key=len)
        return deepest, folders[deepest]
    default: str | None = rule.settings["default"]
    return "", default


def _plain(text: str) -> str:
    """Text as compared for a sign-off: no HTML or Markdown marks, spaces collapsed."""
    return _SPACE.sub(" ", html.unescape(_MARKUP.sub("", text))).strip().casefold()


_CHECKS: dict[str, Callable[[Subject, Rule], list[Problem]]] = {
    "forbidden_words": _forbidden_words,
    "signoff": _signoff,
    "max_hashtags": _max_hashtags,
    "max_emojis": _max_emojis,
    "hashtag_case": _hashtag_case,
    "link_shorteners": _link_shorteners,
    "shouting": _shouting,
}
