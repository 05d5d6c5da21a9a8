"""Generate a realistic, deterministic benchmark corpus: a config, posts and media.

    python bench/corpus.py [FOLDER] [--posts N] [--force]

The corpus is reused when its marker file names the same generator version, size and seed,
so repeated benchmark runs start quickly. Posts are meant to validate with 0 errors: a text
that would not fit Bluesky's 300 graphemes gets `thread: true` or a Bluesky override.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import texts

GENERATOR_VERSION = 1
DEFAULT_DIR = Path(__file__).resolve().parent / ".corpus"
DEFAULT_POSTS = 10_000
SEED = 20261123
MARKER = ".generator.json"
IMAGES = 24
#: generated folders, removed before a corpus is generated again
GENERATED = ("posts", "media", "templates", ".socialpub")
#: estimated plain-text budgets with room for a word appended by the benchmark
BLUESKY_BUDGET = 270
MASTODON_BUDGET = 460
_QUOTE = re.compile(r"[:#{}\[\],&*!|>'\"%@`]|^[-?\s]|\s$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((https://[^)]*)\)")
_URL = re.compile(r"https://\S+")


@dataclass(frozen=True)
class Corpus:
    root: Path
    posts: int

    @property
    def config(self) -> Path:
        return self.root / "socialpub.yaml"

    @property
    def posts_dir(self) -> Path:
        return self.root / "posts"


def ensure_corpus(
    root: Path = DEFAULT_DIR, posts: int = DEFAULT_POSTS, *, seed: int = SEED, force: bool = False
) -> tuple[Corpus, bool]:
    """The corpus in `root`, generated unless an identical one is there. True: generated now."""
    corpus = Corpus(root, posts)
    wanted = {"version": GENERATOR_VERSION, "posts": posts, "seed": seed}
    marker = root / MARKER
    if not force and corpus.config.is_file() and _read_marker(marker) == wanted:
        return corpus, False
    generate(corpus, seed)
    marker.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    return corpus, True


def _read_marker(marker: Path) -> object:
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def generate(corpus: Corpus, seed: int) -> None:
    root = corpus.root
    _refuse_foreign(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text('{"state": "generating"}\n', encoding="utf-8")
    for name in GENERATED:
        shutil.rmtree(root / name, ignore_errors=True)
    rng = random.Random(seed)
    corpus.config.write_text(texts.CONFIG, encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "telegram.j2").write_text(texts.TELEGRAM_TEMPLATE, encoding="utf-8")
    _write_images(root / "media", rng)
    for index in range(corpus.posts):
        relative, text = make_post(index, rng)
        path = corpus.posts_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _refuse_foreign(root: Path) -> None:
    """Never delete a real posts repository: only folders that this generator wrote."""
    ours = isinstance(_read_marker(root / MARKER), dict)
    if not ours and any((root / name).exists() for name in (*GENERATED, "socialpub.yaml")):
        raise SystemExit(f"{root} holds files not written by bench/corpus.py: not touching it")


# --- media ---------------------------------------------------------------------------------


def _write_images(folder: Path, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    for number in range(IMAGES):
        colour = bytes(rng.randrange(256) for _ in range(3))
        (folder / f"bild-{number:02d}.png").write_bytes(png(32, 24, colour))


def png(width: int, height: int, colour: bytes) -> bytes:
    """A small valid RGB PNG: a gradient over one colour."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((colour[0], colour[1], (x * 8 + y) % 256)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# --- posts ---------------------------------------------------------------------------------


def make_post(index: int, rng: random.Random) -> tuple[Path, str]:
    """(path below posts/, file text) of post number `index`."""
    topic, section = rng.choice(texts.TOPICS)
    place = rng.choice(texts.PLACES)
    post_id = f"{slug(topic)}-{slug(place)}-{index:05d}"
    publish = datetime(2025, 1, 1, 6) + timedelta(
        days=rng.randrange(730), hours=rng.randrange(14), minutes=15 * rng.randrange(4)
    )
    link = f"https://www.landkreis-musterstadt.de/{section}/{index}" if rng.random() < 0.8 else None
    tags = rng.sample(texts.TAGS, rng.choice((0, 1, 2, 2, 3, 4)))
    body = make_body(_target_length(rng), place, rng)
    meta = _front_matter(post_id, f"{topic} in {place}", publish, rng)
    if link:
        meta.append(f"link: {link}")
    if tags:
        meta.append("tags: [" + ", ".join(scalar(tag) for tag in tags) + "]")
    meta += _fit(body, link, tags, place, rng)
    meta += _media(place, rng) if rng.random() < 0.15 else []
    text = "---\n" + "\n".join(meta) + "\n---\n" + body + "\n"
    return Path(publish.strftime("%Y-%m")) / f"{post_id}.md", text


