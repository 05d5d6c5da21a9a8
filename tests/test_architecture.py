"""Conventions of the codebase that are easy to break by accident."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "socialpub"
SOURCES = sorted(PACKAGE.rglob("*.py"))
UI_MODULES = {"console.py", "console_publish.py"}


def is_ui(path: Path) -> bool:
    """The command line package and the console modules are the only UI code."""
    return path.parent.name == "cli" or path.name in UI_MODULES


CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic"}


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_ui_imports_typer_and_rich(path: Path) -> None:
    if is_ui(path):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not imported_modules(tree) & {"typer", "rich", "click"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_reads_the_clock(path: Path) -> None:
    """Time is passed in (tests freeze it); only the command line asks the clock."""
    if is_ui(path):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"datetime", "date", "time"}
    ]
    assert not set(calls) & CLOCK_CALLS, calls


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    limit = 300 if path.parent.name == "channels" else 400
    assert lines <= limit, f"{path.name} has {lines} lines; split it by concept"


def test_reading_the_config_does_not_load_the_network_stack() -> None:
    """`validate` and `preview` import every configured channel module for its limits; the
    adapters' httpx and Pillow would add ~0.3 s to each of those commands."""
    code = (
        "import sys, socialpub.channels.base as b\n"
        "for name in b.CHANNEL_TYPES: b.spec(name)\n"
        "print(sorted(m for m in ('httpx', 'PIL', 'socialpub.http') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert done.stdout.strip() == "[]"
