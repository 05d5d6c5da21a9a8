"""The website build against Hugo, both building the same corpus in the same run.

    python bench/website.py [--quick]        (also part of bench/run.py)

The corpus's posts become a Hugo site (content/posts/<id>.md with front matter, a minimal
theme: paginated lists, one page per post, taxonomies for tags, departments and months, like
socialpub's site). Both builds are timed as whole processes, full builds from an empty output
folder and without caches, taking turns so that a busy machine slows both alike (medians of 3):

1. full build, socialpub vs `hugo --quiet` (goal ≤ 1.0×: not slower than Hugo),
2. socialpub's rebuild after one changed post vs its own full build (goal ≤ 0.1×).

Hugo has no incremental command-line build: its rebuild after one change is shown for
information. Posts are changed by appending a word and restored afterwards.
(Named website.py: a bench/site.py would be shadowed by Python's own `site` module.)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import corpus
import timing
import yaml
from report import Row, print_report

FULL_GOAL = 1.0
INCREMENTAL_GOAL = 0.1
PAGE_SIZE = 20
TOUCH_WORD = " Update"
#: socialpub's build clock: after every post of the corpus (2025–2026)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
HUGO_INSTALL = "apt-get install -y hugo"
TAXONOMIES = {"tag": "tags", "department": "departments", "month": "months"}
BASEOF = """<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ range .AlternativeOutputFormats -}}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{ end -}}
</head>
<body>
<a href="#inhalt">Zum Inhalt</a>
<header><a href="{{ "" | relURL }}">{{ site.Title }}</a></header>
<main id="inhalt">{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""
LIST = """{{ define "main" }}
<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := .Pages }}
{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end }}
{{ $pager := .Paginate $pages }}
{{ range $pager.Pages }}
<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "02.01.2006" }}</time>
· {{ .Params.department }}</p>
{{ .Content }}
</article>
{{ end }}
<nav aria-label="Seiten">
{{ with $pager.Prev }}<a href="{{ .URL }}">Neuere Beiträge</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">Ältere Beiträge</a>{{ end }}
</nav>
{{ end }}
"""
TERMS = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}
</ul>
{{ end }}
"""
SINGLE = """{{ define "main" }}
<article lang="{{ .Params.lang | default "de" }}">
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "02.01.2006" }}</time>
· {{ .Params.author }} · {{ .Params.department }}</p>
{{ .Content }}
{{ range .Params.media }}
<figure><img src="{{ .src | relURL }}" alt="{{ .alt }}">
{{ with .credit }}<figcaption>Foto: {{ . }}</figcaption>{{ end }}</figure>
{{ end }}
{{ with .Params.link }}<p><a href="{{ . }}">Mehr Informationen</a></p>{{ end }}
<ul>{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end }}</ul>
</article>
{{ end }}
"""


# --- the Hugo site --------------------------------------------------------------------------


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """(front matter, Markdown body) of a corpus post."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta: dict[str, Any] = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return meta, body


def hugo_post(meta: dict[str, Any], body: str) -> str:
    """A Hugo content file (JSON front matter) for one corpus post; unapproved ones are drafts."""
    published = hugo_date(meta["publish_at"])
    front = {
        "title": meta["title"],
        "date": published,
        "draft": meta.get("status") != "approved",
        "tags": meta.get("tags", []),
        "departments": [meta["department"]],
        "months": [published[:7]],
        "author": meta.get("author", ""),
        "department": meta["department"],
        "link": meta.get("link", ""),
        "media": [
            {"src": m["file"], "alt": m.get("alt", ""), "credit": m.get("credit", "")}
            for m in meta.get("media", [])
        ],
    }
    return json.dumps(front, ensure_ascii=False, indent=1) + "\n" + body


