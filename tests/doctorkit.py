"""What the doctor tests share: a config from channel blocks, the real clock, and a run of
`diagnose` whose Findings are looked up by (channel, check)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from socialpub.channels.probe import Finding, Status
from socialpub.content.config import Config, load_config
from socialpub.doctor.run import diagnose
from socialpub.net.http import Clock


def real_clock(offset: float = 0.0) -> Clock:
    """The machine's clock, `offset` seconds off (the fakes' Date headers are real time)."""
    return Clock(
        now=lambda: datetime.fromtimestamp(time.time() + offset, UTC),
        monotonic=time.monotonic,
        sleep=time.sleep,
    )


def make_config(root: Path, channels: str) -> Config:
    """`socialpub.yaml` with these channel blocks (YAML, indented by two spaces)."""
    (root / "posts").mkdir(parents=True, exist_ok=True)
    path = root / "socialpub.yaml"
    path.write_text("timezone: Europe/Berlin\nchannels:\n" + channels, encoding="utf-8")
    return load_config(path)


class Diagnosis:
    def __init__(self, found: list[Finding]) -> None:
        self.found = found

    def __getitem__(self, key: tuple[str, str]) -> Finding:
        matches = [f for f in self.found if (f.channel, f.check) == key]
        assert len(matches) == 1, f"{key}: {self.found}"
        return matches[0]

    def checks(self, channel: str) -> list[str]:
        return [f.check for f in self.found if f.channel == channel]

    def status(self, channel: str, check: str) -> Status:
        return self[channel, check].status

    def text(self) -> str:
        return json.dumps([f.as_dict() for f in self.found])


def run(
    config: Config, environ: Mapping[str, str], *channels: str, offset: float = 0.0
) -> Diagnosis:
    return Diagnosis(diagnose(config, environ, real_clock(offset), channels=channels))
