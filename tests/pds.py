"""The real, official Bluesky PDS (shared/tools/bluesky-pds) for integration tests, plus a tiny
local web site to build link cards from. Everything listens on 127.0.0.1 only.

Set SOCIALPUB_SKIP_PDS=1 to skip these tests; any other failure to start the PDS fails them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SHARED
from tests.localserver import free_port, serving

TOOL = SHARED / "tools" / "bluesky-pds"
SKIP_ENV = "SOCIALPUB_SKIP_PDS"
#: a first start installs the PDS (minutes); later starts take seconds
START_TIMEOUT = 900


@dataclass(frozen=True)
class Pds:
    url: str
    admin_password: str
    pidfile: str
    log: str

    def get(self, nsid: str, **params: str) -> httpx.Response:
        return httpx.get(f"{self.url}/xrpc/{nsid}", params=params, timeout=10)

    def record(self, did: str, rkey: str) -> httpx.Response:
        return self.get(
            "com.atproto.repo.getRecord", repo=did, collection="app.bsky.feed.post", rkey=rkey
        )

    def post_count(self, did: str) -> int:
        answer = self.get(
            "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit="100"
        )
        answer.raise_for_status()
        return len(answer.json()["records"])

    def blob(self, did: str, cid: str) -> bytes:
        answer = self.get("com.atproto.sync.getBlob", did=did, cid=cid)
        answer.raise_for_status()
        return answer.content

    def requests_to(self, nsid: str) -> int:
        """How often the PDS served `nsid`, from its JSON-lines request log."""
        text = Path(self.log).read_text(encoding="utf-8", errors="replace")
        return sum(1 for line in text.splitlines() if f'"url":"/xrpc/{nsid}' in line)


@dataclass(frozen=True)
class Account:
    pds: Pds
    handle: str
    did: str
    password: str


@contextmanager
def running_pds() -> Iterator[Pds]:
    """Start a fresh PDS for the test session and stop it afterwards."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: the real Bluesky PDS tests are switched off")
    command = [str(TOOL / "start"), "--port", str(free_port()), "--watch-pid", str(os.getpid())]
    started = subprocess.run(
        command, capture_output=True, text=True, timeout=START_TIMEOUT, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"bluesky-pds did not start ({started.returncode}):\n{started.stderr[-3000:]}")
    env = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    pds = Pds(
        env["BLUESKY_PDS_URL"],
        env["BLUESKY_PDS_ADMIN_PASSWORD"],
        env["BLUESKY_PDS_PIDFILE"],
        env["BLUESKY_PDS_LOG"],
    )
    try:
        yield pds
    finally:
        subprocess.run([str(TOOL / "stop"), pds.pidfile], check=False, timeout=30)


def create_account(pds: Pds, handle: str) -> Account:
    name = handle.split(".")[0]
    password = f"{name}-app-pw-{os.urandom(4).hex()}"
    answer = httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{name}@example.com", "password": password},
        timeout=30,
    )
    answer.raise_for_status()
    return Account(pds, handle, answer.json()["did"], password)


@contextmanager
def web_site(files: Mapping[str, tuple[str, bytes]]) -> Iterator[str]:
    """Serve `files` (path → (content type, bytes)) on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = files.get(self.path)
            if found is None:
                self.send_error(404)
                return
            kind, data = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is for failures."""

    with serving(Handler) as origin:
        yield origin
