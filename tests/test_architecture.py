"""Conventions of the codebase that are easy to break by accident.

The packages follow the data: specs ← content ← render ← checks ← publishing, with `net`,
`channels`, `site` and `sources` beside them. Each may import only what comes before it;
the import graph has no cycles; only `cli` talks to the terminal.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "socialpub"
SOURCES = sorted(PACKAGE.rglob("*.py"))

_BASE = frozenset({"models", "errors", "i18n"})
_CORE = _BASE | {"specs", "net", "content", "render"}
#: every stage, and the stages it may import (the package root, `socialpub`, is always allowed)
LAYERS: dict[str, frozenset[str]] = {
    "models": frozenset(),
    "i18n": frozenset(),  # the language of messages: every stage makes them
    "errors": frozenset({"models", "i18n"}),
    "specs": _BASE,
    "net": _BASE,
    "content": _BASE | {"specs"},
    "render": _BASE | {"specs", "content"},
    "channels": _CORE,
    "checks": _BASE | {"specs", "content", "render", "channels"},  # adapters' check()
    "site": _CORE,
    "sources": _CORE | {"site"},
    "workflow": _CORE | {"checks"},
    "whatsapp": _BASE | {"specs", "net", "content"},  # the subscriber service
    "publishing": _CORE | {"checks", "channels", "site", "sources", "workflow"},
    # doctor asks the channels' probes and reads the ledger's place and git state
    "doctor": _CORE | {"checks", "channels", "site", "sources", "workflow", "publishing"},
    "cli": _CORE
    | {"checks", "channels", "site", "sources", "workflow", "publishing", "whatsapp", "doctor"},
    "__main__": frozenset({"cli"}),
}
UI_LIBRARIES = {"typer", "rich", "click"}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in SOURCES}


def stage(module: str) -> str:
    """`socialpub.render.counting.x` → `render`; the package root → ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(tree: ast.AST, module: str) -> Iterator[str]:
    """Every module of socialpub or outside it that `module` imports, anywhere in its code
    (also inside functions and `if TYPE_CHECKING:`). `from a import b` names `a.b` when
    that is a module of ours."""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module → the socialpub modules it imports."""
    found = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[name] = frozenset(m for m in imports(tree, name) if m in MODULES and m != name)
    return found


def external(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {m.split(".")[0] for m in imports(tree, module_name(path))}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_stage_imports_only_the_stages_before_it(module: str) -> None:
    own = stage(module)
    if not own:
        return  # the package root holds only the version
    assert own in LAYERS, f"{module}: a new stage needs its line in LAYERS (and in README)"
    wrong = sorted(
        target
        for target in graph()[module]
        if stage(target) not in {own, ""} and stage(target) not in LAYERS[own]
    )
    assert not wrong, f"{module} ({own}) may not import {wrong}: see LAYERS"


def test_the_imports_have_no_cycles() -> None:
    """Tarjan's strongly connected components: every one must be a single module."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, f"modules that import each other: {cycles}"


def test_channels_never_import_the_engine_or_the_ledger() -> None:
    offending = {
        module: sorted(t for t in graph()[module] if stage(t) == "publishing")
        for module in MODULES
        if stage(module) == "channels"
    }
    assert not any(offending.values()), offending


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_imports_typer_and_rich(path: Path) -> None:
    if stage(module_name(path)) == "cli":
        return
    assert not external(path) & UI_LIBRARIES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_reads_the_clock(path: Path) -> None:
    """Time is passed in (tests freeze it); only the command line asks the clock."""
    if stage(module_name(path)) == "cli":
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


def test_every_stage_is_a_package_with_a_docstring() -> None:
    """A newcomer reads the pipeline off the folder tree: each stage says what it holds."""
    for name in LAYERS:
        path = PACKAGE / name / "__init__.py"
        if not path.is_file():
            path = PACKAGE / f"{name}.py"
        if name == "__main__":
            continue
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path


def test_checking_posts_does_not_load_the_network_stack() -> None:
    """`validate` and `preview` read every channel's limits; the adapters' httpx and Pillow
    would add ~0.3 s to each of those commands."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from socialpub.checks import preview, validate\n"
        "from socialpub.content.config import load_config\n"
        "load_config(Path('config.example.yaml'))\n"
        "print(sorted(m for m in sys.modules if m in ('httpx', 'PIL') or "
        "m.startswith(('socialpub.net', 'socialpub.channels', 'socialpub.publishing'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT
    )
    assert done.stdout.strip() == "[]"
