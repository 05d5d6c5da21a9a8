"""The built site in a real browser: accessibility (axe-core, WCAG 2.1 AA), privacy, search.

Headless Chromium (Debian's package, driven by Playwright) loads the pages from a server on
127.0.0.1. Two kinds of browser context are used:

- for axe, `bypass_csp=True`: Playwright injects axe-core as an inline script, which the site's
  own Content-Security-Policy (`script-src 'self'`) rightly blocks. Bypassing the CSP there
  changes nothing axe looks at (markup, styles, contrast, names).
- for everything else, a normal context, so the CSP is enforced: an inline script or style the
  CSP blocks shows up as a console error, and a request to anywhere but the site is recorded
  (and aborted, so nothing leaves the machine).

Skipped only when SOCIALPUB_SKIP_BROWSER=1; a missing browser or tool fails (`make test`
installs them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

from tests import browser as b
from tests import reflow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

KINDS = ("front", "post", "tag", "month", "source", "search")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = b.chromium_path()
    b.require_playwright()
    b.require("axe-core (npm, in tests/tools)", b.AXE_JS.exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(chromium: Browser, tmp_path_factory: pytest.TempPathFactory) -> b.SiteUnderTest:
    return b.make_site(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def origin(site: b.SiteUnderTest) -> Iterator[str]:
    with b.serve(site.root) as served:
        yield served


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A normal context: the site's CSP is enforced, pages keep their JavaScript."""
    opened = chromium.new_context(locale="de-DE")
    yield opened
    opened.close()


def url(site: b.SiteUnderTest, origin: str, kind: str) -> str:
    return f"{origin}/{site.pages[kind]}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag_21_aa_violation(
    chromium: Browser,
    site: b.SiteUnderTest,
    origin: str,
    kind: str,
    scheme: Literal["light", "dark"],
) -> None:
    # both colour schemes: a dark-mode stylesheet must keep its contrast too
    context = chromium.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(url(site, origin, kind))
        if kind == "search":  # check the page with results shown, as a visitor sees it
            page.get_by_role("searchbox").fill(b.SEARCH_TERM)
            page.get_by_role("link", name=b.SEARCH_HIT).first.wait_for()
        violations = b.axe_violations(page)
    finally:
        context.close()
    assert not violations, b.describe_violations(site.pages[kind], violations)


@dataclass(frozen=True)
class Served:
    root: Path
    origin: str


