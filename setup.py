"""Compiles the gettext catalogues (socialpub/locale/*/LC_MESSAGES/*.po → .mo) while the
package is built, for a wheel, an sdist install and `pip install -e .` alike: the compiled
catalogues are build output, never committed. Everything else lives in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).parent / "socialpub" / "locale"


def compile_catalogues() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        compile_catalogues()  # beside the .po: an editable install reads it from there
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
