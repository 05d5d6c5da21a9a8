"""The site's look: Jinja2 templates and static files, with the filters the templates use.

Templates come from the package (`socialpub/site/templates/*.html.j2`); a file of the same name
in the repository's `templates/site/` folder replaces one. They run in Jinja2's sandbox with
autoescaping and strict undefined values, like the channel templates. The static files
(`site.css`, `search.js`) are copied to `static/`; the repository's `templates/site/static/`
may replace them too.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    import jinja2

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PACKAGE_STATIC = Path(__file__).parent / "static"
#: the compiled templates' folder in the cache folder
TEMPLATE_CACHE = "site-templates"
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SAFE_SCHEMES = ("https://", "http://", "mailto:")
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")  # what `quote` leaves as it is


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """A readable URL segment: "Tag der offenen Tür" → "tag-der-offenen-tuer"."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_GERMAN))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    found = _NOT_SLUG.sub("-", ascii_text).strip("-")[:60].strip("-")
    if found:
        return found
    # nothing Latin in it (e.g. a tag in Cyrillic): a stable name from its hash
    return "t-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def entry_url(entry_id: str) -> str:
    """An entry's page, relative to the site root (as feeds.permalink quotes it)."""
    if _UNQUOTED.fullmatch(entry_id):  # most ids: nothing to quote (and quote is slow)
        return "posts/" + entry_id + "/"
    return "posts/" + quote(entry_id, safe="") + "/"


def safe_url(url: str) -> str:
    """The URL when it is a web or mail link; "" for `javascript:` and anything else."""
    return url if url.strip().lower().startswith(_SAFE_SCHEMES) else ""


class Theme:
    """The Jinja2 environment for one build, with the filters that need the timezone.

    Jinja2 is loaded, and the templates compiled, only when a page is rendered; compiled
    templates are kept in `cache_dir` (a folder per version of this module and Jinja2)."""

    def __init__(self, templates_dir: Path, timezone: tzinfo, cache_dir: Path | None = None):
        self.override_dir = templates_dir / "site"
        self.timezone = timezone
        self.cache_dir = cache_dir
        self._env: jinja2.Environment | None = None

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            self._env = self._environment()
        return self._env

    def _environment(self) -> jinja2.Environment:
        import jinja2
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.FileSystemLoader(self.override_dir),
                    jinja2.FileSystemLoader(PACKAGE_TEMPLATES),
                ]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            bytecode_cache=self._bytecode_cache(jinja2.__version__),
        )
        env.filters.update(
            date_de=self.date_de,
            datetime_de=self.datetime_de,
            iso=self.iso,
            safe_url=safe_url,
            urlpart=lambda text: quote(str(text), safe=""),
        )
        return env

    def _bytecode_cache(self, version: str) -> jinja2.BytecodeCache | None:
        """Compiled templates of this environment alone: its options shape the code (the
        sandbox's checks are compiled in), so the folder's name changes with this module."""
        import shutil

        from jinja2 import FileSystemBytecodeCache

        if self.cache_dir is None:
            return None
        code = hashlib.sha256(Path(__file__).read_bytes() + version.encode()).hexdigest()
        folder = self.cache_dir / TEMPLATE_CACHE / code[:16]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.parent.iterdir():
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            return None  # not writable: compiled in every build
        return FileSystemBytecodeCache(str(folder))

    def render(self, name: str, **context: object) -> str:
        return self.env.get_template(name).render(context)

    def fingerprint(self) -> str:
        """Changes when a template changes: every page must then be rendered again."""
        digest = hashlib.sha256()
        for folder in (PACKAGE_TEMPLATES, self.override_dir):
            for path in sorted(folder.glob("*.j2")) if folder.is_dir() else ():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.timezone)

    def date_de(self, moment: datetime) -> str:
        local = self.local(moment)
        return f"{local.day}. {MONTHS[local.month - 1]} {local.year}"

    def datetime_de(self, moment: datetime) -> str:
        return f"{self.date_de(moment)}, {self.local(moment):%H:%M} Uhr"

    def iso(self, moment: datetime) -> str:
        return self.local(moment).isoformat(timespec="minutes")

    def static_files(self) -> Iterator[tuple[str, bytes]]:
        """(name, content) of each static file, the repository's own taking precedence."""
        names = {p.name for p in PACKAGE_STATIC.iterdir() if p.is_file()}
        own = self.override_dir / "static"
        if own.is_dir():
            names |= {p.name for p in own.iterdir() if p.is_file()}
        for name in sorted(names):
            path = own / name if (own / name).is_file() else PACKAGE_STATIC / name
            yield name, path.read_bytes()


def month_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"