def hugo_date(value: object) -> str:
    """RFC 3339 with seconds, which Hugo reads; naive times are read in Hugo's `timeZone`."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.isoformat(timespec="seconds")


def hugo_config(base_url: str, title: str) -> str:
    config = {
        "baseURL": base_url.rstrip("/") + "/",
        "languageCode": "de",
        "defaultContentLanguage": "de",
        "title": title,
        "timeZone": "Europe/Berlin",
        "buildFuture": True,  # socialpub builds with a clock after the whole corpus
        "paginate": PAGE_SIZE,
        "taxonomies": TAXONOMIES,
        "disableKinds": ["sitemap", "robotsTXT"],
    }
    return json.dumps(config, ensure_ascii=False, indent=2) + "\n"


def ensure_hugo_site(data: corpus.Corpus, site: Path) -> bool:
    """The corpus as a Hugo site in `site`, converted unless it is up to date. True: converted."""
    source = (data.root / corpus.MARKER).read_bytes() + Path(__file__).read_bytes()
    stamp = hashlib.sha256(source).hexdigest()
    marker = site / ".converted"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return False
    write_hugo_site(data, site)
    marker.write_text(stamp, encoding="utf-8")
    return True


def write_hugo_site(data: corpus.Corpus, site: Path) -> None:
    shutil.rmtree(site, ignore_errors=True)
    website = yaml.safe_load(data.config.read_text(encoding="utf-8"))["channels"]["website"]
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.json").write_text(hugo_config(website["base_url"], website["title"]), "utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    templates = {"baseof": BASEOF, "list": LIST, "terms": TERMS, "single": SINGLE}
    for name, text in templates.items():
        (layouts / f"{name}.html").write_text(text, encoding="utf-8")
    shutil.copytree(data.root / "media", site / "static" / "media")
    (site / "static" / "style.css").write_text("body { max-width: 40rem; }\n", encoding="utf-8")
    for path in sorted(data.posts_dir.rglob("*.md")):
        meta, body = front_matter(path)
        target = hugo_content(site, meta["id"])
        target.write_text(hugo_post(meta, body), encoding="utf-8")


def hugo_content(site: Path, post_id: str) -> Path:
    return site / "content" / "posts" / f"{post_id}.md"


# --- timing -------------------------------------------------------------------------------


def html_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def append_word(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + TOUCH_WORD + "\n", encoding="utf-8")


def approved_posts(data: corpus.Corpus, count: int) -> list[Path]:
    """Approved posts spread over the corpus: changing them changes the site."""
    files = sorted(data.posts_dir.rglob("*.md"))
    picked: list[Path] = []
    for k in range(count):
        start = len(files) * (k + 1) // (count + 1)
        picked.append(
            next(p for p in files[start:] if "\nstatus: approved\n" in p.read_text("utf-8"))
        )
    return picked


@dataclass(frozen=True)
class Builder:
    """A site generator as a timed command; `outputs` are removed before a full build."""

    name: str
    command: list[str]
    cwd: Path
    outputs: tuple[Path, ...]
    out: Path

    def clear(self) -> None:
        for output in self.outputs:
            if output.is_dir():
                shutil.rmtree(output)
            output.unlink(missing_ok=True)
        # Flush the deletion (and the other builder's pages) to disk first: otherwise the
        # next timed build pays for writing back whatever ran before it.
        os.sync()


def full_builds(builders: list[Builder], times: int) -> list[list[timing.Run]]:
    """Full builds from nothing, taking turns: a busy machine slows both alike."""
    runs: list[list[timing.Run]] = [[] for _ in builders]
    for number in range(times):
        for builder, found in zip(builders, runs, strict=True):
            builder.clear()
            label = f"{builder.name}, full build {number + 1}/{times}"
            found.append(timing.run(builder.command, builder.cwd, label))
    return runs


def changed_builds(builder: Builder, targets: list[Path]) -> list[timing.Run]:
    """Rebuilds after one changed post each (the files are restored afterwards)."""
    originals = {path: path.read_bytes() for path in targets}
    before: Callable[[int], None] = lambda i: append_word(targets[i])  # noqa: E731
    label = f"{builder.name}, one post changed"
    try:
        return timing.sample(builder.command, len(targets), builder.cwd, before, label)
    finally:
        for path, content in originals.items():
            path.write_bytes(content)


def output_root(fallback: Path) -> Path:
    """Where both generators write: a RAM disk when there is one, so the benchmark measures
    the generators and not the machine's disk (whose write-back made runs vary 2×)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = shm / f"socialpub-bench-{os.getuid()}"
        folder.mkdir(exist_ok=True)
        return folder
    return fallback


def hugo_builder(site: Path, out_root: Path) -> Builder:
    public = out_root / "hugo-public"
    command = ["hugo", "--quiet", "--source", str(site), "--destination", str(public)]
    return Builder(f"hugo {hugo_version()}", command, site, (public, site / "resources"), public)


def socialpub_builder(data: corpus.Corpus, out_root: Path) -> Builder:
    """`build_once` in its own process; a full build starts without the post cache and
    without compiled templates."""
    out = out_root / "socialpub-site"
    command = [sys.executable, str(Path(__file__).resolve()), "--build", str(data.config), str(out)]
    build = importlib.import_module("socialpub.site.build")
    postcache = importlib.import_module("socialpub.site.postcache")
    theme = importlib.import_module("socialpub.site.theme")
    folder = data.root / build.CACHE_DIR
    caches = (folder / postcache.CACHE_NAME, folder / theme.TEMPLATE_CACHE)
    return Builder("socialpub site build", command, data.root, (out, *caches), out)


def builder_missing() -> str:
    """Why socialpub's site builder cannot run yet, or ""."""
    try:
        build = importlib.import_module("socialpub.site.build")
    except ImportError as exc:
        return f"socialpub.site.build is not available ({exc})"
    return "" if hasattr(build, "build_site") else "socialpub.site.build has no build_site yet"


def hugo_version() -> str:
    done = timing.run(["hugo", "version"])
    return done.stdout.split()[1].split("+")[0] if done.returncode == 0 else "?"


