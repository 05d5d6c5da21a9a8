"""The fake Cloud API in a process of its own (the bench: it must not share the GIL with the
service under test).

    python -m tests.wafake_remote --webhook-url http://127.0.0.1:8787/webhook --validation compiled

prints one JSON line, `{"base_url": …, "url": …}`, and serves until stdin closes (its parent
went away) or SIGTERM. Tests drive it with `RemoteCloudApiFake`, which starts it and speaks
its control interface: `POST /_control/call` runs one of the fake's methods, `/_control/set`
sets knobs, `/_control/get` reads what happened — on the same port, never checked against
Meta's document and never in `requests`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.wafake import CloudApiFake

PROJECT = Path(__file__).resolve().parents[1]
CALLS = frozenset(
    {
        "add_template",
        "fail",
        "inbox",
        "duplicates",
        "delivered",
        "citizen_says",
        "resend_last_event",
        "open_windows",
    }
)
KNOBS = frozenset(
    {
        "throughput",
        "pair_rate",
        "pair_burst",
        "daily_limit",
        "delivered_after",
        "read_after",
        "hang",
        "record_requests",
    }
)
SETS = frozenset({"undeliverable", "opted_out", "unread"})  # given as lists of wa_ids
READS = frozenset({"refused", "over_limit", "requests", "clock"})


class Control:
    """The control interface of a fake: (path, JSON) → (HTTP status, JSON answer)."""

    def __init__(self, fake: CloudApiFake) -> None:
        self.fake = fake

    def __call__(self, path: str, payload: Any) -> tuple[int, Any]:
        try:
            return 200, {"result": self._run(path, payload or {})}
        except (KeyError, TypeError, ValueError, LookupError) as error:
            return 400, {"error": f"{type(error).__name__}: {error}"}

    def _run(self, path: str, payload: dict[str, Any]) -> Any:
        fake = self.fake
        if path == "call" and payload["name"] in CALLS:
            method = getattr(fake, payload["name"])
            return method(*payload.get("args", []), **payload.get("kwargs", {}))
        if path == "set":
            for name, value in payload.items():
                if name in KNOBS:
                    setattr(fake, name, value)
                elif name in SETS:
                    setattr(fake, name, set(value))
                elif name == "offset":
                    fake.offset = timedelta(seconds=float(value))
                elif name == "webhooks_paused":
                    (fake.webhooks.pause if value else fake.webhooks.resume)()
                else:
                    raise KeyError(f"no knob {name}")
            return None
        if path == "get" and payload["name"] in READS:
            value = getattr(fake, payload["name"])
            return value() if callable(value) else value
        if path == "webhooks":
            hooks = fake.webhooks
            return {
                "pending": hooks.pending(),
                "deliveries": len(hooks.deliveries),
                "idle": hooks.wait_idle(float(payload.get("wait", 0))),
            }
        raise KeyError(f"no control call {path} {payload.get('name', '')}".strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-secret", default="test-app-secret")
    parser.add_argument("--webhook-url")
    parser.add_argument("--token", default="test-access-token")
    parser.add_argument("--phone-number-id", default="100000000000001")
    parser.add_argument("--waba-id", default="200000000000002")
    parser.add_argument("--validation", choices=("openapi-core", "compiled"), default="compiled")
    parser.add_argument("--no-record", action="store_true", help="keep no `requests` (bench)")
    args = parser.parse_args(argv)
    fake = CloudApiFake(
        args.app_secret,
        args.webhook_url,
        token=args.token,
        phone_number_id=args.phone_number_id,
        waba_id=args.waba_id,
        validation=args.validation,
        record_requests=not args.no_record,
        port=args.port,
    )
    fake.control = Control(fake)
    print(json.dumps({"base_url": fake.base_url, "url": fake.url}), flush=True)
    try:
        sys.stdin.read()  # until the parent closes it, or dies
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


class RemoteCloudApiFake:
    """A `CloudApiFake` in a child process, driven over its control interface."""

    def __init__(
        self, app_secret: str = "test-app-secret", webhook_url: str | None = None, **options: Any
    ) -> None:
        command = [sys.executable, "-m", "tests.wafake_remote", "--app-secret", app_secret]
        if webhook_url:
            command += ["--webhook-url", webhook_url]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            command += [flag] if value is True else [] if value is False else [flag, str(value)]
        env = os.environ | {"PYTHONPATH": str(PROJECT)}
        self.process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(10)
            raise RuntimeError(f"the remote fake did not start (exit {self.process.returncode})")
        started = json.loads(line)
        self.base_url, self.url = started["base_url"], started["url"]
        self.token = options.get("token", "test-access-token")
        self.phone_number_id = options.get("phone_number_id", "100000000000001")
        self.waba_id = options.get("waba_id", "200000000000002")
        self._client = httpx.Client(base_url=f"{self.url}/_control", timeout=30)
        self._lock = threading.Lock()

    def __enter__(self) -> RemoteCloudApiFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._client.close()
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the child stops itself
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def _control(self, path: str, payload: dict[str, Any]) -> Any:
        with self._lock:
            answer = self._client.post(f"/{path}", json=payload)
        if answer.status_code != 200:
            raise RuntimeError(f"control {path}: {answer.json().get('error', answer.text)}")
        return answer.json()["result"]

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._control("call", {"name": name, "args": list(args), "kwargs": kwargs})

    def set(self, **knobs: Any) -> None:
        """Set knobs (throughput=…, daily_limit=…, undeliverable=[…], offset=seconds,
        webhooks_paused=True/False …)."""
        self._control("set", {k: sorted(v) if isinstance(v, set) else v for k, v in knobs.items()})

    def get(self, name: str) -> Any:
        return self._control("get", {"name": name})

    def add_template(
        self,
        name: str,
        language: str,
        parameters: int,
        status: str = "APPROVED",
        category: str = "MARKETING",
    ) -> None:
        self._call("add_template", name, language, parameters, status, category)

    def fail(self, kind: str, times: int = 1, to: str | None = None) -> None:
        self._call("fail", kind, times, to)

    def inbox(self, wa_id: str) -> list[dict[str, Any]]:
        return list(self._call("inbox", wa_id))

    def duplicates(self) -> list[str]:
        return list(self._call("duplicates"))

    def delivered(self) -> int:
        return int(self._call("delivered"))

    def citizen_says(self, wa_id: str, text: str, name: str = "Erika Mustermann") -> str:
        return str(self._call("citizen_says", wa_id, text, name))

    def open_windows(self, wa_ids: list[str]) -> None:
        self._call("open_windows", wa_ids)

    def resend_last_event(self) -> int | None:
        answer = self._call("resend_last_event")
        return None if answer is None else int(answer)

    def webhooks(self, wait: float = 0.0) -> dict[str, Any]:
        """{"pending", "deliveries", "idle"}: webhook events not yet delivered, POSTs made,
        whether all due ones were delivered (waiting up to `wait` seconds)."""
        return dict(self._control("webhooks", {"wait": wait}))

    @property
    def refused(self) -> list[str]:
        return list(self.get("refused"))

    @property
    def over_limit(self) -> int:
        return int(self.get("over_limit"))

    @property
    def requests(self) -> list[dict[str, Any]]:
        return list(self.get("requests"))


if __name__ == "__main__":
    main()
