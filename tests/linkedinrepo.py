"""A posts repository with one LinkedIn channel wired to the fake (tests/linkedinfake.py);
`socialpub` runs as a subprocess with this checkout's code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        head = {"id": post_id, "title": post_id, "status": "approved",
                "approved_by": "Pressestelle", "channels": ["linkedin"]} | front  # fmt: skip
        lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in head.items())
        (self.root / "posts" / f"{post_id}.md").write_text(f"---\n{lines}---\n{body}\n", "utf-8")

    def file(self, name: str, data: bytes) -> str:
        (self.root / "posts" / "media" / name).write_bytes(data)
        return f"posts/media/{name}"

    def run(self, *args: str, token: str = TOKEN) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "SOCIALPUB_CONFIG"}
        env |= {"NO_COLOR": "1", "COLUMNS": "120", "LINKEDIN_TOKEN": token}
        return subprocess.run(
            [sys.executable, "-m", "socialpub", *args], cwd=self.root, env=env,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    def status(self) -> dict[str, dict[str, Any]]:
        done = self.run("status", "--json")
        assert done.returncode in (0, 1), done.stderr
        return {row["post"]: row for row in json.loads(done.stdout)}
