"""`preview --format markdown`: the comment a CI pipeline posts on a pull or merge request.

A pure function of what preview computed. The post's own text goes into fenced blocks longer
than any run of backticks in it, so no post can close its block; everything else the post
supplies (title, alt text, file names, messages) is escaped, so it neither renders as markup
nor mentions anyone (`@name`) or links an issue (`#12`). The comment begins with a hidden
marker a pipeline finds its earlier comment by, and stays under GitHub's limit of 65,536
characters for a comment body: what does not fit is left out, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from socialpub.checks.approvalstate import ApprovalKind, ApprovalState
from socialpub.checks.preview import PreviewResult
from socialpub.i18n import _
from socialpub.models import Problem, Severity, Variant

MARKER = "<!-- socialpub-preview -->"
#: GitHub's cap on a comment body (its API: "Body is too long (maximum is 65536 characters)")
MAX_CHARS = 65_536
#: a comment longer than this folds each post into a <details> block
FOLD_AT = 4_000
_ROOM_FOR_NOTE = 1_000  # kept free for the note on what was left out
_BACKTICKS = re.compile(r"`+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")  # emphasis, code, links, strikethrough
_APPROVAL_MARKS = {
    ApprovalKind.APPROVED: "✅",
    ApprovalKind.WAITING: "⏳",
    ApprovalKind.NOT_NEEDED: "➖",
}


def size(text: str) -> int:
    """A text's length as GitHub may count it, never less: in UTF-16 code units (an emoji
    counts 2), with each line break counted as the two characters of CRLF."""
    return len(text.encode("utf-16-le")) // 2 + text.count("\n")


def _unlinked(text: str) -> str:
    """A word joiner after @ and #: `@name` mentions nobody, `#12` links no issue."""
    return text.replace("@", "@\u2060").replace("#", "#\u2060")


