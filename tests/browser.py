"""Helpers for the real-browser and HTML-validity tests of the website channel.

The tools come from `make test`: Debian's `chromium` (apt), Python `playwright` driving that
system browser (never `playwright install`, which downloads its own build), and from npm, pinned
in tests/tools/package.json: `axe-core` (accessibility rules) and `vnu-jar` (Nu HTML Checker,
run with the machine's Java). A missing tool fails the test with a hint, unless
SOCIALPUB_SKIP_BROWSER=1 says explicitly to skip these tests.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from socialpub.content.config import load_config
from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.publishing.website import site_copies
from socialpub.site.build import build_site
from socialpub.site.model import Entry
from tests.conftest import BASE_CONFIG, Repo
from tests.localserver import serving

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route

TOOLS = Path(__file__).parent / "tools"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SKIP_ENV = "SOCIALPUB_SKIP_BROWSER"
CHROMIUM_ENV = "SOCIALPUB_CHROMIUM"  # another Chromium binary, e.g. on a developer's laptop
#: the accessibility level the site owes (BITV 2.0 = WCAG 2.1 AA)
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def skip_requested() -> bool:
    return os.environ.get(SKIP_ENV, "") == "1"


def require(what: str, present: bool) -> None:
    """Skip when asked to explicitly; otherwise a missing tool is a failure, not a silent skip."""
    if skip_requested():
        pytest.skip(f"{SKIP_ENV}=1 is set: browser and HTML-validity checks skipped")
    if not present:
        pytest.fail(f"{what} is not installed: run `make test`, which installs it", pytrace=False)


def chromium_path() -> str:
    explicit = os.environ.get(CHROMIUM_ENV, "")
    found = explicit or shutil.which("chromium") or ""
    require("Chromium (Debian package `chromium`)", bool(found) and Path(found).exists())
    return found


def require_playwright() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require("The Python package `playwright`", False)


def java_path() -> str:
    found = shutil.which("java") or ""
    require("Java (for the Nu HTML Checker)", bool(found))
    return found


# --- a local server for the built site ---------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean: failures are reported by the assertions, not the log."""


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port) in a thread; yields the origin."""
    with serving(functools.partial(_QuietHandler, directory=str(root))) as origin:
        yield origin


# --- what a page does: requests, console errors ------------------------------------------


@dataclass
class Watch:
    """Every request a browser context makes, and every console error of its pages."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests that would leave the site (data:/blob: URLs never reach a server)."""
        own = self.origin + "/"
        inline = ("data:", "blob:")
        return [u for u in self.requests if not u.startswith(own) and not u.startswith(inline)]

    def attach(self, page: Page) -> Page:
        # a CSP violation (an inline script or style, a foreign source) shows up here
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            text = f"{message.location.get('url', '')}: {message.text}"
            self.errors.append(text[:300])


def watch(context: BrowserContext, origin: str) -> Watch:
    """Record every request of `context`; let only the site's own ones through.

    Foreign requests are aborted rather than sent, so a leaking page fails the test without
    any traffic leaving the machine.
    """
    seen = Watch(origin)
    context.on("request", lambda request: seen.requests.append(request.url))

    def route(route: Route) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", route)
    return seen


