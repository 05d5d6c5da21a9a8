"""A site full of long words, for the reflow checks (WCAG 2.1 SC 1.4.10) in a real browser.

German compounds of 40 letters and more and long URLs are everyday content in a county
office; at 320 CSS px not one of them may make a page scroll sideways. The site holds such
words everywhere a page shows text: site title, post titles and bodies (paragraphs, headings,
lists, quotes, code, links and bare URLs), tags, departments, authors, photo credits, media
captions, the "Auch auf" list and a partner source's items. There are enough posts for every
list to have an older page, so the site has every kind of page there is (`page_kind` names
them).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from socialpub.content.config import load_config
from socialpub.publishing.ledger import Ledger
from socialpub.publishing.website import site_copies
from socialpub.site.build import build_site
from socialpub.site.model import Entry
from socialpub.site.pages import FOLDERS, PER_PAGE
from tests.browser import published_on_mastodon
from tests.conftest import BASE_CONFIG, Repo

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

ORDINANCE = "Straßenverkehrsordnungswidrigkeitenzuständigkeitsverordnung"
BADGE = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
LAW = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
TAG = "Kraftfahrzeughaftpflichtversicherungsbeitragsrückerstattung"
DEPARTMENT = "Straßenverkehrsbehördenzuständigkeitsabteilung"
AUTHOR = "Maximiliane Kreisverwaltungsoberamtsratsstellvertreterin"
SITE_TITLE = "Kreisverwaltungsdigitalisierungsbeschleunigungsprogramm"
SOURCE_TITLE = "Wasserwirtschaftsverbandsgeschäftsführungsbereitschaftsdienst"
ENGLISH = "Pneumonoultramicroscopicsilicovolcanoconiosis"
URL = (
    "https://www.landkreis-musterstadt.de/buergerservice/formulare/"
    "Strassenverkehrsordnungswidrigkeitenzustaendigkeitsverordnung-2026-endgueltige-Fassung.pdf"
)
#: every list gets an older page: the newest page shows at least PER_PAGE / 2 entries
COUNT = PER_PAGE + PER_PAGE // 2
SEARCH_TERM = "Kapitänsmützenabzeichen"  # in every own post's title
NOW = datetime.fromisoformat("2026-11-27T16:30:00+01:00")
FIRST = datetime.fromisoformat("2026-10-01T08:00:00+02:00")

BODY = f"""\
Die {ORDINANCE} gilt ab sofort. Das Formular steht unter {URL} bereit, als
[{URL}]({URL}) und als <{URL}>, erklärt im [{LAW}]({URL}).

## {ORDINANCE}

> Zitat aus dem {LAW}: {BADGE}.

1. {BADGE}
2. `{ORDINANCE}_{LAW}.pdf`

```
socialpub publish --config {URL}#{ORDINANCE}{LAW}
```
"""
#: the first post's media: a photo, a very wide GIF, a video and an audio file
MEDIA = f"""\
media:
  - file: posts/media/karte.png
    alt: Karte zur {ORDINANCE}
    credit: {SOURCE_TITLE}
  - file: posts/media/breit.gif
    alt: Ein breites Bild zur {ORDINANCE}
  - file: posts/media/erklaerung.mp4
    alt: Erklärvideo zur {ORDINANCE}
    credit: {DEPARTMENT}
  - file: posts/media/podcast.mp3
    alt: Podcast über das {LAW}
"""


def make_long_word_site(workdir: Path) -> Path:
    """Build the site; returns its folder."""
    repo = Repo(workdir / "repo")
    repo.write_config(
        BASE_CONFIG + f"    base_url: https://kreis.example/\n    title: {SITE_TITLE}\n"
    )
    for number in range(COUNT):
        repo.post(f"lang-{number:02d}.md", _post(number))
    repo.post("english.md", _english_post())
    _media(repo)
    published_on_mastodon(
        Ledger(repo.root), "lang-00", FIRST + timedelta(minutes=1), URL
    )  # "Auch auf" with a long URL
    out = workdir / "site"
    config = load_config(repo.config)
    copies = site_copies(Ledger(repo.root).records())
    build_site(config, out, now=NOW, copies=copies, source_entries=_partner_items())
    return out


def _post(number: int) -> str:
    media = MEDIA if number == 0 else ""
    return f"""\
---
id: lang-{number:02d}
title: "{ORDINANCE} und {BADGE} Nr. {number}"
status: approved
author: {AUTHOR}
department: {DEPARTMENT}
publish_at: {(FIRST + timedelta(hours=number)).isoformat()}
link: {URL}
tags: [{TAG}, {LAW}]
{media}---
{BODY}"""


def _english_post() -> str:
    return f"""\
