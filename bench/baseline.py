"""Baseline for `socialpub validate`: read every post and parse its front matter, nothing else.

    python bench/baseline.py POSTS_DIR

Prints one line of JSON: the loader used (CSafeLoader, or SafeLoader when PyYAML has no C
extension), the number of files and the number of front matters parsed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


def front_matter(text: str) -> str | None:
    """The YAML between the first two `---` lines, or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:index])
    return None


def parse_all(folder: Path) -> tuple[int, int]:
    """(files read, front matters parsed) under `folder`."""
    files = parsed = 0
    for path in sorted(folder.rglob("*.md")):
        files += 1
        meta = front_matter(path.read_text(encoding="utf-8"))
        if meta is not None:
            data: Any = yaml.load(meta, Loader=Loader)
            parsed += isinstance(data, dict)
    return files, parsed


def main() -> None:
    files, parsed = parse_all(Path(sys.argv[1]))
    print(json.dumps({"loader": Loader.__name__, "files": files, "parsed": parsed}))


if __name__ == "__main__":
    main()
