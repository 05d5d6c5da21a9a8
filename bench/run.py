"""socialpub benchmarks, reported as ratios against baselines measured in the same run.

    python bench/run.py [--quick]

1. full `validate --no-cache` vs a bare YAML parse of the same front matters (goal ≤ 4×),
2. re-validation after touching one file, with a warm cache (goal < 0.3 s),
3. `socialpub --version` vs `python -c "import typer"` (goal ≤ 1.5×),
4. `publish` throughput against a rate-limited fake platform, as a share of the limits (≥ 0.8),
   and the same for Facebook, Instagram and Threads against the fake Graph server, for a
   LinkedIn page against the fake LinkedIn server and for X against the fake X server (≥ 0.8),
5. the website build vs Hugo (goal ≤ 1.0×) and its rebuild after one changed post (≤ 0.1×),
6. the WhatsApp service: a fan-out to 100,000 subscribers at rate 1000 (≥ 0.9× the rate, peak
   memory < 150 MB, 0 duplicates) and signed webhook events per second (≥ 1,000/s).

Benchmarks report, they never gate: the exit code is 0 whatever the numbers are.
The results are also written as JSON to bench/.corpus/results.json.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import importlib.util
import json
import platform
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import corpus
import linkedin_publish
import meta_publish
import publish
import timing
import website
import whatsapp
import x_publish
from report import Row, print_report

BENCH = Path(__file__).resolve().parent
RESULTS = corpus.DEFAULT_DIR / "results.json"
VALIDATE_GOAL = 4.0
TOUCH_GOAL = 0.3
STARTUP_GOAL = 1.5
TOUCH_WORD = " Update"
_SUMMARY = re.compile(r"(\d+) files? checked: (\d+) errors?, (\d+) warnings?")


@dataclass
class Results:
    """Everything measured, as written to results.json."""

    posts: int
    corpus: str
    quick: bool
    python: str = field(default_factory=platform.python_version)
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    loader: str = ""
    corpus_valid: bool = False
    files: int = 0
    sources_changed: bool = False
    errors: int = 0
    warnings: int = 0
    measurements: dict[str, dict[str, Any]] = field(default_factory=dict)


# --- corpus check --------------------------------------------------------------------------


def validate_command(data: corpus.Corpus, *, cache: bool, fmt: str = "") -> list[str]:
    """`socialpub validate [--no-cache] --config <corpus>/socialpub.yaml [--format FMT]`."""
    command = [*timing.socialpub_command(), "validate"]
    command += [] if cache else ["--no-cache"]
    command += ["--config", str(data.config)]
    return command + (["--format", fmt] if fmt else [])


def check_corpus(first: timing.Run, data: corpus.Corpus, results: Results) -> bool:
    """Judge the first full validate: timing an error path would be misleading."""
    if first.returncode not in (0, 3):
        print(f"✗ socialpub validate failed:\n{first.tail()}")
        return False
    summary = _SUMMARY.search(first.stderr)
    if summary:
        results.files, results.errors, results.warnings = map(int, summary.groups())
        print(f"  corpus check: {summary.group(0)}")
    results.corpus_valid = first.returncode == 0
    if first.returncode == 3:
        print("✗ the corpus is invalid — timings would measure an error path. First problems:")
        print_first_errors(data)
    return results.corpus_valid


def print_first_errors(data: corpus.Corpus, count: int = 10) -> None:
    done = timing.run(validate_command(data, cache=False, fmt="json"), data.root)
    try:
        problems: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    except ValueError:
        print(done.tail())
        return
    for p in [p for p in problems if p.get("severity") == "error"][:count]:
        print(f"  {p.get('file')}:{p.get('line')}: {p.get('code')} {p.get('message')}")


# --- a. full validate vs bare YAML parse ---------------------------------------------------


def bench_validate(first: timing.Run, data: corpus.Corpus, results: Results) -> Row:
    command = validate_command(data, cache=False)
    runs = [first, *timing.sample(command, 2, data.root, label="validate --no-cache, repeat")]
    base_cmd = [sys.executable, str(BENCH / "baseline.py"), str(data.posts_dir)]
    base = timing.sample(base_cmd, 3, data.root, label="baseline YAML parse")
    failed = timing.first_failure(runs) or timing.first_failure(base)
    if failed is not None:
        return Row.failed("full validate vs YAML parse", failed)
    results.loader = json.loads(base[-1].stdout)["loader"]
    ratio = timing.median(runs) / timing.median(base)
    results.measurements["validate"] = {
        "validate_seconds": timing.seconds(runs),
        "baseline_seconds": timing.seconds(base),
        "validate_median": timing.median(runs),
        "baseline_median": timing.median(base),
        "ratio": ratio,
        "goal_ratio": VALIDATE_GOAL,
        "ok": ratio <= VALIDATE_GOAL,
    }
    return Row(
        "full validate --no-cache vs YAML parse",
        f"{timing.median(runs):.2f} s",
        f"{timing.median(base):.2f} s ({results.loader})",
        f"{ratio:.1f}×",
        f"≤ {VALIDATE_GOAL:g}×",
        ratio <= VALIDATE_GOAL,
    )


# --- b. re-validation after touching one file ----------------------------------------------


def touch_targets(data: corpus.Corpus, count: int = 3) -> list[Path]:
    """Posts spread over the corpus, a different one for each timed run."""
    files = sorted(data.posts_dir.rglob("*.md"))
    return [files[len(files) * (k + 1) // (count + 1)] for k in range(count)]


def append_word(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + TOUCH_WORD + "\n", encoding="utf-8")


def sources_stamp() -> str:
    """socialpub's own files as the validate cache sees them: an edit invalidates the cache."""
    spec = importlib.util.find_spec("socialpub")
    if spec is None or not spec.submodule_search_locations:
        return ""
    package = Path(next(iter(spec.submodule_search_locations)))
    files = sorted([*package.glob("**/*.py"), *package.glob("defaults/*")])
    return hashlib.sha256(
        "\n".join(f"{f}:{f.stat().st_mtime_ns}:{f.stat().st_size}" for f in files).encode()
    ).hexdigest()


