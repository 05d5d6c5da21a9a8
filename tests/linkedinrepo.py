"""A posts repository with one LinkedIn channel wired to the fake (tests/linkedinfake.py);
`socialpub` runs as a subprocess with this checkout's code."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.clirepo import run_socialpub, status_rows, write_media, write_post
from tests.linkedinfake import ORG, TOKEN, Fake


class LinkedInRepo:
    def __init__(self, root: Path, fake: Fake, **publish: float) -> None:
        self.root, self.fake = root, fake
        knobs = {"timeout": 0.5, "retries": 3, "backoff": 0.01} | publish
        lines = "".join(f"  {key}: {value}\n" for key, value in knobs.items())
        (root / "posts" / "media").mkdir(parents=True)
        self._head = "timezone: Europe/Berlin\nlang: de\npublish:\n" + lines + "channels:\n"
        self.configure()

    def configure(self, rate_limit: str = "1000/s", concurrency: int = 4) -> None:
        """The one LinkedIn channel, paced at `rate_limit` with `concurrency` at a time."""
        (self.root / "socialpub.yaml").write_text(
            self._head + "  linkedin:\n    type: linkedin\n"
            f'    organization: "{ORG.rsplit(":", 1)[1]}"\n'
            "    access_token: ${LINKEDIN_TOKEN}\n"
            f"    api_base: {self.fake.base}/rest\n"
            f"    rate_limit: {rate_limit}\n    concurrency: {concurrency}\n",
            encoding="utf-8",
        )

    def post(self, post_id: str, body: str, **front: Any) -> None:
        write_post(self.root, post_id, body, ["linkedin"], **front)

    def file(self, name: str, data: bytes) -> str:
        return write_media(self.root, name, data)

    def run(self, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
        return run_socialpub(self.root, args, {"LINKEDIN_TOKEN": token}, timeout=600)

    def status(self) -> dict[str, dict[str, Any]]:
        return {row["post"]: row for row in status_rows(self.run("status", "--json"))}