@pytest.fixture(scope="module")
def long_words(chromium: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The site full of long words (tests/reflow.py), served on 127.0.0.1."""
    root = reflow.make_long_word_site(tmp_path_factory.mktemp("reflow"))
    with b.serve(root) as origin:
        yield Served(root, origin)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_reflows_at_320_px_with_long_words(
    chromium: Browser, long_words: Served, scheme: Literal["light", "dark"]
) -> None:
    """WCAG 2.1 SC 1.4.10: at 320 CSS px no page scrolls sideways, whatever words it holds."""
    root = long_words.root
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    assert {reflow.page_kind(p) for p in paths} == reflow.page_kinds()  # every kind is here
    context = chromium.new_context(viewport=reflow.VIEWPORT, color_scheme=scheme)
    failures = []
    try:
        page = context.new_page()
        for path in paths:
            page.goto(f"{long_words.origin}/{path}")
            failures += _too_wide(page, path)
            if reflow.page_kind(path) == "search":  # and with results, as a visitor sees it
                page.get_by_role("searchbox").fill(reflow.SEARCH_TERM)
                page.locator(".search-results li").first.wait_for()
                failures += _too_wide(page, path + " (with results)")
    finally:
        context.close()
    assert not failures, f"of {len(paths)} pages, these scroll sideways:\n" + "\n".join(failures)


def _too_wide(page: Page, path: str) -> list[str]:
    found = reflow.horizontal_overflow(page)
    return [reflow.describe_overflow(path, found)] if found["html"] or found["body"] else []


def test_text_asks_for_hyphenation_in_its_own_language(
    chromium: Browser, long_words: Served
) -> None:
    """Hyphenated by the browser's dictionary for the text's `lang` (where it has one)."""
    context = chromium.new_context(viewport=reflow.VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{long_words.origin}/posts/lang-00/")
        german = reflow.hyphenation(page, "h1, .body p, .tags a, .meta a")
        code = reflow.hyphenation(page, "pre, code")
        page.goto(f"{long_words.origin}/")
        english = reflow.hyphenation(page, 'article[lang="en"] h2 a')
        labels = reflow.hyphenation(page, 'article[lang="en"] .meta')
    finally:
        context.close()
    assert german and set(german) == {("de", "auto")}, german
    assert code and set(code) == {("de", "manual")}, code  # a hyphen would read as code
    assert english == [("en", "auto")] and labels == [("de", "auto")], (english, labels)


def test_the_reflow_check_catches_a_page_too_wide(chromium: Browser, tmp_path: Path) -> None:
    """The harness itself: a long word without the site's CSS makes the page scroll."""
    page_text = f'<!doctype html><html lang="de"><title>x</title><p>{reflow.ORDINANCE}</p>'
    (tmp_path / "index.html").write_text(page_text, encoding="utf-8")
    context = chromium.new_context(viewport=reflow.VIEWPORT)
    try:
        with b.serve(tmp_path) as origin:
            page = context.new_page()
            page.goto(origin + "/index.html")
            found = reflow.horizontal_overflow(page)
    finally:
        context.close()
    assert found["html"] > 100 and found["body"] > 100, found
    assert [c["element"] for c in found["culprits"]] == ["p"], found


def test_every_request_stays_on_the_site_and_nothing_is_stored(
    context: BrowserContext, site: b.SiteUnderTest, origin: str
) -> None:
    seen = b.watch(context, origin)
    page = seen.attach(context.new_page())
    for kind in KINDS:
        page.goto(url(site, origin, kind), wait_until="networkidle")
    page.get_by_role("searchbox").fill(b.SEARCH_TERM)  # the search loads its index now or before
    page.wait_for_load_state("networkidle")
    assert {url(site, origin, kind) for kind in KINDS} <= set(seen.requests)  # recording works
    assert not seen.foreign(), "requests leaving the site:\n" + "\n".join(seen.foreign())
    assert not seen.errors, "console errors (e.g. CSP violations):\n" + "\n".join(seen.errors)
    state = context.storage_state()
    assert state["cookies"] == []
    assert all(not o["localStorage"] for o in state["origins"]), state["origins"]


def test_search_filters_results_while_typing(
    context: BrowserContext, site: b.SiteUnderTest, origin: str
) -> None:
    page = context.new_page()
    page.goto(url(site, origin, "search"))
    page.get_by_role("searchbox").fill(b.SEARCH_TERM)
    main = page.get_by_role("main")
    main.get_by_role("link", name=b.SEARCH_HIT).first.wait_for()
    assert main.get_by_role("link", name=b.SEARCH_MISS).count() == 0
    page.get_by_role("searchbox").fill("Haushalt")
    main.get_by_role("link", name=b.SEARCH_MISS).first.wait_for()
    assert main.get_by_role("link", name=b.SEARCH_HIT).count() == 0


def test_pages_show_their_content_without_javascript(
    chromium: Browser, site: b.SiteUnderTest, origin: str
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url(site, origin, "front"))
        front = page.get_by_role("main").inner_text()
        page.goto(url(site, origin, "post"))
        post = page.get_by_role("main").inner_text()
        page.goto(url(site, origin, "search"))
        search_box = page.get_by_role("searchbox").count()
        search_links = page.get_by_role("main").get_by_role("link").count()
    finally:
        context.close()
    missing = [title for title in site.titles if title not in front]
    assert not missing, f"front page without JavaScript lacks: {missing}"
    assert b.SEARCH_HIT in post and "Umleitung ist ausgeschildert" in post
    assert search_box == 1 or search_links > 0, "the search page shows nothing without JS"


def test_skip_link_comes_first_and_focus_is_visible(
    context: BrowserContext, site: b.SiteUnderTest, origin: str
) -> None:
    page = context.new_page()
    page.goto(url(site, origin, "front"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          const href = el.getAttribute("href") || "";
          return {href, target: href.startsWith("#") && !!document.getElementById(href.slice(1)),
                  outline: style.outlineStyle, width: style.outlineWidth,
                  shadow: style.boxShadow, text: el.textContent.trim()};
        }"""
    )
    assert focused["target"], f"first Tab stop is not a skip link to the content: {focused}"
    visible = focused["outline"] != "none" and focused["width"] != "0px"
    assert visible or focused["shadow"] != "none", f"focus is not visible: {focused}"


def test_the_checks_catch_a_bad_page(chromium: Browser, tmp_path: Path) -> None:
    """The harness itself: a page with known faults makes every check fire."""
    bad = (
        '<!doctype html><html><head><title>x</title></head><body style="color:#aaa">'
        '<img src="pic.png"><img src="http://127.0.0.2:9/track.gif" alt="">'
        '<script>document.cookie = "id=1; path=/"</script><p>Text</p></body></html>'
    )
    (tmp_path / "index.html").write_text(bad, encoding="utf-8")
    context = chromium.new_context(bypass_csp=True)
    try:
        with b.serve(tmp_path) as origin:
            seen = b.watch(context, origin)
            page = context.new_page()
            page.goto(origin + "/index.html", wait_until="networkidle")
            rules = {v["id"] for v in b.axe_violations(page)}
            cookies = context.cookies()
    finally:
        context.close()
    assert {"image-alt", "html-has-lang", "color-contrast"} <= rules
    assert seen.foreign() == ["http://127.0.0.2:9/track.gif"]
    assert [c["name"] for c in cookies] == ["id"]


def test_a_search_result_in_another_language_is_marked_as_such(
    context: BrowserContext, site: b.SiteUnderTest, origin: str
) -> None:
    """Like the entries on the other pages: the result says its language, its labels the page's."""
    page = context.new_page()
    page.goto(url(site, origin, "search"))
    page.get_by_role("searchbox").fill("Welcome Centre")
    result = page.locator(".search-results li", has_text="Welcome Centre opens")
    result.wait_for()
    assert result.get_attribute("lang") == "en"
    assert result.locator(".meta").get_attribute("lang") == "de"
    german = page.locator(".search-results li", has_text="Musterdorf")
    page.get_by_role("searchbox").fill(b.SEARCH_TERM)
    german.first.wait_for()
    assert german.first.get_attribute("lang") is None  # the page's language, inherited


def test_a_post_in_another_language_is_marked_as_such(
    context: BrowserContext, site: b.SiteUnderTest, origin: str
) -> None:
    """WCAG 3.1.2 (language of parts), which axe cannot see: the English post says so."""
    page = context.new_page()
    page.goto(url(site, origin, "front"))
    assert page.evaluate("document.documentElement.lang") == "de"
    english = page.locator('[lang="en"]', has_text="Welcome Centre opens")
    assert english.count() == 1