# --- axe-core ------------------------------------------------------------------------------

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                              summary: n.failureSummary}))
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core into the loaded page and return its WCAG 2.1 A/AA violations.

    The page's CSP (`script-src 'self'`) blocks an injected inline script, so the page must
    come from a context opened with `bypass_csp=True` (see test_site_browser.py).
    """
    page.add_script_tag(path=str(AXE_JS))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, list(WCAG_TAGS))
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url}: {len(violations)} axe violation(s)"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.append("      " + " ".join(str(node["summary"]).split())[:300])
    return "\n".join(lines)


# --- Nu HTML Checker -----------------------------------------------------------------------


def vnu_errors(paths: list[Path]) -> list[dict[str, Any]]:
    """Run the Nu HTML Checker once over `paths` (HTML and CSS files); returns its errors."""
    require("The Nu HTML Checker (npm `vnu-jar` in tests/tools)", VNU_JAR.exists())
    command = [java_path(), "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    command += ["--also-check-css", *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    # vnu writes its JSON report to stderr; exit 1 only means "errors found"
    if done.returncode not in (0, 1) or not done.stderr.strip().startswith("{"):
        pytest.fail(f"vnu failed (exit {done.returncode}): {done.stderr[-2000:]}", pytrace=False)
    messages: list[dict[str, Any]] = json.loads(done.stderr)["messages"]
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def describe_vnu(errors: list[dict[str, Any]], root: Path) -> str:
    lines = [f"{len(errors)} HTML error(s) (Nu HTML Checker):"]
    for e in errors:
        where = str(e.get("url", "")).removeprefix("file:").replace(str(root), "", 1)
        lines.append(f"  {where}:{e.get('lastLine', '?')}: {e.get('message', '')}")
        if e.get("extract"):
            lines.append("    " + " ".join(str(e["extract"]).split())[:200])
    return "\n".join(lines)


# --- the site under test -------------------------------------------------------------------

BASE_URL = "https://kreis.example/aktuelles"  # .example never resolves: nothing can leak there
SEARCH_TERM = "Musterdorf"  # in exactly one post's text
SEARCH_HIT = "Vollsperrung der B 27 bei Musterdorf"
SEARCH_MISS = "Kreistag berät den Haushalt 2027"

POSTS = {
    "kreistag.md": """\
        ---
        id: kreistag-haushalt
        title: Kreistag berät den Haushalt 2027
        status: approved
        author: Anna Schneider
        department: Büro des Landrats
        approved_by: Lena Hoffmann
        publish_at: 2026-11-20T10:00
        link: https://www.landkreis-musterstadt.de/kreistag
        tags: [Kreistag, Haushalt]
        ---
        Der Kreistag tagt am **3. Dezember** öffentlich im Landratsamt. Auf der Tagesordnung:

        1. Haushalt 2027
        2. Schulentwicklungsplan

        Die [Sitzungsunterlagen](https://www.landkreis-musterstadt.de/kreistag) stehen online.
        """,
    "b27.md": """\
        ---
        id: sperrung-b27
        title: Vollsperrung der B 27 bei Musterdorf
        status: approved
        author: Jonas Weber
        department: Straßenverkehrsamt
        approved_by: Anna Schneider
        publish_at: 2026-10-15T08:30
        tags: [Verkehr, Baustelle]
        media:
          - file: posts/media/umleitung.png
            alt: Karte der Umleitung über Musterdorf und Beispielhausen.
            credit: Landkreis Musterstadt
        ---
        Wegen Bauarbeiten ist die B 27 zwischen Musterdorf und Beispielhausen vom 20. bis
        24. Oktober gesperrt. Die Umleitung ist ausgeschildert.
        """,
    "welcome.md": """\
        ---
        id: welcome-centre
        title: Welcome Centre opens for international staff
        status: approved
        lang: en
        author: Lena Hoffmann
        department: Personalamt
        approved_by: Anna Schneider
        publish_at: 2026-11-22T09:00
        tags: [Karriere]
        ---
        Our new Welcome Centre helps international staff with housing, language courses and
        paperwork. Drop in on Tuesdays from 9 to 12.
        """,
    "hinweis.md": """\
        ---
        id: sicherheitshinweis
        title: "Sicherheitshinweis: <script> und {{ platzhalter }} bleiben Text"
        status: approved
        author: Jonas Weber
        department: IT
        approved_by: Anna Schneider
        publish_at: 2026-11-02T12:00
        tags: [Digitales]
        ---
        So sieht ein Angriff aus: <script>alert("x")</script>, {% if true %}…{% endif %} und
        ein [gefährlicher Link](javascript:alert(1)) – auf dieser Seite nur Text.
        """,
}


@dataclass(frozen=True)
class SiteUnderTest:
    root: Path
    #: page kind → path relative to the site root (front, post, tag, month, source, search)
    pages: dict[str, str]
    titles: tuple[str, ...]  # every own post's title, all on the front page


def make_site(workdir: Path) -> SiteUnderTest:
    """Build the real site from a repository with a few posts, a picture and a partner item."""
    repo = Repo(workdir / "repo")
    repo.write_config(_config())
    for name, text in POSTS.items():
        repo.post(name, text)
    repo.file("posts/media/umleitung.png", _png())
    published_on_mastodon(
        Ledger(repo.root),
        "kreistag-haushalt",
        datetime.fromisoformat("2026-11-20T10:00:05+01:00"),
        "https://social.example/@kreis/kreistag-haushalt",
    )
    out = workdir / "site"
    _build(repo.root, out)
    titles = tuple(_title(text) for text in POSTS.values())
    return SiteUnderTest(out, _find_pages(out), titles)


NOW = "2026-11-27T16:30:00+01:00"


def _config() -> str:
    website = f"    base_url: {BASE_URL}\n    title: Aktuelles aus dem Landkreis Musterstadt\n"
    return BASE_CONFIG + website


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 140)).save(buffer, "PNG")
    return buffer.getvalue()


def _title(text: str) -> str:
    line = next(x for x in text.splitlines() if x.strip().startswith("title:"))
    return line.split("title:", 1)[1].strip().strip('"')


def published_on_mastodon(ledger: Ledger, post: str, at: datetime, url: str) -> None:
    """A ledger record, so the post page shows an "also on" link."""
    ledger.put(
        Record(
            post,
            "mastodon",
            "mastodon",
            State.PUBLISHED,
            key=f"{post}-1",
            revision="1",
            created_at=at,
            updated_at=at,
            url=url,
            published_at=at,
        )
    )


def _partner_items() -> tuple[Entry, ...]:
    when = datetime.fromisoformat("2026-11-25T18:00:00+01:00")
    item = Entry(
        id="feuerwehr--109876",
        title="Übung der Feuerwehr am Samstag",
        html="<p>Am Samstag üben wir am Landratsamt. Bitte nicht erschrecken!</p>",
        text="Am Samstag üben wir am Landratsamt. Bitte nicht erschrecken!",
        published=when,
        updated=when,
        author="Freiwillige Feuerwehr Musterstadt",
        department="Freiwillige Feuerwehr",
        source="feuerwehr",
        original_url="https://social.example/@feuerwehr/109876",
    )
    return (item,)


def _build(repo: Path, out: Path) -> None:
    config = load_config(repo / "socialpub.yaml")
    now = datetime.fromisoformat(NOW)
    copies = site_copies(Ledger(repo).records())
    build_site(config, out, now=now, copies=copies, source_entries=_partner_items())


def _find_pages(out: Path) -> dict[str, str]:
    """The sample: one page of each kind, all of which the test posts must have produced."""
    pages = {
        "front": "index.html",
        "post": "posts/sperrung-b27/index.html",
        "tag": "tags/verkehr/index.html",
        "month": "archive/2026-10/index.html",
        "source": "sources/feuerwehr/index.html",
        "search": "search/index.html",
    }
    missing = [rel for rel in pages.values() if not (out / rel).is_file()]
    assert not missing, f"the built site lacks these pages: {missing}"
    return pages
