"""Incremental builds: after any change, a rebuild leaves exactly what a full build makes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from socialpub.publishing.ledger import Ledger, Record, State
from socialpub.site.model import Entry
from tests.conftest import PROJECT, Repo
from tests.test_site_build import POSTS, Site, partner_item, photo_with_gps, write_repo

CACHE = Path(".socialpub") / "cache"  # the repository's caches
NEW_POST = """\
    ---
    id: neue-kita
    title: Neue Kita in Hohenmühle
    status: approved
    department: Jugendamt
    publish_at: 2026-11-24T09:30
    tags: [Kinder, Verkehr]
    media:
      - file: media/umleitung.jpg
        alt: Die Baustelle der Kita
    ---
    Die neue **Kita** öffnet im Frühjahr.
    """


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def full_build(repo: Repo, sources: list[Entry], tmp_path: Path) -> dict[str, bytes]:
    """What a build from nothing makes: an empty folder and no cache (the cache is put back
    afterwards, for the next rebuild)."""
    fresh, kept = tmp_path / "fresh", tmp_path / "kept-cache"
    for folder in (fresh, kept):
        shutil.rmtree(folder, ignore_errors=True)
    cache = repo.root / CACHE
    shutil.move(cache, kept)
    try:
        Site(repo, fresh).build(sources=tuple(sources))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(kept, cache)
    return files(fresh)


def publish(repo: Repo, post: str, state: State, url: str) -> None:
    at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    record = Record(
        post=post,
        channel="mastodon",
        type="mastodon",
        state=state,
        key=f"k-{post}",
        revision="r1",
        created_at=at,
        updated_at=at,
        url=url,
        published_at=at,
    )
    Ledger(repo.root).put(record)


# --- the changes: each edits the repository or the partner items ---------------------------


def edit_post(repo: Repo, sources: list[Entry]) -> None:
    repo.post("english.md", POSTS["english.md"].replace("Saturdays", "Saturdays and Sundays"))


def new_post(repo: Repo, sources: list[Entry]) -> None:
    repo.post("kita.md", NEW_POST)


def delete_post(repo: Repo, sources: list[Entry]) -> None:
    (repo.root / "posts" / "video.md").unlink()


def retag_post(repo: Repo, sources: list[Entry]) -> None:
    text = POSTS["sperrung.md"].replace("[Verkehr, Baustelle]", "[Baustelle, Umwelt]")
    repo.post("sperrung.md", text.replace("Straßenverkehrsamt", "Ordnungsamt"))


def more_link(repo: Repo, sources: list[Entry]) -> None:  # not in the search index
    path = repo.root / "posts" / "sperrung.md"
    path.write_text(path.read_text("utf-8").replace("/verkehr/b27", "/verkehr/b-27"), "utf-8")


def also_on_link(repo: Repo, sources: list[Entry]) -> None:
    publish(repo, "welcome-english", State.PUBLISHED, "https://social.example/@kreis/2")


def copy_deleted(repo: Repo, sources: list[Entry]) -> None:
    publish(repo, "sperrung-b27", State.DELETED, "https://social.example/@kreis/1")


def media_file(repo: Repo, sources: list[Entry]) -> None:
    photo_with_gps(repo.root / "media" / "umleitung.jpg", size=(1400, 700))


def caption_file(repo: Repo, sources: list[Entry]) -> None:
    (repo.root / "media" / "gebaerden.vtt").write_bytes(
        b"WEBVTT\n\n00:00.000 --> 00:03.000\nHallo\n"
    )


def partner_items(repo: Repo, sources: list[Entry]) -> None:
    sources[:] = [partner_item(1, title="Geänderte Meldung"), partner_item(3)]


def template(repo: Repo, sources: list[Entry]) -> None:
    own = repo.root / "templates" / "site" / "entry.html.j2"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text("<article><h2>{{ entry.title }}</h2>{{ entry.html|safe }}</article>\n", "utf-8")


def template_edited(repo: Repo, sources: list[Entry]) -> None:  # its compiled form is stale
    own = repo.root / "templates" / "site" / "entry.html.j2"
    text = "<article><h2>{{ entry.title }}</h2><p>{{ entry.text }}</p></article>\n"
    own.write_text(text, encoding="utf-8")


CHANGES: list[Callable[[Repo, list[Entry]], None]] = [
    edit_post,
    new_post,
    caption_file,
    delete_post,
    retag_post,
    more_link,
    also_on_link,
    copy_deleted,
    media_file,
    partner_items,
    template,
    template_edited,
]


def test_after_every_change_a_rebuild_equals_a_full_build(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    sources = [partner_item(1), partner_item(2)]
    site = Site(repo, tmp_path / "out")
    site.build(sources=tuple(sources))
    for change in CHANGES:
        change(repo, sources)
        report = site.build(sources=tuple(sources))
        assert report.written, change.__name__  # every change shows somewhere
        assert files(site.out) == full_build(repo, sources, tmp_path), change.__name__
        again = site.build(sources=tuple(sources))
        assert (again.written, again.removed) == (0, 0), change.__name__


def test_a_rebuild_without_its_cache_writes_nothing(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    site.build()
    built = files(site.out)
    shutil.rmtree(repo.root / CACHE)
    assert site.build().written == 0
    assert files(site.out) == built


def test_a_damaged_cache_is_built_again(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    site.build()
    for path in (repo.root / CACHE).rglob("*"):
        if path.is_file():
            path.write_bytes(b"not a cache")
    edit_post(repo, [])
    site.build()
    assert "Saturdays and Sundays" in site.text("posts/welcome-english/index.html")
    assert files(site.out) == full_build(repo, [], tmp_path)


def test_an_edit_that_keeps_the_size_is_seen_by_its_mtime(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    site.build()
    path = repo.root / "posts" / "english.md"
    path.write_text(path.read_text("utf-8").replace("Saturdays", "Sundays.."), "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    site.build()
    assert "open on Sundays.." in site.text("posts/welcome-english/index.html")


def test_a_changed_partner_item_is_rendered_again(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    item = partner_item(1)
    site.build(sources=(item,))
    changed = dataclasses.replace(item, html="<p>Neuer Text</p>", text="Neuer Text")
    report = site.build(sources=(changed,))
    assert "posts/stadt-neudorf--1/index.html" in report.written_paths
    assert "Neuer Text" in site.text("posts/stadt-neudorf--1/index.html")


# --- what a rebuild loads ------------------------------------------------------------------

REBUILD = """
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from socialpub.content.config import load_config
from socialpub.publishing.website import rebuild

report = rebuild(
    load_config(Path(sys.argv[1])),
    now=datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    out_dir=Path(sys.argv[2]),
)
heavy = ("markdown_it", "jinja2", "PIL", "http.server", "concurrent.futures.process")
print(report.written, *sorted(m for m in heavy if m in sys.modules))
"""


def rebuild_in_process(repo: Repo, out: Path) -> tuple[int, list[str]]:
    """A rebuild in a fresh interpreter: how many files it wrote, which heavy modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", REBUILD, str(repo.config), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
    )
    written, *modules = done.stdout.split()
    return int(written), modules


def test_a_rebuild_without_changes_loads_no_rendering_code(repo: Repo, tmp_path: Path) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    site.build()
    assert rebuild_in_process(repo, site.out) == (0, [])


def test_a_rebuild_after_an_edit_loads_what_renders_text_not_images(
    repo: Repo, tmp_path: Path
) -> None:
    write_repo(repo)
    site = Site(repo, tmp_path / "out")
    site.build()
    edit_post(repo, [])
    written, modules = rebuild_in_process(repo, site.out)
    assert written > 0
    assert "jinja2" in modules  # pages are rendered
    assert not {"PIL", "http.server", "concurrent.futures.process"} & set(modules)
