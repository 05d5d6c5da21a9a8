from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import typer.main
from typer.testing import CliRunner

from socialpub import __version__
from socialpub.cli import Platform, app
from socialpub.content.codes import CODES
from socialpub.render.counting import PLATFORMS
from tests.conftest import PROJECT, Repo

runner = CliRunner()


def invoke(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert (code, out) == (0, f"socialpub {__version__}\n")


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "socialpub", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and __version__ in done.stdout


# --- validate ----------------------------------------------------------------------------


def bad_repo(repo: Repo) -> None:
    repo.post("a.md", "---\nid: a\ntitle: T\nchanels: [x]\n---\nText\n")
    repo.post("b.md", "---\nid: b\ntitle: T\nstatus: approved\n---\nText\n")


def test_validate_text_format_and_exit_code(repo: Repo) -> None:
    bad_repo(repo)
    code, out, err = invoke("validate", "--config", str(repo.config))
    assert code == 3
    assert "posts/a.md:4: error SP102 unknown key 'chanels' (did you mean 'channels'?)" in out
    assert "posts/b.md:4: warning SP401" in out
    assert "2 files checked: 1 error, 1 warning" in err


def test_validate_json(repo: Repo) -> None:
    bad_repo(repo)
    code, out, _ = invoke("validate", "--config", str(repo.config), "--format", "json")
    data = json.loads(out)
    assert code == 3
    assert {"file", "line", "field", "code", "severity", "message"} <= set(data[0])
    assert data[0]["file"] == "posts/a.md" and data[0]["line"] == 4


def test_validate_github_annotations(repo: Repo) -> None:
    bad_repo(repo)
    _, out, _ = invoke("validate", "--config", str(repo.config), "--format", "github")
    assert out.splitlines()[0].startswith("::error file=posts/a.md,line=4,title=SP102::unknown key")
    assert out.splitlines()[1].startswith("::warning file=posts/b.md,line=4,title=SP401::")


def test_warnings_pass_unless_strict(repo: Repo) -> None:
    repo.post("b.md", "---\nid: b\ntitle: T\nstatus: approved\n---\nText\n")
    assert invoke("validate", "--config", str(repo.config))[0] == 0
    assert invoke("validate", "--config", str(repo.config), "--strict")[0] == 3


def test_usage_errors_exit_2(repo: Repo) -> None:
    assert invoke("validate", "--format", "xml")[0] == 2
    assert invoke("count", "--platform", "myspace", "x")[0] == 2
    assert invoke("count")[0] == 2
    assert invoke("frobnicate")[0] == 2


def test_config_errors_exit_3_without_traceback(repo: Repo) -> None:
    repo.config.write_text(
        "channels:\n  m: {type: mastodon, instance: https://a.example, token: abc123secret}\n"
    )
    code, out, err = invoke("validate", "--config", str(repo.config))
    assert code == 3
    assert "SP504" in out and "abc123secret" not in out + err
    assert "Traceback" not in out + err


def test_missing_config_is_a_clear_message(tmp_path: Path) -> None:
    code, _, err = invoke("validate", "--config", str(tmp_path / "nope.yaml"))
    assert code == 3 and "not found" in err


# --- count -------------------------------------------------------------------------------


def test_count_json_is_exact() -> None:
    code, out, _ = invoke(
        "count",
        "--platform",
        "mastodon",
        "--json",
        "Hallo Welt https://example.org/a/very/long/path/indeed",
    )
    assert code == 0
    assert json.loads(out) == {
        "platform": "mastodon",
        "length": 34,
        "limit": 500,
        "ok": True,
        "unit": "characters",
    }
    assert list(json.loads(out)) == ["platform", "length", "limit", "ok", "unit"]


def test_count_bluesky_needs_bytes_too() -> None:
    _, out, _ = invoke("count", "-p", "bluesky", "--json", "👨‍👩‍👧" * 200)
    data = json.loads(out)
    assert data["length"] == 200 and data["ok"] is False


def test_count_x_reports_twitter_validity() -> None:
    _, out, _ = invoke("count", "-p", "x", "--json", "")
    assert json.loads(out)["ok"] is False


def test_count_stdin_drops_one_final_newline_only() -> None:
    _, out, _ = invoke("count", "-p", "telegram", "--json", "-", input="ab\n\n")
    assert json.loads(out)["length"] == 3
    _, out, _ = invoke("count", "-p", "telegram", "--json", "-", input="ab\n")
    assert json.loads(out)["length"] == 2
    _, out, _ = invoke("count", "-p", "telegram", "--json", "-", input=" ab ")
    assert json.loads(out)["length"] == 4


def test_count_text_output() -> None:
    code, out, _ = invoke("count", "-p", "bluesky", "Grüße 👋")
    assert code == 0 and out.strip() == "bluesky: 7/300 graphemes, 12/3000 bytes — ok"


def test_count_platforms_match_the_counter() -> None:
    assert tuple(p.value for p in Platform) == PLATFORMS


# --- preview -----------------------------------------------------------------------------


def example_args() -> list[str]:
    return ["--config", str(PROJECT / "config.example.yaml")]


def test_preview_json_of_one_post_one_channel() -> None:
    code, out, _ = invoke(
        "preview", "sturmwarnung-2026-11-28", "--channel", "bluesky", "--json", *example_args()
    )
    assert code == 0
    (variant,) = json.loads(out)
    assert variant["channel"] == "bluesky" and len(variant["parts"]) > 1
    assert all(part["length"] <= 300 for part in variant["parts"])


def test_preview_terminal_panels(repo: Repo) -> None:
    code, out, _ = invoke("preview", "ausbildung-2027", *example_args())
    assert code == 0
    assert "mastodon (mastodon)" in out and "Ausbildung beim Landkreis" in out
    assert "alt: Blaues Plakat" in out


def test_preview_unknown_post_and_channel(repo: Repo) -> None:
    code, _, err = invoke("preview", "kreistag-2026-12-04", *example_args())
    assert code == 3 and "kreistag-2026-12-03" in err
    code, _, err = invoke("preview", "--channel", "mastodn", *example_args())
    assert code == 3 and "did you mean 'mastodon'" in err


EXAMPLE_POSTS = sorted(path.stem for path in (PROJECT / "tests/golden/examples").glob("*.json"))
TAG = re.compile(r"</?[a-z][a-z0-9-]*[\s/>]")


def preview_wide(*args: str) -> tuple[int, str]:
    """`preview` on a wide console, so that no line of a panel is wrapped."""
    result = runner.invoke(app, ["preview", *args, *example_args()], env={"COLUMNS": "250"})
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("post_id", EXAMPLE_POSTS)
def test_preview_shows_html_variants_as_readers_see_them(post_id: str) -> None:
    code, out = preview_wide(post_id, "--channel", "telegram", "--channel", "website")
    assert code == 0
    assert "website (website)" in out
    assert not TAG.search(out), TAG.search(out)
    assert "&amp;" not in out and "&#" not in out


def test_preview_keeps_bold_text_and_shows_link_targets() -> None:
    code, out = preview_wide("kreistag-2026-12-03", "-c", "telegram", "-c", "website")
    assert code == 0
    assert out.count("Der Kreistag kommt am Donnerstag") == 2  # <b> and <strong>, text kept
    target = "(https://www.landkreis-musterstadt.de/kreistag/sitzung-2026-12-03)"
    assert f"👉 Mehr Informationen {target}" in out
    title = "Kreistag tagt am 3. Dezember – Haushalt 2027 auf der Tagesordnung"
    assert f"Weitere Informationen: {title} {target}" in out
    assert "#Kreistag #Haushalt #Musterstadt" in out  # the site shows its tags in a row


def test_preview_of_the_website_shows_the_page_and_its_public_url() -> None:
    code, out = preview_wide("ausbildung-2027", "--channel", "website")
    assert code == 0
    assert "page: posts/ausbildung-2027/" in out
    assert "URL:  https://www.landkreis-musterstadt.de/aktuelles/posts/ausbildung-2027/" in out
    assert "537 characters" in out  # the count is the visible text's, as before
    assert "• Straßenwärter*in" in out


def test_preview_website_without_base_url_says_so(repo: Repo) -> None:
    repo.post("a.md", "---\nid: a\ntitle: T\nchannels: [website]\n---\n**Text**\n")
    code, out, _ = invoke("preview", "a", "--config", str(repo.config))
    assert code == 0
    assert "page: posts/a/" in out and "URL:  none (the channel has no base_url)" in out
    assert "│ Text" in out and "<strong>" not in out


def test_preview_raw_shows_the_markup() -> None:
    code, out = preview_wide("kreistag-2026-12-03", "--raw", "-c", "telegram", "-c", "website")
    assert code == 0
    assert "Der <b>Kreistag</b> kommt" in out and "Der <strong>Kreistag</strong> kommt" in out
    assert '<a href="https://www.landkreis-musterstadt.de/kreistag/sitzung-2026-12-03">' in out


def test_preview_leaves_plain_text_channels_as_they_are() -> None:
    code, out = preview_wide("kreistag-2026-12-03", "--channel", "mastodon")
    _, raw = preview_wide("kreistag-2026-12-03", "--channel", "mastodon", "--raw")
    assert code == 0 and out == raw
    golden = PROJECT / "tests/golden/examples/kreistag-2026-12-03.json"
    (mastodon,) = [v for v in json.loads(golden.read_text()) if v["channel"] == "mastodon"]
    lines = [line for part in mastodon["parts"] for line in part["text"].splitlines() if line]
    assert all(f"│ {line} " in out for line in lines)


@pytest.mark.parametrize("raw", [[], ["--raw"]])
def test_preview_json_keeps_the_markup(raw: list[str]) -> None:
    """--json prints the variants unchanged: the golden files of the example posts."""
    code, out = preview_wide("kreistag-2026-12-03", "--json", *raw)
    golden = PROJECT / "tests/golden/examples/kreistag-2026-12-03.json"
    assert code == 0
    assert json.loads(out) == json.loads(golden.read_text(encoding="utf-8"))
    assert "Der <strong>Kreistag</strong> kommt" in out


# --- new, init, channels -------------------------------------------------------------------


def test_init_then_new_then_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init", "kreis")
    assert code == 0 and "created" in out  # init itself follows SOCIALPUB_LANG (en here)
    assert invoke("init", "kreis")[1].count("kept existing") == 4
    monkeypatch.chdir(tmp_path / "kreis")
    code, out, _ = invoke(
        "new",
        "Kreistag tagt: Haushalt 2027 – Öffentliche Sitzung",
        "--channels",
        "mastodon,website",
    )
    assert code == 0
    path = Path(out.split(" angelegt", 1)[0].strip())  # the new repo speaks German (ui_lang)
    text = path.read_text()
    assert "id: kreistag-tagt-haushalt-2027-oeffentliche-sitzung" in text
    assert "status: draft" in text and "channels: [mastodon, website]" in text
    code, out, _ = invoke("new", "Kreistag tagt: Haushalt 2027 – Öffentliche Sitzung")
    assert "sitzung-2" in out
    assert invoke("validate")[0] == 0
    assert invoke("new", "X", "--channels", "telegramm")[0] == 3


def git_top(folder: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_init_makes_the_folder_a_git_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init", "kreis")
    assert code == 0 and "initialised a git repository in kreis" in out
    assert git_top(tmp_path / "kreis") == str((tmp_path / "kreis").resolve())
    code, out, _ = invoke("init", "kreis")  # again: the repository is kept
    assert code == 0 and "kreis is already in a git repository: no new one was made" in out
    code, out, _ = invoke("init", "landkreis", "--json")
    assert code == 0 and json.loads(out)["git"] == "initialised"
    assert (tmp_path / "landkreis" / ".git").is_dir()


def test_init_inside_a_git_repository_makes_no_nested_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init", "social", "--json")
    assert code == 0 and json.loads(out)["git"] == "existing"
    assert (tmp_path / "social" / "socialpub.yaml").is_file()
    assert not (tmp_path / "social" / ".git").exists()
    assert git_top(tmp_path / "social") == str(tmp_path.resolve())


def test_init_without_git_writes_the_files_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_git = tmp_path / "bin"
    no_git.mkdir()
    monkeypatch.setenv("PATH", str(no_git))
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("init", "kreis")
    assert code == 0
    assert "created kreis/socialpub.yaml" in out and "initialised" not in out
    assert "warning: git is not installed: publishing needs it" in err
    assert not (tmp_path / "kreis" / ".git").exists()
    code, out, _ = invoke("init", "kreis", "--json")
    assert code == 0 and json.loads(out)["git"] == "unavailable"


def test_channels_lists_types_limits_and_secret_state(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASTODON_TOKEN", "s3cr3t-token-value")
    code, out, _ = invoke("channels", "--config", str(repo.config), "--json")
    data = {c["name"]: c for c in json.loads(out)}
    assert code == 0
    assert data["mastodon"]["limit"] == 500 and "edit" in data["mastodon"]["capabilities"]
    assert data["mastodon"]["secrets"] == "token: set (${MASTODON_TOKEN})"
    assert "missing" in data["bluesky"]["secrets"]
    code, out, _ = invoke("channels", "--config", str(repo.config))
    assert code == 0 and "s3cr3t" not in out and "telegram" in out


# --- README stays in sync ------------------------------------------------------------------


def all_commands() -> dict[str, Any]:
    group = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(group, "commands", {})
    assert commands, "the app has no sub-commands"
    return dict(commands)


def test_readme_documents_every_command_and_option() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    missing = []
    for name, command in all_commands().items():
        if f"socialpub {name}" not in readme:
            missing.append(f"command {name}")
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-") and not re.search(rf"`[^`]*{re.escape(opt)}\b", readme):
                    missing.append(f"{name} {opt}")
    assert not missing, f"README does not document: {missing}"


def test_readme_documents_every_validation_code() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in readme] == []


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Quick start")
    block = re.search(r"```\w*\n(.*?)```", readme[start:], re.S)
    assert block is not None and block.group(1).split() == ["make", "demo", "make", "test"]


def test_no_colour_codes_when_piped_or_no_color(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_repo(repo)
    monkeypatch.setenv("NO_COLOR", "1")
    for args in (["validate"], ["channels"], ["preview", "a"]):
        _, out, err = invoke(*args, "--config", str(repo.config))
        assert "\x1b[" not in out + err


def test_new_and_init_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("init", "--json")
    assert code == 0 and len(json.loads(out)["created"]) == 4
    code, out, _ = invoke("new", "Impftermine im Januar", "--json")
    data = json.loads(out)
    assert data["id"] == "impftermine-im-januar" and Path(data["path"]).is_file()


def test_file_system_errors_are_messages_not_tracebacks(repo: Repo) -> None:
    blocker = repo.root / "posts-file"
    blocker.write_text("not a folder")
    repo.write_config(repo.config.read_text() + "posts_dir: posts-file\n")
    code, out, err = invoke("new", "Kreistag", "--config", str(repo.config))
    assert code == 3
    assert "posts-file" in err and "Traceback" not in out + err


def test_unexpected_errors_are_reported_as_bugs(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socialpub.checks.validate

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(socialpub.checks.validate, "validate", broken)
    code, _, err = invoke("validate", "--config", str(repo.config))
    assert code == 1
    assert "internal error (RuntimeError)" in err and "SOCIALPUB_DEBUG=1" in err
    assert "Traceback" not in err


def test_new_post_keeps_any_title_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    invoke("init")
    title = 'Sitzung: "Haushalt" \\ Teil #2 – {{ nicht }} ausgewertet'
    code, out, _ = invoke("new", title, "--json")
    assert code == 0
    post_id = json.loads(out)["id"]
    code, out, _ = invoke("preview", post_id, "--json", "--channel", "website")
    assert code == 0
    assert "Sitzung: &#34;Haushalt&#34; \\ Teil #2" in json.loads(out)[0]["parts"][0]["text"]
    from socialpub.content.posts import load_post

    path = next((tmp_path / "posts").rglob("sitzung-*.md"))
    post = load_post(
        path, path.read_bytes(), timezone=ZoneInfo("Europe/Berlin"), default_lang="de"
    ).post
    assert post is not None and post.title == title


def test_count_stdin_must_be_utf8() -> None:
    code, _, err = invoke("count", "-p", "telegram", "-", input=b"Stra\xdfe\n")
    assert code == 3 and "not UTF-8 (invalid byte at offset 4)" in err
