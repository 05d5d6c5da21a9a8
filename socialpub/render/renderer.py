"""Post × channel → Variant: the exact text (and thread parts) a channel would receive.

Layout comes from Jinja2 templates, looked up in this order:
`overrides.<channel>.template` → `templates/<channel name>.j2` → `templates/<channel type>.j2`
→ the built-in default for the channel's dialect. The environment is sandboxed with
StrictUndefined; HTML dialects are autoescaped. The post body is never a template: it is
rendered from Markdown first and handed to the template as a finished value.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from socialpub.content.codes import problem
from socialpub.content.config import ChannelConfig, Config
from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.models import Part, Post, Problem, Variant
from socialpub.render import markup, parts
from socialpub.render.overrides import Effective, effective
from socialpub.render.problems import hashtag_problems, hashtags_dropped, too_long
from socialpub.specs import Capabilities

DEFAULTS = Path(__file__).parent / "defaults"
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@dataclass
class Renderer:
    """Renders variants for one config. Templates are compiled once and reused."""

    config: Config
    #: for validation: only the problems are exact (long texts are proven splittable instead
    #: of split where that is certain, and Bluesky facets are left out)
    check_only: bool = False
    _envs: dict[bool, jinja2.Environment] = field(default_factory=dict)
    _paths: dict[tuple[str, str | None], Path] = field(default_factory=dict)
    #: per template: whether it reads `channel` (else channels that share it share its text)
    _reads_channel: dict[str, bool] = field(default_factory=dict)
    # What one post's variants share: the parsed text, its rendering per dialect, and the
    # layouts of templates that do not depend on the channel.
    _documents: dict[str, markup.Document] = field(default_factory=dict)
    _bodies: dict[tuple[str, str], str] = field(default_factory=dict)
    _layouts: dict[tuple[object, ...], str] = field(default_factory=dict)

    def variants(self, post: Post, channels: Mapping[str, ChannelConfig]) -> list[Variant]:
        self._documents.clear()  # parse each text once per post, render it per dialect
        self._bodies.clear()
        self._layouts.clear()
        return [self.variant(post, channel) for channel in channels.values()]

    def variant(self, post: Post, channel: ChannelConfig) -> Variant:
        values = effective(post, channel.name)
        caps = channel.capabilities
        problems: list[Problem] = []
        text = self._layout(post, channel, values, problems)
        parts = self._parts(post, channel, values, text, problems) if text else ()
        problems.extend(hashtag_problems(post, channel, text))
        if caps.caption_max and values.media and parts and parts[0].length > caps.caption_max:
            problems.append(
                problem(
                    "SP305",
                    post.source,
                    post.line_of("body"),
                    channel.name,
                    _(
                        "{name}: text ({length}) is longer than a media caption ({caption_max}): "
                        "media and text go out as separate messages"
                    ).format(
                        name=channel.name, length=parts[0].length, caption_max=caps.caption_max
                    ),
                    _("shorten the text to keep it together with the media"),
                )
            )
        return Variant(
            post_id=post.id,
            channel=channel.name,
            channel_type=channel.type,
            parts=parts,
            limit=channel.limit,
            unit=caps.unit,
            media=values.media,
            lang=post.lang,
            link=values.link,
            problems=tuple(problems),
            title=post.title,
        )

    # --- layout ------------------------------------------------------------------------

    def _layout(
        self, post: Post, channel: ChannelConfig, values: Effective, problems: list[Problem]
    ) -> str:
        dialect = channel.capabilities.dialect
        is_html = dialect != "plain"
        try:
            template = self._template(post, channel, values, is_html)
        except _TemplateFailure as failure:
            problems.append(failure.problem(post, channel))
            return ""
        shared = (template.filename, dialect, values.text, values.tags, values.link)
        if not self._reads(template) and shared in self._layouts:
            return self._layouts[shared]
        body = self._body(values.text, dialect)
        context = {
            "title": post.title,
            # the body is HTML produced by markup.py, which escapes all text itself
            "body": Markup(body) if is_html else body,  # noqa: S704
            "link": values.link,
            "tags": list(values.tags),
            "hashtags": " ".join(f"#{tag}" for tag in values.tags),
            "post": types.MappingProxyType(_post_context(post)),
            "channel": types.MappingProxyType({"name": channel.name, "type": channel.type}),
        }
        try:
            rendered = template.render(context)
        except jinja2.TemplateError as exc:
            problems.append(_runtime_problem(exc, post, channel))
            return ""
        layout = self._layouts[shared] = _tidy(rendered)
        return layout

    def _reads(self, template: jinja2.Template) -> bool:
        """Whether the template reads `channel` (found once per template, from its source)."""
        name = template.filename or ""
        if name not in self._reads_channel:
            try:
                source = Path(name).read_text(encoding="utf-8-sig")
                names = jinja2.meta.find_undeclared_variables(template.environment.parse(source))
            except (OSError, UnicodeDecodeError, jinja2.TemplateError):
                names = {"channel"}  # when in doubt, render it per channel
            self._reads_channel[name] = "channel" in names
        return self._reads_channel[name]

    def _body(self, text: str, dialect: str) -> str:
        key = (text, dialect)
        if key in self._bodies:
            return self._bodies[key]
        document = self._documents.get(text)
        if document is None:
            document = self._documents[text] = markup.parse(text)
        if dialect == "telegram_html":
            body = markup.to_telegram_html(document)
        elif dialect == "html":
            body = markup.to_html(document)
        else:
            body = markup.to_plain(document)
        self._bodies[key] = body
        return body

    def _template(
        self, post: Post, channel: ChannelConfig, values: Effective, is_html: bool
    ) -> jinja2.Template:
        env = self._env(is_html)
        key = (channel.name, values.template)
        path = self._paths.get(key)
        if path is None:  # looked up on disk once per channel and override, not per post
            path = self._paths[key] = self._template_path(channel, values)
        try:
            return env.get_template(str(path))
        except jinja2.TemplateSyntaxError as exc:
            raise _TemplateFailure(path, exc.lineno, exc.message or _("syntax error")) from None
        except jinja2.TemplateNotFound:
            raise _TemplateFailure(path, 1, _("template file not found")) from None

    def _template_path(self, channel: ChannelConfig, values: Effective) -> Path:
        if values.template:
            for folder in (self.config.templates_dir, self.config.root):
                candidate = (folder / values.template).resolve()
                if candidate.is_file() and candidate.is_relative_to(self.config.root):
                    return candidate
            return self.config.templates_dir / values.template
        for name in (channel.name, channel.type):
            candidate = self.config.templates_dir / f"{name}.j2"
            if candidate.is_file():
                return candidate
        for name in (channel.type, _DEFAULT_FOR_DIALECT[channel.capabilities.dialect]):
            candidate = DEFAULTS / f"{name}.j2"
            if candidate.is_file():
                return candidate
        raise AssertionError("built-in templates are missing")  # pragma: no cover

    def _env(self, is_html: bool) -> jinja2.Environment:
        env = self._envs.get(is_html)
        if env is None:
            env = ImmutableSandboxedEnvironment(
                loader=_AbsoluteLoader(),
                undefined=jinja2.StrictUndefined,
                autoescape=is_html,
                keep_trailing_newline=False,
                auto_reload=False,
            )
            self._envs[is_html] = env
        return env

    # --- counting and threads ------------------------------------------------------------

    def _whole(self, text: str, caps: Capabilities, length: int | None) -> tuple[Part, ...]:
        """The text as one part. For validation only its problems count: no facets, and
        the length is a bound (or 0) unless counted already (a caption's is)."""
        if self.check_only:
            return (Part(text=text, length=length or 0),)
        return (parts.part(text, caps, length),)

    def _parts(
        self,
        post: Post,
        channel: ChannelConfig,
        values: Effective,
        text: str,
        problems: list[Problem],
    ) -> tuple[Part, ...]:
        caps = channel.capabilities
        limit = channel.limit
        measure = parts.remembered(parts.measure_of(caps))  # the split counts the whole text again
        if self.check_only and limit and parts.surely_fits(text, limit, caps):
            return self._whole(text, caps, 0)
        size = measure(text) if limit else 0
        # Bluesky's measure also weighs bytes; every other one is the length itself.
        known = None if caps.counter == "bluesky" else size
        if not limit or size <= limit:
            return self._whole(text, caps, known)
        if not (values.thread and caps.threads):
            problems.append(too_long(post, channel, size, limit, caps, values.thread))
            return self._whole(text, caps, known)
        numbering = channel.thread_numbering
        if self.check_only and parts.surely_splittable(text, limit, caps, measure):
            return self._whole(text, caps, None)
        try:
            thread = parts.split(text, limit, caps, measure, numbering, verify=not self.check_only)
        except ContentError as exc:
            problems.append(
                problem(
                    "SP302",
                    post.source,
                    post.line_of("body"),
                    channel.name,
                    f"{channel.name}: {exc.message}",
                    _("shorten the long link or word"),
                )
            )
            return self._whole(text, caps, None)
        if thread.dropped:
            problems.append(hashtags_dropped(post, channel, thread.dropped))
        if not self.check_only:
            return tuple(parts.part(p, caps) for p in thread.parts)
        # Validation reads a part's length only for the caption rule (the first part); the
        # split made every part fit, so the others are not counted again.
        counted = 1 if caps.caption_max and values.media else 0
        return tuple(
            parts.part(p, caps, None if index < counted else 0, facets_too=False)
            for index, p in enumerate(thread.parts)
        )


class _AbsoluteLoader(jinja2.BaseLoader):
    """Loads templates by absolute path, so error messages can name the real file."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = Path(template)
        try:
            source = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise jinja2.TemplateNotFound(template) from None
        return source, str(path), lambda: True


@dataclass(frozen=True)
class _TemplateFailure(Exception):
    path: Path
    line: int
    message: str

    def problem(self, post: Post, channel: ChannelConfig) -> Problem:
        return problem(
            "SP303",
            self.path,
            self.line,
            channel.name,
            _("template error: {message} (rendering {id} for {name})").format(
                message=self.message, id=post.id, name=channel.name
            ),
            _("fix the template; see README › Templates for the available values"),
        )


_DEFAULT_FOR_DIALECT = {"plain": "plain", "telegram_html": "telegram", "html": "website"}


def _post_context(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "title": post.title,
        "lang": post.lang,
        "author": post.author or "",
        "department": post.department or "",
        "link": post.link or "",
        "tags": list(post.tags),
        "publish_at": post.publish_at.isoformat() if post.publish_at else "",
    }


def _runtime_problem(exc: jinja2.TemplateError, post: Post, channel: ChannelConfig) -> Problem:
    """Point at the template line that failed, found in the traceback Jinja rewrites."""
    filename, line = "", 1
    tb = exc.__traceback__
    while tb is not None:
        code_file = tb.tb_frame.f_code.co_filename
        if code_file.endswith(".j2") or code_file.endswith((".jinja", ".txt", ".html")):
            filename, line = code_file, tb.tb_lineno
        tb = tb.tb_next
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    return _TemplateFailure(Path(filename or "<template>"), line, message).problem(post, channel)


def _tidy(text: str) -> str:
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_SPACE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