def revalidate_runs(data: corpus.Corpus) -> tuple[timing.Run, list[timing.Run], list[timing.Run]]:
    """(cache fill from cold, cached without change, after touching one file) runs."""
    command = validate_command(data, cache=True)
    shutil.rmtree(data.root / ".socialpub", ignore_errors=True)
    warm = timing.run(command, data.root, "validate, filling the cache")
    cached = timing.sample(command, 3, data.root, label="validate, cached")
    targets = touch_targets(data)
    originals = {path: path.read_bytes() for path in targets}
    try:
        touched = timing.sample(
            command, 3, data.root, before=lambda i: append_word(targets[i]), label="touched"
        )
    finally:
        for path, content in originals.items():
            path.write_bytes(content)
    return warm, cached, touched


def bench_revalidate(data: corpus.Corpus, results: Results) -> list[Row]:
    for _attempt in range(2):
        stamp = sources_stamp()
        warm, cached, touched = revalidate_runs(data)
        stable = stamp == sources_stamp()
        if stable:
            break
        print("  socialpub's sources changed during the cached runs (concurrent edits): again")
    targets = touch_targets(data)
    failed = timing.first_failure([warm, *cached, *touched])
    if failed is not None:
        return [Row.failed("re-validate after touching one file", failed)]
    touch = timing.median(touched)
    results.measurements["revalidate"] = {
        "cold_fill_seconds": round(warm.seconds, 4),
        "cached_seconds": timing.seconds(cached),
        "cached_median": timing.median(cached),
        "touched_seconds": timing.seconds(touched),
        "touched_median": touch,
        "touched_files": [str(p.relative_to(data.root)) for p in targets],
        "goal_seconds": TOUCH_GOAL,
        "ok": touch < TOUCH_GOAL,
        "sources_stable": stable,
    }
    note = "" if stable else "socialpub's sources changed meanwhile: the cache was invalidated"
    return [
        Row("validate, cache filled from cold", f"{warm.seconds:.2f} s", "", "", "", None),
        Row(
            "validate, cached, nothing changed", f"{timing.median(cached):.2f} s", "", "", "", None
        ),
        Row(
            "re-validate after touching one file",
            f"{touch:.2f} s",
            "",
            f"{touch:.2f} s",
            f"< {TOUCH_GOAL:g} s",
            touch < TOUCH_GOAL,
            note,
        ),
    ]