def inline(text: str) -> str:
    """Text from a post or a message as plain inline Markdown: no markup, no HTML, one line."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _unlinked(html.escape(escaped, quote=False))


def summary_text(text: str) -> str:
    """Text inside <summary>: an HTML block, where Markdown is not read, so HTML escapes do."""
    return _unlinked(html.escape(" ".join(text.split())))


def code(text: str) -> str:
    """`text` as an inline code span no backtick inside it can end (file names, alt texts)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(text: str, info: str = "text") -> str:
    """`text` in a fenced code block no backtick run inside it can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


@dataclass(frozen=True)
class _Section:
    post_id: str
    heading: str  # "title  [id] · status · dates"
    errors: int
    full: str  # every variant with its texts
    short: str  # the same without the texts (when the full one does not fit)

    def block(self, body: str, *, fold: bool) -> str:
        if not fold:
            mark = "❌ " if self.errors else ""
            return f"### {mark}{inline(self.heading)}\n\n{body}"
        opened = " open" if self.errors else ""
        mark = "❌ " if self.errors else ""
        return (
            f"<details{opened}>\n<summary>{mark}{summary_text(self.heading)}</summary>\n\n"
            f"{body}\n\n</details>"
        )


def comment(
    result: PreviewResult, *, root: Path | None = None, title: str = "socialpub preview"
) -> str:
    """The whole comment, at most MAX_CHARS long (in UTF-16 code units); files are named
    relative to `root`, the repository (as the pull request names them)."""
    if root is not None:
        result = _relative(result, root)
    sections = [_section(result, post_id, heading) for post_id, heading in result.titles.items()]
    head = _head(result, title)
    fold = size(head) + sum(size(s.full) for s in sections) > FOLD_AT
    budget = MAX_CHARS - size(head) - _ROOM_FOR_NOTE
    shown: list[str] = []
    shortened: list[str] = []
    left_out: list[str] = []
    for section in sections:
        for body, short in ((section.full, False), (section.short, True)):
            block = section.block(body, fold=fold)
            if not left_out and size(block) + 2 <= budget:
                shown.append(block)
                budget -= size(block) + 2
                if short:
                    shortened.append(section.post_id)
                break
        else:
            left_out.append(section.post_id)
    return "\n\n".join([head, *shown, *_notes(shortened, left_out)]) + "\n"


def _relative(result: PreviewResult, root: Path) -> PreviewResult:
    def name(file: str) -> str:
        path = Path(file)
        inside = path.is_absolute() and path.is_relative_to(root)
        return path.relative_to(root).as_posix() if inside else file

    variants = tuple(
        dataclasses.replace(
            v, problems=tuple(dataclasses.replace(p, file=name(p.file)) for p in v.problems)
        )
        for v in result.variants
    )
    return dataclasses.replace(result, variants=variants)


def _head(result: PreviewResult, title: str) -> str:
    posts = len(result.titles)
    if not posts:
        return _(
            "{marker}\n## {title}\n\nNo post to preview: this change touches no post file."
        ).format(marker=MARKER, title=title)
    verdict = "❌" if result.errors else "⚠️" if result.warnings else "✅"
    counts = (
        f"{_plural(posts, 'post')}, {_plural(len(result.variants), 'channel variant')}: "
        f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}"
    )
    return f"{MARKER}\n## {title}\n\n{verdict} {counts}"


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _section(result: PreviewResult, post_id: str, heading: str) -> _Section:
    variants = [v for v in result.variants if v.post_id == post_id]
    errors = sum(1 for v in variants for p in v.problems if p.severity is Severity.ERROR)
    if not variants:
        body = _("Goes to none of the chosen channels (see its `channels:`).")
        return _Section(post_id, heading, 0, body, body)
    sealed = post_id in result.sealed
    states = [result.approvals.get((post_id, v.channel)) for v in variants]
    pairs = list(zip(variants, states, strict=True))
    full = [_variant(v, state, sealed, texts=True) for v, state in pairs]
    short = [_variant(v, state, sealed, texts=False) for v, state in pairs]
    return _Section(post_id, heading, errors, "\n\n".join(full), "\n\n".join(short))


def _variant(variant: Variant, approval: ApprovalState | None, sealed: bool, *, texts: bool) -> str:
    lines = [f"#### {inline(variant.channel)} ({inline(variant.channel_type)})"]
    if approval is not None:
        # an embargoed post names nobody: who approves it may tell what it is about
        detail = "" if sealed else f": {inline(approval.detail)}"
        lines.append(f"Approval: {_APPROVAL_MARKS[approval.kind]} {approval.kind.value}{detail}")
    if sealed:
        lines.append(
            _("🔒 {inline}: nothing of it is shown").format(inline=inline(variant.parts[0].text))
        )
    else:
        lines.extend(_parts(variant, texts=texts))
        lines.extend(_media(variant))
        if variant.link:
            lines.append(f"Link: {code(variant.link)}")
    lines.extend(_problems(variant.problems, places=not sealed))  # a file name may tell
    return "\n\n".join(lines)


def _parts(variant: Variant, *, texts: bool) -> Iterable[str]:
    total = len(variant.parts)
    for number, part in enumerate(variant.parts, start=1):
        over = bool(variant.limit) and part.length > variant.limit
        count = f"{part.length}/{variant.limit}" if variant.limit else f"{part.length}"
        label = f"Part {number}/{total} · " if total > 1 else ""
        verdict = (
            _(" — ❌ {value} over the limit").format(value=part.length - variant.limit)
            if over
            else ""
        )
        yield f"{label}{count} {variant.unit}{verdict}"
        if texts:
            yield fenced(part.text)
    if not texts:
        yield _("_The text is left out here to keep the comment within GitHub's size limit._")


def _media(variant: Variant) -> Iterable[str]:
    if not variant.media:
        return
    rows = []
    for media in variant.media:
        alt = f"alt: {code(media.alt)}" if media.alt else _("❌ **no alt text**")
        credit = f" · © {code(media.credit)}" if media.credit else ""
        rows.append(f"- 🖼 {code(media.file)} — {alt}{credit}")
    yield "\n".join(rows)


def _problems(problems: Sequence[Problem], *, places: bool) -> Iterable[str]:
    if not problems:
        return
    rows = []
    for found in problems:
        mark = "❌" if found.severity is Severity.ERROR else "⚠️"
        where = f" ({code(f'{found.file}:{found.line}')})" if found.file and places else ""
        hint = f" — {inline(found.hint)}" if found.hint else ""
        message = inline(found.message)
        rows.append(f"- {mark} {found.severity.value} **{found.code}**{where}: {message}{hint}")
    yield "\n".join(rows)


def _notes(shortened: Sequence[str], left_out: Sequence[str]) -> list[str]:
    notes = []
    limit = _("to stay under GitHub's {max_chars:,} characters").format(max_chars=MAX_CHARS)
    if shortened:
        many = _plural(len(shortened), "post")
        notes.append(
            _("_{many} shown without the text, {limit}: {ids}._").format(
                many=many, limit=limit, ids=_ids(shortened)
            )
        )
    if left_out:
        many = _plural(len(left_out), "post")
        notes.append(
            _("**{many} left out** {limit}: {ids}. Run `socialpub preview` on them.").format(
                many=many, limit=limit, ids=_ids(left_out)
            )
        )
    return notes


def _ids(post_ids: Sequence[str]) -> str:
    """The ids as one code span, cut short so both notes fit in the room kept for them."""
    ids = ", ".join(post_ids)
    if size(ids) > _ROOM_FOR_NOTE // 3:
        ids = ids[: _ROOM_FOR_NOTE // 3].rsplit(", ", 1)[0] + ", …"
    return code(ids)
