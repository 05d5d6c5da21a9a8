"""A posts repository wired to the fake Meta Graph server (tests/metagraph.py): a Facebook
Page, an Instagram account, a Threads account and the county's website, whose built media
folder the test "deploys" to the media server that Meta's crawler fetches from."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

from PIL import Image as PILImage

from tests.clirepo import (
    environment,
    ledger_text,
    run_socialpub,
    status_rows,
    write_media,
    write_post,
)
from tests.metagraph import MediaServer, MetaGraph

PAGE, IG, THREADS = "100000000000001", "17841400000000001", "27000000000000001"
TOKENS = {
    "FACEBOOK_PAGE_TOKEN": "fb-page-token-s3cr3t",
    "INSTAGRAM_TOKEN": "ig-token-s3cr3t",
    "THREADS_TOKEN": "threads-token-s3cr3t",
}


def register(graph: MetaGraph) -> MetaGraph:
    """The three accounts, each with its own token."""
    graph.add_page(PAGE, TOKENS["FACEBOOK_PAGE_TOKEN"])
    graph.add_instagram(IG, TOKENS["INSTAGRAM_TOKEN"])
    graph.add_threads(THREADS, TOKENS["THREADS_TOKEN"])
    return graph


def jpeg_with_exif(size: tuple[int, int] = (64, 48), seed: str = "") -> bytes:
    """A small photo with camera and GPS data; each `seed` gives other pixels (the site keeps
    one copy of identical images, named after the first file that had them)."""
    digest = hashlib.sha256(seed.encode()).digest()
    exif = PILImage.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N"}  # GPS info: what must never reach Meta
    buffer = io.BytesIO()
    PILImage.new("RGB", size, tuple(digest[:3])).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


class MetaRepo:
    """Posts, config and `socialpub` runs; the channels are named after their types.
    `per_channel`: each channel's concurrency; `publish`: the config's publish knobs."""

    def __init__(
        self, root: Path, graph: MetaGraph, media: MediaServer, per_channel: int = 1,
        rate_limit: str = "1000/s", **publish: float,
    ) -> None:  # fmt: skip
        self.root, self.media = root, media
        settings = {"timeout": 0.5, "retries": 3, "backoff": 0.01} | publish
        knobs = "".join(f"  {key}: {value}\n" for key, value in settings.items())
        common = f"    rate_limit: {rate_limit}\n    concurrency: {per_channel}\n"
        (root / "posts" / "media").mkdir(parents=True)
        config = (
            "timezone: Europe/Berlin\nlang: de\npublish:\n" + knobs + "channels:\n"
            f"  web:\n    type: website\n    base_url: {media.url}/\n    out_dir: site\n"
            f'  facebook:\n    type: facebook\n    page_id: "{PAGE}"\n'
            "    access_token: ${FACEBOOK_PAGE_TOKEN}\n"
            f"    api_base: {graph.facebook_base}\n" + common
            + f'  instagram:\n    type: instagram\n    user_id: "{IG}"\n'
            "    access_token: ${INSTAGRAM_TOKEN}\n"
            f"    api_base: {graph.facebook_base}\n" + common
            + f'  threads:\n    type: threads\n    user_id: "{THREADS}"\n'
            "    access_token: ${THREADS_TOKEN}\n"
            f"    api_base: {graph.threads_base}\n" + common
        )  # fmt: skip
        (root / "socialpub.yaml").write_text(config, encoding="utf-8")

    def post(self, post_id: str, body: str, channels: list[str], **front: Any) -> None:
        write_post(self.root, post_id, body, channels, **front)

    def file(self, name: str, data: bytes) -> str:
        return write_media(self.root, name, data)

    def deploy(self) -> dict[str, bytes]:
        """`socialpub site build`, then the site's media folder goes online; what it serves."""
        built = self.run("site", "build")
        assert built.returncode == 0, built.stdout + built.stderr
        served = {}
        for path in sorted((self.root / "site" / "media").rglob("*")):
            if path.is_file():
                name = path.relative_to(self.root / "site").as_posix()
                self.media.put(name, path.read_bytes(), _content_type(path))
                served[name] = path.read_bytes()
        return served

    def run(self, *args: str, **tokens: str) -> subprocess.CompletedProcess[str]:
        return run_socialpub(self.root, args, TOKENS | tokens)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """`socialpub ARGS` in the background (a test may kill it: a crash)."""
        return subprocess.Popen(
            [sys.executable, "-m", "socialpub", *args],
            cwd=self.root,
            env=environment(TOKENS),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def status(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(post, channel) → the row of `status --json`."""
        rows = status_rows(self.run("status", "--json"))
        return {(row["post"], row["channel"]): row for row in rows}

    def secrets_leaked(self, *outputs: str) -> bool:
        """Whether a token shows in these outputs or in any ledger entry."""
        ledger = ledger_text(self.root)
        return any(token in text for token in TOKENS.values() for text in (*outputs, ledger))


def _content_type(path: Path) -> str:
    return {".jpg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4"}.get(
        path.suffix.lower(), "application/octet-stream"
    )
