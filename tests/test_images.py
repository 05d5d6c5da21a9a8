"""Images leave without metadata (GPS!), upright, and within the platform's limits."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from socialpub.errors import ContentError
from socialpub.net.images import clean_image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_with_gps(path: Path, size: tuple[int, int] = (400, 300), orientation: int = 1) -> Path:
    """A JPEG as phones write it: GPS position, camera model, orientation tag."""
    picture = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Kreis-Handy 12"  # camera model
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 8.0, 30.0), 3: "E", 4: (9.0, 1.0, 2.0)}
    picture.save(path, "JPEG", exif=exif.tobytes(), quality=95)
    return path


def test_exif_and_gps_are_removed(tmp_path: Path) -> None:
    source = photo_with_gps(tmp_path / "foto.jpg")
    assert Image.open(source).getexif().get_ifd(GPS_IFD)  # the test image really has GPS
    clean = clean_image(source, max_bytes=1_000_000)
    opened = Image.open(io.BytesIO(clean.data))
    assert dict(opened.getexif()) == {}
    assert b"Kreis-Handy" not in clean.data and b"Exif" not in clean.data
    assert clean.mime == "image/jpeg" and (clean.width, clean.height) == (400, 300)


def test_the_orientation_tag_is_applied_to_the_pixels(tmp_path: Path) -> None:
    source = photo_with_gps(tmp_path / "hochkant.jpg", size=(400, 300), orientation=6)
    clean = clean_image(source, max_bytes=0)
    assert (clean.width, clean.height) == (300, 400)  # rotated upright, tag dropped


def test_png_text_chunks_are_removed_and_png_stays_png(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Max Mustermann, Pressestelle")
    source = tmp_path / "karte.png"
    Image.new("RGBA", (120, 80), (0, 0, 255, 128)).save(source, "PNG", pnginfo=info)
    clean = clean_image(source, max_bytes=1_000_000)
    assert clean.mime == "image/png"
    assert b"Mustermann" not in clean.data


def test_large_images_are_shrunk_under_the_byte_limit(tmp_path: Path) -> None:
    source = tmp_path / "gross.jpg"
    noise = Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3))
    noise.save(source, "JPEG", quality=98)
    assert source.stat().st_size > 1_000_000
    clean = clean_image(source, max_bytes=200_000)
    assert len(clean.data) <= 200_000
    assert clean.width < 1600 and clean.width / clean.height == pytest.approx(4 / 3, rel=0.02)


def test_the_longest_side_is_limited(tmp_path: Path) -> None:
    source = tmp_path / "breit.png"
    Image.new("RGB", (5000, 1000), (10, 120, 10)).save(source, "PNG")
    clean = clean_image(source, max_bytes=0, max_side=2000)
    assert (clean.width, clean.height) == (2000, 400)


def test_a_file_that_is_not_an_image_is_a_content_error(tmp_path: Path) -> None:
    source = tmp_path / "kaputt.jpg"
    source.write_bytes(b"not a picture")
    with pytest.raises(ContentError, match="not a readable image"):
        clean_image(source, max_bytes=1000)