---
id: english
title: {ENGLISH} and {ORDINANCE} explained
status: approved
lang: en
department: {DEPARTMENT}
publish_at: 2026-11-20T09:00
tags: [{TAG}]
---
The {ENGLISH} leaflet is at {URL}.
"""


def _media(repo: Repo) -> None:
    repo.file("posts/media/karte.png", _image((1200, 800), "PNG"))
    repo.file("posts/media/breit.gif", _image((2400, 100), "GIF"))
    repo.file("posts/media/erklaerung.mp4", b"\x00\x00\x00\x18ftypmp42fake video")
    repo.file("posts/media/erklaerung.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nGuten Tag\n")
    repo.file("posts/media/erklaerung.txt", f"Abschrift: {ORDINANCE}".encode())
    repo.file("posts/media/podcast.mp3", b"ID3fake audio")


def _image(size: tuple[int, int], kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 140)).save(buffer, kind)
    return buffer.getvalue()


def _partner_items() -> tuple[Entry, ...]:
    items = []
    for number in range(COUNT):
        when = datetime.fromisoformat("2026-11-01T10:00:00+01:00") + timedelta(hours=number)
        text = f"Hinweis zur {ORDINANCE}: {URL}"
        items.append(
            Entry(
                id=f"wasser--{number}",
                title=f"{SOURCE_TITLE} meldet {BADGE}",
                html=f'<p>{text}</p><p><a href="{URL}">{URL}</a></p>',
                text=text,
                published=when,
                updated=when,
                tags=(TAG,),
                author=AUTHOR,
                department=SOURCE_TITLE,
                source="wasser",
                original_url=URL,
            )
        )
    return tuple(items)


# --- what the browser shows ----------------------------------------------------------------

#: the narrowest viewport WCAG 1.4.10 asks for (1280 px at 400 % zoom); the height is free
VIEWPORT: ViewportSize = {"width": 320, "height": 640}

_OVERFLOW = """async () => {
  // lazy images below the fold would not be loaded yet, and take no width until they are
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  const html = document.documentElement, body = document.body, edge = html.clientWidth;
  // how far an element reaches: its box, or the content overflowing it (scrollWidth)
  const reach = el => {
    const box = el.getBoundingClientRect();
    return Math.max(box.right, box.left + el.scrollWidth);
  };
  const wide = [...body.querySelectorAll("*")].filter(
    el => reach(el) > edge + 0.5 && !el.closest("[hidden]"));
  // the innermost of them, which are the ones forcing the width
  const culprits = wide.filter(el => !wide.some(other => other !== el && el.contains(other)));
  return {
    html: html.scrollWidth - html.clientWidth,
    body: body.scrollWidth - body.clientWidth,
    culprits: culprits.slice(0, 4).map(el => ({
      element: el.tagName.toLowerCase() + (el.className ? "." + el.className : ""),
      by: Math.ceil(reach(el) - edge),
      text: (el.textContent || el.getAttribute("src") || "").trim().slice(0, 50)})),
  };
}"""


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """By how many CSS px the page and its body are wider than the viewport, and why."""
    found: dict[str, Any] = page.evaluate(_OVERFLOW)
    return found


def describe_overflow(path: str, found: dict[str, Any]) -> str:
    lines = [f"{path}: scrolls sideways by {found['html']} px (body: {found['body']} px)"]
    for culprit in found["culprits"]:
        lines.append(f"    {culprit['element']} by {culprit['by']} px: {culprit['text']!r}")
    return "\n".join(lines)


_HYPHENATION = """(selector) => [...document.querySelectorAll(selector)].map(
  el => [el.closest("[lang]").lang, getComputedStyle(el).hyphens])"""


def hyphenation(page: Page, selector: str) -> list[tuple[str, str]]:
    """(language, CSS `hyphens`) of each element matching `selector`."""
    found: list[list[str]] = page.evaluate(_HYPHENATION, selector)
    return [(lang, hyphens) for lang, hyphens in found]


# --- which kind of page a path is --------------------------------------------------------

_LATER = r"page/\d+/"


def page_kinds() -> set[str]:
    """Every kind of HTML page the site makes (see socialpub.site.pages.site_pages)."""
    kinds = {"front", "front, older page", "post", "search"}
    for kind in FOLDERS:
        kinds |= {f"{kind} overview", kind, f"{kind}, older page"}
    return kinds


def page_kind(path: str) -> str:
    """The kind of the page at `path` (relative to the site root, ending in index.html)."""
    folder = path.removesuffix("index.html")
    if folder == "":
        return "front"
    if re.fullmatch(_LATER, folder):
        return "front, older page"
    if re.fullmatch(r"posts/[^/]+/", folder):
        return "post"
    if folder == "search/":
        return "search"
    for kind, (name, _, _) in FOLDERS.items():
        if folder == f"{name}/":
            return f"{kind} overview"
        if re.fullmatch(f"{name}/[^/]+/", folder):
            return kind
        if re.fullmatch(f"{name}/[^/]+/{_LATER}", folder):
            return f"{kind}, older page"
    raise AssertionError(f"{path}: a kind of page the reflow test does not know yet")
