"""A posts repository whose `x` channel points at the fake X server (tests/xfake.py), and
`socialpub` runs as a subprocess of this worktree's code."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from PIL import Image as PILImage

from tests.xfake import XFake

USER = "1460000000000000042"
CONSUMER = ("x-app-key-4f1c9a", "x-app-secret-8d2e7b61c0")
TOKEN = (f"{USER}-x-access-token-93a1", "x-access-secret-5be0c2d7f4")
BEARER = "x-oauth2-user-token-77c1e9"
OAUTH1_ENV = {
    "X_API_KEY": CONSUMER[0],
    "X_API_SECRET": CONSUMER[1],
    "X_ACCESS_TOKEN": TOKEN[0],
    "X_ACCESS_TOKEN_SECRET": TOKEN[1],
}
SECRETS = (*CONSUMER, *TOKEN, BEARER)


def register(fake: XFake) -> XFake:
    fake.add_user(USER, CONSUMER, TOKEN)
    fake.add_bearer(USER, BEARER)
    return fake


def jpeg_with_exif(seed: str = "") -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = f"CameraMaker {seed}"
    exif[0x8825] = {1: "N"}  # GPS info: what must never reach X
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), "orange").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def has_exif(data: bytes) -> bool:
    return bool(PILImage.open(io.BytesIO(data)).getexif())


class XRepo:
    def __init__(
        self, root: Path, fake: XFake, *, oauth2: bool = False, concurrency: int = 1,
        rate_limit: str = "1000/s", **publish: float,
    ) -> None:  # fmt: skip
        self.root, self.oauth2 = root, oauth2
        settings = {"timeout": 0.5, "retries": 3, "backoff": 0.01} | publish
        knobs = "".join(f"  {key}: {value}\n" for key, value in settings.items())
        if oauth2:
            auth = "    access_token: ${X_OAUTH2_TOKEN}\n"
        else:
            auth = "".join(f"    {k[2:].lower()}: ${{{k}}}\n" for k in OAUTH1_ENV)
        (root / "posts" / "media").mkdir(parents=True)
        config = (
            "timezone: Europe/Berlin\nlang: de\npublish:\n" + knobs + "channels:\n"
            f'  x:\n    type: x\n    user_id: "{USER}"\n' + auth
            + f"    api_base: {fake.url}\n    rate_limit: {rate_limit}\n"
            f"    concurrency: {concurrency}\n"
        )  # fmt: skip
        (root / "socialpub.yaml").write_text(config, encoding="utf-8")

    def post(self, post_id: str, body: str, **front: Any) -> None:
        head = {"id": post_id, "title": post_id, "status": "approved"}
        head |= {"approved_by": "Pressestelle", "channels": ["x"]} | front
        lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in head.items())
        text = f"---\n{lines}---\n{textwrap.dedent(body).strip()}\n"
        (self.root / "posts" / f"{post_id}.md").write_text(text, encoding="utf-8")

    def file(self, name: str, data: bytes) -> str:
        (self.root / "posts" / "media" / name).write_bytes(data)
        return f"posts/media/{name}"

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if k != "SOCIALPUB_CONFIG"}
        environ |= {"NO_COLOR": "1", "COLUMNS": "120", **OAUTH1_ENV, "X_OAUTH2_TOKEN": BEARER}
        return subprocess.run(
            [sys.executable, "-m", "socialpub", *args],
            cwd=self.root,
            env=environ | (env or {}),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def status(self) -> dict[str, dict[str, Any]]:
        done = self.run("status", "--json")
        assert done.returncode in (0, 1), done.stderr
        return {row["post"]: row for row in json.loads(done.stdout)}

    def secrets_leaked(self, *outputs: str) -> bool:
        ledger = "".join(p.read_text() for p in self.root.glob(".socialpub/ledger/*/*.json"))
        return any(secret in text for secret in SECRETS for text in (*outputs, ledger))
