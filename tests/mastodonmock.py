"""Run mastodon-mock (PyPI `mastodon-mock`, a FastAPI re-implementation of Mastodon's REST
API) as a subprocess on 127.0.0.1 for integration tests.

`mastodon_mock serve --in-memory` seeds one account, `testuser`, whose bearer token is
`mock_token` (mastodon_mock.config.DEFAULT_SEED); the database lives only as long as the process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.localserver import free_port

TOKEN = "mock_token"  # the seeded account's token in the mock, not a credential
START_TIMEOUT = 30.0


@dataclass
class MockServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(workdir: Path) -> MockServer:
    """Start the server in `workdir` (its media land there) and wait until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "server.log"
    command = [sys.executable, "-m", "mastodon_mock", "serve", "--in-memory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    server = MockServer(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_ready(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: MockServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"mastodon-mock exited: {server.log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/api/v2/instance", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.1)
    raise RuntimeError(f"mastodon-mock did not answer within {START_TIMEOUT} s")
