"""A post's media as the site serves them: images without metadata, in responsive sizes.

Images are decoded and written anew from their pixels by `socialpub.net.images.clean_image`
(no EXIF, GPS or camera data survives), in widths of 480, 800 and 1200 pixels, never
upscaled. GIFs (often animated) and video/audio files are copied as they are. Every file
lands in `media/<hash of the source>/`, so an unchanged source keeps its names and is not
converted again (the manifest remembers what each source became). Captions and
transcripts for video/audio are files beside the source with the same name:
`clip.vtt` (WebVTT captions) and `clip.txt`, `clip.html` or `clip.pdf` (a transcript).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from socialpub.errors import ContentError
from socialpub.i18n import _
from socialpub.models import Media
from socialpub.site.manifest import Output
from socialpub.site.model import Picture
from socialpub.site.postcache import PostCache
from socialpub.specs import MEDIA_KINDS

WIDTHS = (480, 800, 1200)
#: bump when the conversion changes, so every image is converted again
RECIPE = "1"
CONVERTED = frozenset({"jpeg", "png", "webp"})
CAPTION_SUFFIXES = (".vtt",)
TRANSCRIPT_SUFFIXES = (".txt", ".html", ".pdf")
_UNSAFE = re.compile(r"[^a-z0-9]+")


def file_stem(name: str) -> str:
    """An ASCII file name stem for a source file name (readable, safe in every URL)."""
    stem = _UNSAFE.sub("-", Path(name).stem.lower()).strip("-")
    return stem[:60] or "datei"


@dataclass
class MediaStore:
    """Turns the media of posts into Pictures and the files the site must hold."""

    root: Path  # the repository root: media files are relative to it
    #: what earlier builds made of each source (from the manifest); updated as sources are used
    cache: dict[str, dict[str, Any]] = field(default_factory=dict)
    used: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    #: remembers media digests across builds by size and mtime
    digests: PostCache | None = None
    _digests: dict[Path, str] = field(default_factory=dict)
    #: a build shows a few media files in hundreds of posts: each is resolved once
    _sources: dict[str, Path] = field(default_factory=dict)
    _pictures: dict[Media, Picture] = field(default_factory=dict)

    def picture(self, media: Media) -> Picture:
        found = self._pictures.get(media)
        if found is None:
            found = self._pictures[media] = self._picture(media)
        return found

    def _picture(self, media: Media) -> Picture:
        source = self._source(media.file)
        kind = MEDIA_KINDS.get(source.suffix.lower(), "")
        if not kind:
            raise ContentError(
                _("{file}: the website cannot show this kind of file").format(file=media.file)
            )
        digest = self._digest(source)
        folder = f"media/{digest[:16]}/"
        if kind in CONVERTED:
            return self._image(media, source, digest, folder)
        src = self._copy(source, folder + file_stem(source.name) + source.suffix.lower())
        return Picture(
            src=src,
            kind=kind,
            alt=media.alt or "",
            credit=media.credit or "",
            captions=self._companion(source, folder, CAPTION_SUFFIXES),
            transcript=self._companion(source, folder, TRANSCRIPT_SUFFIXES),
        )

    # --- images -----------------------------------------------------------------------

    def _image(self, media: Media, source: Path, digest: str, folder: str) -> Picture:
        # the name is part of the key: the copies are named after their file, and Meta
        # fetches a later post's renamed copy of the same photo under its own name
        key = f"{RECIPE}:{digest}:{file_stem(source.name)}"
        facts = self.cache.get(key)
        if facts is None or not _complete(facts):
            facts = self._convert(source, folder, key)
        self.used[key] = facts
        sizes = tuple((folder + name, int(width)) for name, width in facts["sizes"])
        for name, __ in facts["sizes"]:
            path = folder + name
            if path not in self.outputs:  # the cached file exists; rebuilt only if it is gone
                self.outputs[path] = Output(path, f"{key}:{name}", partial(_render, source, name))
        return Picture(
            src=sizes[-1][0],
            kind=str(facts["kind"]),
            alt=media.alt or "",
            credit=media.credit or "",
            width=int(facts["width"]),
            height=int(facts["height"]),
            sizes=sizes,
        )

    def _convert(self, source: Path, folder: str, key: str) -> dict[str, Any]:
        variants = _variants(source)
        for name, data, *_rest in variants:
            self.outputs[folder + name] = Output(folder + name, f"{key}:{name}", data)
        kind, width, height = variants[-1][2:]  # the largest is the image's own size
        sizes = [[variant[0], variant[3]] for variant in variants]
        return {"kind": kind, "width": width, "height": height, "sizes": sizes}

    # --- other files --------------------------------------------------------------------

    def _copy(self, source: Path, path: str) -> str:
        if path not in self.outputs:
            self.outputs[path] = Output(path, f"copy:{self._digest(source)}", source.read_bytes)
        return path

    def _companion(self, source: Path, folder: str, suffixes: tuple[str, ...]) -> str:
        for suffix in suffixes:
            candidate = source.with_suffix(suffix)
            if candidate.is_file():
                return self._copy(candidate, folder + file_stem(candidate.name) + suffix)
        return ""

    def _source(self, file: str) -> Path:
        found = self._sources.get(file)
        if found is not None:
            return found
        path = (self.root / file).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise ContentError(
                _("media file {file} not found in the repository").format(file=file),
                hint=_("run `socialpub validate` to see which post refers to it"),
            )
        self._sources[file] = path
        return path

    def _digest(self, path: Path) -> str:
        digest = self._digests.get(path)
        if digest is None:
            digest = (
                self.digests.digest(path)
                if self.digests
                else hashlib.sha256(path.read_bytes()).hexdigest()
            )
            self._digests[path] = digest
        return digest


def _complete(facts: dict[str, Any]) -> bool:
    return bool(facts.get("sizes")) and all(k in facts for k in ("kind", "width", "height"))


def target_widths(width: int) -> list[int]:
    """The widths an image of `width` pixels is offered in: never wider than the source."""
    widths = [w for w in WIDTHS if w < width]
    widths.append(min(width, WIDTHS[-1]))
    return sorted(set(widths))


def _variants(source: Path) -> list[tuple[str, bytes, str, int, int]]:
    """(file name, data, kind, width, height) per responsive size, smallest first."""
    from socialpub.net.images import clean_image, upright_size

    width, height = upright_size(source)
    stem = file_stem(source.name)
    found = []
    for target in target_widths(width):
        # clean_image bounds the longer side; for a portrait that is the height
        side = target if width >= height else math.ceil(target * height / width)
        clean = clean_image(source, max_bytes=0, max_side=side)
        kind = "png" if clean.mime == "image/png" else "jpeg"
        name = f"{stem}-{target}.{'png' if kind == 'png' else 'jpg'}"
        found.append((name, clean.data, kind, clean.width, clean.height))
    return found


def _render(source: Path, name: str) -> bytes:
    """One size again (its file was deleted by hand while the manifest still lists it)."""
    for found, data, *_rest in _variants(source):
        if found == name:
            return data
    raise ContentError(_("{source}: cannot produce {name} again").format(source=source, name=name))
