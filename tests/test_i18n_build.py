"""The compiled German catalogue is build output: a wheel built from a tree without a .mo has
one (setup.py's build step compiles it), and the repository never holds one."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
MO = "socialpub/locale/de/LC_MESSAGES/socialpub.mo"


def test_a_built_wheel_holds_the_compiled_catalogue(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(
        PROJECT / "socialpub",
        source / "socialpub",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo"),
    )
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(PROJECT / name, source / name)
    # no build isolation: the test extra holds setuptools and Babel, and tests use no index
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*command, "--quiet", "--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [wheel] = (tmp_path / "dist").glob("socialpub-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        catalogue = gettext.GNUTranslations(io.BytesIO(archive.read(MO)))
    assert catalogue.gettext("interrupted") == "unterbrochen"


def test_the_compiled_catalogue_is_not_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "socialpub/locale"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == ["socialpub/locale/de/LC_MESSAGES/socialpub.po"]