# --- c. start-up ---------------------------------------------------------------------------


def bench_startup(results: Results) -> Row:
    version = [*timing.socialpub_command(), "--version"]
    typer_only = [sys.executable, "-c", "import typer"]
    timing.run(version)  # warm-up: the OS file cache
    timing.run(typer_only)
    runs: list[timing.Run] = []
    base: list[timing.Run] = []
    for _ in range(15):  # taking turns: a machine that slows down meanwhile slows both
        runs.append(timing.run(version))
        base.append(timing.run(typer_only))
    failed = timing.first_failure(runs) or timing.first_failure(base)
    if failed is not None:
        return Row.failed("socialpub --version vs import typer", failed)
    ratio = timing.median(runs) / timing.median(base)
    results.measurements["startup"] = {
        "version_seconds": timing.seconds(runs),
        "import_typer_seconds": timing.seconds(base),
        "version_median": timing.median(runs),
        "import_typer_median": timing.median(base),
        "ratio": ratio,
        "goal_ratio": STARTUP_GOAL,
        "ok": ratio <= STARTUP_GOAL,
    }
    return Row(
        "socialpub --version vs import typer",
        f"{timing.median(runs) * 1000:.0f} ms",
        f"{timing.median(base) * 1000:.0f} ms",
        f"{ratio:.2f}×",
        f"≤ {STARTUP_GOAL:g}×",
        ratio <= STARTUP_GOAL,
    )


# --- main ----------------------------------------------------------------------------------


def compile_bytecode() -> None:
    """Measure socialpub as installed: pip compiles a package's bytecode, an editable
    checkout only gets it on import, and not at all where PYTHONDONTWRITEBYTECODE is set."""
    spec = importlib.util.find_spec("socialpub")
    if spec and spec.submodule_search_locations:
        package = Path(next(iter(spec.submodule_search_locations)))
        compileall.compile_dir(package, quiet=1)


def prepare(quick: bool) -> tuple[corpus.Corpus, Results]:
    root = corpus.DEFAULT_DIR / "quick" if quick else corpus.DEFAULT_DIR
    started = time.perf_counter()
    data, generated = corpus.ensure_corpus(root, 1_000 if quick else corpus.DEFAULT_POSTS)
    state = f"generated in {time.perf_counter() - started:.1f} s" if generated else "reused"
    print(f"corpus: {data.posts:,} posts in {data.root} ({state})")
    return data, Results(posts=data.posts, corpus=str(data.root), quick=quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="socialpub benchmarks (ratios, never gating)")
    parser.add_argument("--quick", action="store_true", help="a 1,000-post smoke run")
    args = parser.parse_args(argv)
    data, results = prepare(args.quick)
    compile_bytecode()
    stamp = sources_stamp()
    rows: list[Row] = []
    first = timing.run(validate_command(data, cache=False), data.root, "validate --no-cache 1/3")
    if check_corpus(first, data, results):
        rows.append(bench_validate(first, data, results))
        rows.extend(bench_revalidate(data, results))
    else:
        why = "the corpus does not validate cleanly (see above)"
        rows.append(Row.skipped("full validate vs YAML parse", why))
        rows.append(Row.skipped("re-validate after touching one file", why))
    rows.append(bench_startup(results))
    rows.append(publish.bench_publish(args.quick, results.measurements))
    rows.append(meta_publish.bench_meta_publish(args.quick, results.measurements))
    rows.append(linkedin_publish.bench_linkedin_publish(args.quick, results.measurements))
    rows.append(x_publish.bench_x_publish(args.quick, results.measurements))
    rows.extend(website.bench_site(data, results.measurements))
    rows.extend(whatsapp.bench_whatsapp(args.quick, results.measurements))
    results.sources_changed = stamp != sources_stamp()
    print_report(rows, f"{data.posts:,} posts, Python {results.python}")
    if results.sources_changed:
        print("note: socialpub's sources changed during this run (concurrent edits)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