def _front_matter(post_id: str, title: str, publish: datetime, rng: random.Random) -> list[str]:
    status = rng.choices(("approved", "review", "draft"), weights=(65, 20, 15))[0]
    meta = [
        f"id: {post_id}",
        f"title: {scalar(title)}",
        f"status: {status}",
        f"author: {scalar(rng.choice(texts.AUTHORS))}",
        f"department: {scalar(rng.choice(texts.DEPARTMENTS))}",
    ]
    if status == "approved" and rng.random() < 0.97:
        meta.append(f"approved_by: {scalar(rng.choice(texts.APPROVERS))}")
    offset = "+01:00" if rng.random() < 0.1 else ""
    meta.append(f"publish_at: {publish:%Y-%m-%dT%H:%M}{offset}")
    if rng.random() < 0.1:
        expires = publish + timedelta(days=rng.randrange(7, 60))
        meta.append(f"expires_at: {expires:%Y-%m-%dT%H:%M}")
    if rng.random() < 0.1:
        meta.append("channels: [mastodon, website]")
    return meta


def _target_length(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return rng.randrange(50, 150)
    if roll < 0.9:
        return rng.randrange(150, 450)
    return rng.randrange(800, 3000)


def _fit(body: str, link: str | None, tags: list[str], place: str, rng: random.Random) -> list[str]:
    """Keys that make the text fit every channel: a thread, or a short Bluesky text."""
    hashtags = sum(len(tag) + 2 for tag in tags)
    if plain_length(body) + (len(link) + 2 if link else 0) + hashtags <= BLUESKY_BUDGET:
        return []
    mastodon = plain_length(body, url_length=23) + (25 if link else 0) + hashtags
    if mastodon <= MASTODON_BUDGET and rng.random() < 0.5:
        short = make_body(rng.randrange(60, 120), place, rng).split("\n\n")[0]
        indented = "\n".join("      " + line for line in short.splitlines())
        return ["overrides:", "  bluesky:", "    text: |", indented]
    return ["thread: true"]


def _media(place: str, rng: random.Random) -> list[str]:
    alt = rng.choice(texts.ALT_TEXTS).format(place=place)
    lines = [
        "media:",
        f"  - file: media/bild-{rng.randrange(IMAGES):02d}.png",
        f"    alt: {scalar(alt)}",
    ]
    if rng.random() < 0.5:
        lines.append("    credit: Landkreis Musterstadt")
    return lines


def make_body(target: int, place: str, rng: random.Random) -> str:
    """German Markdown of about `target` characters: paragraphs, lists, links, emoji."""
    blocks: list[str] = []
    size = 0
    while size < target:
        block = _block(target, place, rng, first=not blocks)
        blocks.append(block)
        size += len(block) + 2
    if rng.random() < 0.5:
        blocks[0] = rng.choice(texts.EMOJI) + " " + blocks[0]
    return "\n\n".join(blocks)


def _block(target: int, place: str, rng: random.Random, *, first: bool) -> str:
    roll = rng.random()
    if target > 800 and not first and roll < 0.15:
        return "## " + rng.choice(texts.HEADINGS)
    if target > 200 and not first and roll < 0.35:
        items = rng.sample(texts.LIST_ITEMS, rng.randrange(2, 5))
        return "\n".join("- " + item.format(place=place) for item in items)
    if not first and roll < 0.5:
        url = f"https://www.landkreis-musterstadt.de/info/{rng.randrange(1000)}"
        return f"Mehr dazu [auf unserer Website]({url}) – **bitte weitersagen**!"
    count = 1 if target < 150 else rng.randrange(1, 4)
    return " ".join(s.format(place=place) for s in rng.sample(texts.SENTENCES, count))


# --- helpers -------------------------------------------------------------------------------


def plain_length(markdown: str, url_length: int = 0) -> int:
    """A generous estimate of the rendered plain text's length (URLs as `url_length`)."""
    text = _MD_LINK.sub(r"\1 (\2)", markdown.replace("**", "").replace("## ", ""))
    if url_length:
        text = _URL.sub("x" * url_length, text)
    return len(text)


def slug(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.lower().replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def scalar(text: str) -> str:
    """A YAML scalar: plain when that is safe, else double-quoted."""
    if _QUOTE.search(text) or text.lower() in ("true", "false", "yes", "no", "null", "on", "off"):
        return json.dumps(text, ensure_ascii=False)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="generate even if up to date")
    args = parser.parse_args()
    corpus, generated = ensure_corpus(args.folder, args.posts, seed=args.seed, force=args.force)
    state = "generated" if generated else "up to date"
    print(f"{corpus.posts} posts in {corpus.root} ({state})")


if __name__ == "__main__":
    main()