# --- the benchmark ------------------------------------------------------------------------

NAMES = ("site full build vs Hugo", "site rebuild after one changed post")


def bench_site(data: corpus.Corpus, measurements: dict[str, dict[str, Any]]) -> list[Row]:
    if shutil.which("hugo") is None:
        return [Row.skipped(name, f"Hugo is not installed ({HUGO_INSTALL})") for name in NAMES]
    site = data.root / "hugo"
    started = time.perf_counter()
    state = "converted" if ensure_hugo_site(data, site) else "reused"
    print(f"  the corpus as a Hugo site: {state} in {time.perf_counter() - started:.1f} s")
    targets = approved_posts(data, 3)
    hugo_targets = [hugo_content(site, front_matter(path)[0]["id"]) for path in targets]
    out_root = output_root(data.root)
    hugo = hugo_builder(site, out_root)
    missing = builder_missing()
    builders = [hugo] if missing else [hugo, socialpub_builder(data, out_root)]
    full = full_builds(builders, 3)
    hugo_changed = changed_builds(hugo, hugo_targets[:2])
    ours_changed = [] if missing else changed_builds(builders[1], targets)
    failed = timing.first_failure([*(run for runs in full for run in runs), *hugo_changed])
    failed = failed or timing.first_failure(ours_changed)
    if failed is not None:
        return [Row.failed(NAMES[0], failed)]
    measurements["site_hugo"] = facts(hugo, full[0], hugo_changed)
    if missing:
        return [Row.skipped(name, missing) for name in NAMES]
    measurements["site"] = facts(builders[1], full[1], ours_changed)
    return rows(measurements["site"], measurements["site_hugo"], ours_changed)


def facts(builder: Builder, full: list[timing.Run], changed: list[timing.Run]) -> dict[str, Any]:
    return {
        "builder": builder.name,
        "full_seconds": timing.seconds(full),
        "full_median": timing.median(full),
        "changed_seconds": timing.seconds(changed),
        "changed_median": timing.median(changed),
        "html_pages": html_pages(builder.out),
    }


def rows(ours: dict[str, Any], hugo: dict[str, Any], changed: list[timing.Run]) -> list[Row]:
    full_ratio = ours["full_median"] / hugo["full_median"]
    incremental_ratio = ours["changed_median"] / ours["full_median"]
    ours.update(
        full_ratio_vs_hugo=full_ratio,
        incremental_ratio=incremental_ratio,
        changed_reports=[json.loads(run.stdout or "{}") for run in changed],
        ok=full_ratio <= FULL_GOAL and incremental_ratio <= INCREMENTAL_GOAL,
    )
    pages = f"HTML pages: socialpub {ours['html_pages']:,}, Hugo {hugo['html_pages']:,}"
    again = f"Hugo after one change (no incremental CLI build): {hugo['changed_median']:.2f} s"
    return [
        Row(
            NAMES[0],
            f"{ours['full_median']:.2f} s",
            f"{hugo['full_median']:.2f} s ({hugo['builder']})",
            f"{full_ratio:.2f}×",
            f"≤ {FULL_GOAL:g}×",
            full_ratio <= FULL_GOAL,
            pages,
        ),
        Row(
            NAMES[1],
            f"{ours['changed_median']:.2f} s",
            f"{ours['full_median']:.2f} s (full)",
            f"{incremental_ratio:.2f}×",
            f"≤ {INCREMENTAL_GOAL:g}×",
            incremental_ratio <= INCREMENTAL_GOAL,
            f"{again}; last report: {changed[-1].stdout.strip()}",
        ),
    ]


# --- socialpub's build, as its own timed process -------------------------------------------


def build_once(config_path: Path, out: Path) -> None:
    """Build the site like `socialpub site build --out OUT`; print the report's numbers."""
    from socialpub.content.config import load_config
    from socialpub.publishing.website import rebuild

    config = load_config(config_path)
    report: Any = rebuild(config, now=NOW, out_dir=out)
    fields = asdict(report) if is_dataclass(report) and not isinstance(report, type) else {}
    numbers = {k: v for k, v in fields.items() if isinstance(v, int | float | str)}
    print(json.dumps(numbers or {"report": repr(report)[:300]}, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="socialpub's site build vs Hugo")
    parser.add_argument("--quick", action="store_true", help="the 1,000-post corpus")
    parser.add_argument(
        "--build", nargs=2, type=Path, metavar=("CONFIG", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.build:
        build_once(*args.build)
        return 0

    root = corpus.DEFAULT_DIR / "quick" if args.quick else corpus.DEFAULT_DIR
    data, _ = corpus.ensure_corpus(root, 1_000 if args.quick else corpus.DEFAULT_POSTS)
    measurements: dict[str, dict[str, Any]] = {}
    rows = bench_site(data, measurements)
    print_report(rows, f"website, {data.posts:,} posts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
