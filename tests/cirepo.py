"""A posts repository made by `socialpub init --ci …`, its `origin` a bare repository in the
same temporary folder, and a way to run a generated pipeline's steps as CI would: the
commands of each step with the venv's socialpub, in a fresh clone (the runner's checkout)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from socialpub.cli import app

BIN = Path(sys.executable).parent  # the venv's bin: its socialpub is what the steps run
APPROVED = """\
---
id: {id}
title: {title}
status: approved
channels: [website]
---
{body}
"""


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def post(post_id: str, body: str = "Die Kreisstraße ist wieder frei.") -> str:
    return APPROVED.format(id=post_id, title=f"Titel {post_id}", body=body)


@dataclass(frozen=True)
class CiRepo:
    work: Path  # the press office's clone
    origin: Path  # bare repository: the "server"

    def commit(self, message: str, files: Mapping[str, str]) -> None:
        for name, text in files.items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)

    def checkout(self, where: Path, ref: str) -> Path:
        """The runner's checkout: a full clone of origin, HEAD detached at `ref`."""
        subprocess.run(["git", "clone", "-q", str(self.origin), str(where)], check=True)
        git(where, "checkout", "-q", "--detach", ref)
        return where

    def origin_file(self, branch: str, path: str) -> str:
        return git(self.origin, "show", f"{branch}:{path}")


def make_repo(tmp: Path, ci: str) -> CiRepo:
    """`socialpub init` and `init --ci CI` in a repository on branch main, pushed to origin."""
    work = tmp / "presse"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    git(work, "config", "user.name", "Anna Schneider")
    git(work, "config", "user.email", "schneider@kreis.example")
    for args in (["init", str(work)], ["init", "--ci", ci, str(work)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    origin = tmp / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    git(origin, "config", "receive.advertisePushOptions", "true")  # GitLab takes -o ci.skip
    repo = CiRepo(work, origin)
    repo.commit("Pressestelle eingerichtet", {"posts/sperrung.md": post("sperrung")})
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return repo


_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def github_value(value: object, context: Mapping[str, str]) -> str:
    """A step's `env:` value with its `${{ … }}` expressions as GitHub fills them in."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context or name.startswith("secrets."), f"unknown expression {name}"
        return context.get(name, "")

    return _EXPRESSION.sub(fill, str(value))


def run_script(script: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """As a runner runs a `run:` step with `shell: bash` (and GitLab a bash job script)."""
    environ = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(cwd.parent)}
    environ["GIT_CONFIG_NOSYSTEM"] = "1"
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
