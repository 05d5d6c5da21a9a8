"""A posts repository in workflow mode: real git, several people, real SSH signing keys."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from socialpub.cli import app

runner = CliRunner()


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def slug(self) -> str:
        return self.email.split("@")[0]


TOM = Person("Tom Berger", "tom.berger@kreis.example")  # writes for Straßenbau
EVA = Person("Eva Keller", "eva.keller@kreis.example")  # approves for Straßenbau
ANNA = Person("Anna Schmidt", "anna.schmidt@kreis.example")  # press office
OLE = Person("Ole Hansen", "ole.hansen@kreis.example")  # approves for Soziales

CHANNELS = """\
timezone: Europe/Berlin
lang: de
channels:
  mastodon:
    type: mastodon
    instance: https://social.example
    token: ${MASTODON_TOKEN}
  telegram:
    type: telegram
    chat: "@kreis"
    token: ${TELEGRAM_TOKEN}
  website:
    type: website
"""

WORKFLOW = """\
workflow:
  press_office:
    approvers: [anna.schmidt@kreis.example]
  departments:
    strassenbau:
      title: Straßenbau
      folders: [strassenbau]
      authors: [tom.berger@kreis.example]
      approvers: [eva.keller@kreis.example]
      channels: [mastodon, website, telegram]
    soziales:
      title: Soziales
      folders: [soziales]
      approvers: [ole.hansen@kreis.example]
      channels: [website]
  policy:
    press_office_channels: [telegram]
    press_office_tags: [politik]
"""

POST = """\
---
id: {id}
title: Sperrung der B 27
status: approved
{extra}---
Die B 27 ist ab Montag zwischen Musterstadt und Neudorf gesperrt.
"""


class WorkflowRepo:
    """A git repository with socialpub.yaml (workflow mode), posts and people's keys."""

    def __init__(self, root: Path, workflow: str = WORKFLOW) -> None:
        self.root = root
        self.config = root / "socialpub.yaml"
        self.keys = root.parent / "keys"
        self.keys.mkdir(parents=True, exist_ok=True)
        (root / "posts").mkdir(parents=True)
        (root / "templates").mkdir()
        self.home = root.parent / "home"
        self.home.mkdir(exist_ok=True)
        self.write_config(workflow)
        self.git(TOM, "init", "--quiet")

    def write_config(self, workflow: str) -> None:
        self.config.write_text(CHANNELS + textwrap.dedent(workflow), encoding="utf-8")

    def post(self, folder: str, post_id: str, extra: str = "") -> Path:
        path = self.root / "posts" / folder / f"{post_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(POST.format(id=post_id, extra=extra), encoding="utf-8")
        return path

    def env(self, person: Person) -> dict[str, str]:
        """git as `person`, and none of this machine's own git configuration."""
        return {
            "GIT_AUTHOR_NAME": person.name,
            "GIT_AUTHOR_EMAIL": person.email,
            "GIT_COMMITTER_NAME": person.name,
            "GIT_COMMITTER_EMAIL": person.email,
            "GIT_CONFIG_GLOBAL": str(self.home / f"{person.slug}.gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.home),
            "MASTODON_TOKEN": "t",
            "TELEGRAM_TOKEN": "t",
        }

    def git(self, person: Person, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        return subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=env | self.env(person),
            capture_output=True,
            text=True,
            check=True,
        )

    def commit(self, person: Person, message: str = "edit", *, sign: bool = False) -> None:
        self.git(person, "add", "--all")
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.key(person)}"]
        self.git(
            person,
            *(signing if sign else []),
            "commit",
            "--quiet",
            "-m",
            message,
            *(["-S"] if sign else []),
        )

    def key(self, person: Person) -> Path:
        """The public half of `person`'s ed25519 key (made on first use)."""
        private = self.keys / person.slug
        if not private.exists():
            subprocess.run(
                [
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    person.email,
                    "-f",
                    str(private),
                ],
                check=True,
                capture_output=True,
            )
        return Path(f"{private}.pub")

    def allow_signers(self, *people: Person, file: str = ".socialpub/allowed_signers") -> None:
        """The allowed-signers file: each person's e-mail with their public key."""
        lines = []
        for person in people:
            kind, key = self.key(person).read_text(encoding="utf-8").split()[:2]
            lines.append(f'{person.email} namespaces="git" {kind} {key}\n')
        path = self.root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines), encoding="utf-8")

    def sign_as(self, person: Person) -> None:
        """`person`'s git signs every commit with their key (their own global config)."""
        config = self.home / f"{person.slug}.gitconfig"
        config.write_text(
            f"[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = {self.key(person)}\n"
            "[commit]\n\tgpgsign = true\n",
            encoding="utf-8",
        )

    def socialpub(
        self, person: Person, *args: str, config: Path | None = None
    ) -> tuple[int, str, str]:
        """`socialpub ARGS --config …` run as `person` (in this process)."""
        chosen = str(config or self.config)
        result = runner.invoke(app, [*args, "--config", chosen], env=self.env(person))
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        return result.exit_code, result.stdout, result.stderr

    def plan(self, person: Person = TOM) -> dict[tuple[str, str], dict[str, Any]]:
        """The plan by (post, channel)."""
        code, out, err = self.socialpub(person, "plan", "--json", "--now", "2026-11-27T16:30")
        assert code == 0, err
        return {(d["post"], d["channel"]): d for d in json.loads(out)}

    def record(self, post_id: str, channel: str = "_all") -> dict[str, Any]:
        path = self.root / ".socialpub" / "approvals" / post_id / f"{channel}.json"
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
