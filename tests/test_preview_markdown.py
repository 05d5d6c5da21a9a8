"""`preview --format markdown`: the pull-request comment. Its exact text is pinned as a golden
file (tests/golden/preview/, refreshed with `pytest --update-golden`); the rest is checked by
parsing the comment with a CommonMark parser, as GitHub and GitLab read it."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from PIL import Image
from typer.testing import CliRunner

from socialpub.checks.approvalstate import ApprovalKind, ApprovalState
from socialpub.checks.prcomment import MARKER, MAX_CHARS, comment, size
from socialpub.checks.preview import PreviewResult, build_preview, front_matter_approval
from socialpub.cli import app
from socialpub.content.config import load_config
from socialpub.models import Part, Problem, Severity, Variant
from tests.conftest import Repo
from tests.workflowrepo import EVA, TOM, WorkflowRepo

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
SECRET = "Geheimfusion"
ENV = {"MASTODON_TOKEN": "t", "BLUESKY_APP_PASSWORD": "t", "TELEGRAM_TOKEN": "t"}
TICKS = "Code: ``` schließt nicht, ```` auch nicht, `x` schon gar nicht. Frage an @anna und #12"
LONG = " ".join(f"Satz {n} über die Sperrung der Kreisstraße zwischen A und B." for n in range(12))


def png(repo: Repo, name: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, format="PNG")
    repo.file(name, buffer.getvalue())


def write_posts(repo: Repo) -> None:
    """A post with backticks, a thread, images with and without alt text, an embargoed post
    and one too long for Bluesky."""
    repo.post(
        "a-ticks.md",
        f"---\nid: ticks\ntitle: Code *fett* <b>\nstatus: approved\nchannels: [mastodon]\n"
        f"---\n{TICKS}\n",
    )
    repo.post(
        "b-thread.md",
        f"---\nid: thread\ntitle: Sperrung\nstatus: review\nthread: true\n"
        f"channels: [mastodon]\n---\n{LONG}\n",
    )
    png(repo, "media/karte.png")
    png(repo, "media/plan.png")
    repo.post(
        "c-images.md",
        "---\nid: images\ntitle: Karte\nstatus: approved\napproved_by: Eva\n"
        "channels: [mastodon]\nmedia:\n  - file: media/karte.png\n    alt: Karte mit `Umleitung`\n"
        "    credit: Kreis\n  - file: media/plan.png\n---\nDie Umleitung.\n",
    )
    repo.post(
        "d-embargo.md",
        f"---\nid: fusion\ntitle: {SECRET}\nstatus: approved\nembargo: true\n"
        f"publish_at: 2099-01-01T10:00\nchannels: [mastodon]\n---\nDie {SECRET} kommt.\n",
    )
    repo.post(
        "e-long.md",
        f"---\nid: long\ntitle: Zu lang\nstatus: draft\nchannels: [bluesky]\n---\n{LONG}\n",
    )


def preview_of(repo: Repo) -> PreviewResult:
    config = load_config(repo.config)
    return build_preview(config, [], [], now=NOW, approval=front_matter_approval)


def parse(text: str) -> list[Token]:
    """Every token of the comment, inline children included."""
    tokens = MarkdownIt("commonmark").parse(text)
    return [*tokens, *(child for t in tokens for child in t.children or ())]


def test_the_comment_is_pinned(repo: Repo, golden_text: Callable[[str, str], None]) -> None:
    write_posts(repo)
    golden_text("preview/comment.md", comment(preview_of(repo), root=repo.root))


def test_each_text_is_one_fenced_block_that_holds_it_exactly(repo: Repo) -> None:
    write_posts(repo)
    result = preview_of(repo)
    text = comment(result)
    fences = [t.content.removesuffix("\n") for t in parse(text) if t.type == "fence"]
    parts = [p.text for v in result.variants if v.post_id not in result.sealed for p in v.parts]
    assert fences == parts
    assert any("``` schließt nicht, ```` auch nicht" in f for f in fences)
    assert len(parts) == 5  # the thread's two parts each in its own block


def test_nothing_outside_the_texts_mentions_or_links(repo: Repo) -> None:
    repo.post(
        "x.md",
        "---\nid: x\ntitle: Frage an @anna zu #12 <script>\nstatus: approved\n"
        "channels: [mastodon]\n---\nText\n",
    )
    text = comment(preview_of(repo))
    inline = [t.content for t in parse(text) if t.type in ("text", "html_inline", "html_block")]
    shown = " ".join(inline)
    assert "@anna" not in shown and "#12" not in shown and "<script>" not in shown
    assert "@\u2060anna" in shown and "#\u20601\u2060" not in shown  # one joiner after #
    assert "<script>" not in text


def test_an_embargoed_post_shows_only_its_id(repo: Repo) -> None:
    write_posts(repo)
    repo.post(  # its file name and its problem (an unknown key) would tell it too
        f"{SECRET}.md",
        f"---\nid: fusion2\ntitle: {SECRET}\nembargo: true\npublish_at: 2099-01-01T10:00\n"
        f"channels: [mastodon]\n{SECRET}: 1\n---\nDie {SECRET} kommt.\n",
    )
    text = comment(preview_of(repo), root=repo.root)
    assert "\\[fusion2\\]" in text
    assert "**SP102**: " in text and "(post fusion2, embargoed until 2099-01-01 10:00: " in text
    assert SECRET not in text and SECRET.lower() not in text
    assert "### \\[fusion\\] · embargoed until 2099-01-01 10:00" in text
    assert "🔒 embargoed until 2099-01-01 10:00: nothing of it is shown" in text


def test_thread_parts_are_numbered_and_counted(repo: Repo) -> None:
    write_posts(repo)
    result = preview_of(repo)
    thread = next(v for v in result.variants if v.post_id == "thread")
    text = comment(result)
    total = len(thread.parts)
    assert total > 1
    for number, part in enumerate(thread.parts, start=1):
        assert f"Part {number}/{total} · {part.length}/500 characters" in text


def test_images_show_their_alt_text_or_its_absence(repo: Repo) -> None:
    write_posts(repo)
    text = comment(preview_of(repo))
    assert "- 🖼 `media/karte.png` — alt: `` Karte mit `Umleitung` `` · © `Kreis`" in text
    assert "- 🖼 `media/plan.png` — ❌ **no alt text**" in text


def test_errors_and_their_count_against_the_limit(repo: Repo) -> None:
    write_posts(repo)
    result = preview_of(repo)
    long = next(v for v in result.variants if v.post_id == "long")
    text = comment(result, root=repo.root)
    assert f"{long.parts[0].length}/300 graphemes — ❌ {long.parts[0].length - 300} over" in text
    assert "**SP301**" in text
    assert text.startswith(MARKER + "\n")
    assert "❌ 5 posts, 5 channel variants: 1 error, 0 warnings" in text
    assert "❌ error **SP301** (`posts/e-long.md:7`): bluesky: text is 709 graphemes" in text


def test_approval_states_without_a_workflow(repo: Repo) -> None:
    write_posts(repo)
    text = comment(preview_of(repo))
    assert "Approval: ➖ not needed: no workflow: \\`status: approved\\`, by Eva" in text
    assert "Approval: ⏳ waiting: status review: \\`status: approved\\` releases it" in text


def test_approval_states_in_workflow_mode(tmp_path: Path) -> None:
    repo = WorkflowRepo(tmp_path / "repo")
    repo.post("strassenbau", "b27", "channels: [mastodon, telegram]\n")
    repo.post("strassenbau", "b28", "channels: [mastodon]\n")
    repo.commit(TOM, "two posts")
    code, _, err = repo.socialpub(EVA, "approve", "b27", "--channel", "mastodon")
    assert code == 0, err
    code, out, err = repo.socialpub(EVA, "preview", "--format", "markdown")
    assert code == 0, err
    assert "Approval: ✅ approved: by Eva Keller &lt;eva.keller@\u2060kreis.example&gt;" in out
    assert "Approval: ⏳ waiting: no approval yet: an approver of the Pressestelle runs" in out
    assert "Approval: ⏳ waiting: no approval yet: an approver of Straßenbau runs" in out


def _variant(post: str, text: str, problems: tuple[Problem, ...] = ()) -> Variant:
    parts = (Part(text, len(text)),)
    return Variant(post, "website", "website", parts, 0, "characters", problems=problems)


def test_a_long_comment_folds_per_post_and_opens_those_with_errors() -> None:
    error = Problem("posts/a.md", 3, "media", "SP204", Severity.ERROR, "no alt", "add alt")
    variants = (_variant("a", "x" * 3000, (error,)), _variant("b", "y" * 3000))
    result = PreviewResult(variants, {"a": "A [a]", "b": "B [b]"})
    text = comment(result)
    assert "<details open>\n<summary>❌ A [a]</summary>" in text
    assert "<details>\n<summary>B [b]</summary>" in text
    short = comment(PreviewResult((_variant("a", "kurz"),), {"a": "A [a]"}))
    assert "<details" not in short and "### A \\[a\\]" in short


def test_the_comment_stays_under_githubs_limit() -> None:
    """60 posts of 5,000 characters: what fits is shown, the rest left out with a note; one
    post too long on its own is shown without its text."""
    huge = _variant("huge", "€" * 70_000)
    many = tuple(_variant(f"p{n:02}", "ü🙂" * 2500) for n in range(60))
    titles = {"huge": "Huge [huge]"} | {v.post_id: f"Post [{v.post_id}]" for v in many}
    text = comment(PreviewResult((huge, *many), titles))
    assert size(text) <= MAX_CHARS
    shown = [t for t in titles if f"[{t}]</summary>" in text]
    assert shown[0] == "huge" and 0 < len(shown) < len(titles)
    left = len(titles) - len(shown)
    assert f"**{left} posts left out** to stay under GitHub's 65,536 characters" in text
    assert "posts shown without the text, to stay under GitHub's 65,536" in text
    assert "€" * 100 not in text
    assert "_The text is left out here" in text


def test_the_cli_prints_the_whole_comment_then_exits_3(repo: Repo) -> None:
    write_posts(repo)
    result = CliRunner().invoke(
        app, ["preview", "--format", "markdown", "--config", str(repo.config)], env=ENV
    )
    assert result.exit_code == 3
    assert result.stdout.startswith(MARKER) and result.stdout.endswith("\n")
    assert "**SP301**" in result.stdout
    assert "5 files checked" in result.stderr


def test_json_and_format_markdown_together_are_a_usage_error(repo: Repo) -> None:
    args = ["preview", "--json", "--format", "markdown", "--config", str(repo.config)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 2
    assert "--json is --format json" in result.output


def git(repo: Repo, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@kreis.example"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@kreis.example"}
    subprocess.run(["git", *args], cwd=repo.root, env=env, check=True, capture_output=True)


@pytest.mark.parametrize(
    ("edit", "named", "shown"),
    [(True, [], ["b"]), (False, [], []), (True, ["a", "b"], ["b"]), (True, ["a"], [])],
)
def test_changed_since_shows_only_the_posts_a_change_touches(
    repo: Repo, edit: bool, named: list[str], shown: list[str]
) -> None:
    """Of all posts, or of the posts named."""
    for name in ("a", "b"):
        repo.post(f"{name}.md", f"---\nid: {name}\ntitle: T{name}\n---\nText {name}\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "posts")
    if edit:
        repo.post("b.md", "---\nid: b\ntitle: Tb\n---\nNeuer Text\n")
    args = ["preview", *named, "--format", "markdown", "--changed-since", "main"]
    result = CliRunner().invoke(app, [*args, "--config", str(repo.config)], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert [p for p in ("a", "b") if f"\\[{p}\\]" in result.stdout] == shown
    if not shown:
        assert "No post to preview: this change touches no post file." in result.stdout


def test_an_approval_state_is_data_the_comment_shows() -> None:
    state = ApprovalState(ApprovalKind.APPROVED, "by Anna 2026-12-01 10:00")
    approvals = {("a", "website"): state}
    result = PreviewResult((_variant("a", "Text"),), {"a": "A [a]"}, approvals=approvals)
    assert "Approval: ✅ approved: by Anna 2026-12-01 10:00" in comment(result)


def test_changed_since_shows_the_posts_whose_image_changed(repo: Repo) -> None:
    png(repo, "media/karte.png")
    repo.post("a.md", "---\nid: a\ntitle: Ta\nmedia: [media/karte.png]\n---\nText a\n")
    repo.post("b.md", "---\nid: b\ntitle: Tb\n---\nText b, no media/karte.png here\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "posts")
    repo.file("media/karte.png", (repo.root / "media/karte.png").read_bytes() + b"\0")
    args = ["preview", "--format", "markdown", "--changed-since", "main"]
    result = CliRunner().invoke(app, [*args, "--config", str(repo.config)], env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "\\[a\\]" in result.stdout and "\\[b\\]" not in result.stdout
