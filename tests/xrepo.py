"""A posts repository whose `x` channel points at the fake X server (tests/xfake.py), and
`socialpub` runs as a subprocess of this worktree's code."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image as PILImage

from tests.clirepo import ledger_text, run_socialpub, status_rows, write_media, write_post
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
        write_post(self.root, post_id, body, ["x"], **front)

    def file(self, name: str, data: bytes) -> str:
        return write_media(self.root, name, data)

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        tokens = {**OAUTH1_ENV, "X_OAUTH2_TOKEN": BEARER} | (env or {})
        return run_socialpub(self.root, args, tokens)

    def status(self) -> dict[str, dict[str, Any]]:
        return {row["post"]: row for row in status_rows(self.run("status", "--json"))}

    def secrets_leaked(self, *outputs: str) -> bool:
        ledger = ledger_text(self.root)
        return any(secret in text for secret in SECRETS for text in (*outputs, ledger))
