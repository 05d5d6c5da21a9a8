"""Commands for writing posts: validate, count, preview, new, init, channels."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialpub.cli.common import (
    ChannelOption,
    ConfigOption,
    Format,
    JsonOption,
    Platform,
    app,
    guarded,
    load,
    now,
)
from socialpub.errors import EXIT_INPUT, InputError, UsageError
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.checks.approvalstate import ApprovalOf
    from socialpub.checks.report import Report
    from socialpub.content.config import Config


@app.command(help=_("Check posts and report every problem with file, line and code."))
@guarded
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help=_("Post files or folders (default: the posts folder)."), show_default=False
        ),
    ] = None,
    config: ConfigOption = None,
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            help=_("Output: text, json, github annotations or a gitlab Code Quality report."),
        ),
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help=_("Fail on warnings too."))] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help=_("Check every file again, ignoring the cache."))
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help=_("Check in full only posts changed since this git ref (pull requests)."),
            show_default=False,
        ),
    ] = None,
) -> None:
    from socialpub.checks.validate import validate as run_validation
    from socialpub.cli import console

    cfg = load(config)
    changed = None
    if changed_since is not None:
        from socialpub.content.changes import changed_files

        changed = changed_files(cfg.root, changed_since)
    report = run_validation(paths or [], cfg, now=now(cfg), use_cache=not no_cache, changed=changed)
    if any(channel.type == "whatsapp" for channel in cfg.channels.values()):
        report = _with_template_status(report, cfg)
    if format is Format.json:
        console.print_json([p.as_dict() for p in report.problems])
    elif format is Format.github:
        for p in report.problems:
            sys.stdout.write(console.github_annotation(p) + "\n")
    elif format is Format.gitlab:
        console.print_code_quality(report.problems)
    else:
        console.print_problems_text(report.problems)
    if format is not Format.json:
        console.summary(report.files, report.errors, report.warnings)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(EXIT_INPUT)


def _with_template_status(report: Report, cfg: Config) -> Report:
    """The whatsapp templates' approval (SP805), asked only where the token is set."""
    import dataclasses

    from socialpub.checks.whatsapp_templates import check_templates
    from socialpub.cli.publishing import system_clock

    checked = check_templates(cfg, os.environ, system_clock(cfg))
    for name, why in checked.unknown:
        sys.stderr.write(
            _("{name}: the template's approval is unknown: {why}\n").format(name=name, why=why)
        )
    return dataclasses.replace(report, problems=(*report.problems, *checked.problems))


@app.command(help=_("Count a text exactly as a platform does, against its limit."))
@guarded
def count(
    text: Annotated[
        str | None, typer.Argument(help=_("The text, or - to read it from standard input."))
    ] = None,
    platform: Annotated[
        Platform, typer.Option("--platform", "-p", help=_("Count as this platform does."))
    ] = Platform.mastodon,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.render.counting import count as count_text

    if text is None:
        raise UsageError(_("give the text, or - to read it from standard input"))
    if text == "-":
        text = _read_stdin()
    result = count_text(platform.value, text)
    if as_json:
        fields = {
            "platform": result.platform,
            "length": result.length,
            "limit": result.limit,
            "ok": result.ok,
            "unit": result.unit,
        }
        console.print_json(fields, indent=None)
        return
    extra = f", {result.bytes}/3000 bytes" if result.bytes is not None else ""
    verdict = "ok" if result.ok else _("too long") if result.length > result.limit else "invalid"
    console.stdout().print(
        f"{result.platform}: {result.length}/{result.limit} {result.unit}{extra} — {verdict}"
    )


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = _("standard input is not UTF-8 (invalid byte at offset {start})").format(
            start=exc.start
        )
        raise InputError(message, hint=_("send UTF-8 text")) from None
    # Drop exactly one final newline (what `echo` adds), nothing else.
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


class PreviewFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command(
    help=_("Show what each channel would receive, as its readers will see it (nothing is sent).")
)
@guarded
def preview(
    posts: Annotated[
        list[str] | None,
        typer.Argument(help=_("Post ids or files (default: all posts)."), show_default=False),
    ] = None,
    channel: ChannelOption = None,
    config: ConfigOption = None,
    raw: Annotated[
        bool, typer.Option("--raw", help=_("Show the markup (HTML) instead of the text it makes."))
    ] = False,
    format: Annotated[
        PreviewFormat,
        typer.Option(
            "--format", help=_("Output: text, markdown (a pull-request comment) or json.")
        ),
    ] = PreviewFormat.text,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help=_("Only the posts changed since this git ref, or whose media changed."),
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.checks.preview import build_preview
    from socialpub.cli import console

    if as_json and format not in (PreviewFormat.text, PreviewFormat.json):
        raise UsageError(
            _("--json and --format {value} ask for two outputs").format(value=format.value),
            hint=_("--json is --format json: give one of them"),
        )
    chosen = PreviewFormat.json if as_json else format
    cfg = load(config)
    changed = None
    if changed_since is not None:
        from socialpub.content.changes import changed_files

        changed = changed_files(cfg.root, changed_since)
    approval = _approval_of(cfg) if chosen is PreviewFormat.markdown else None
    result = build_preview(
        cfg, posts or [], channel or [], now=now(cfg), approval=approval, changed=changed
    )
    if chosen is PreviewFormat.json:
        console.print_json(result.as_json())
    elif chosen is PreviewFormat.markdown:
        from socialpub.checks.prcomment import comment

        # in full, errors or not: the pipeline posts it before it fails on the exit code
        sys.stdout.write(comment(result, root=cfg.root))
        sys.stdout.flush()
        console.summary(len(result.titles), result.errors, result.warnings)
    else:
        console.print_variants(result.variants, result.titles, cfg.channels, raw=raw)
        console.summary(len(result.titles), result.errors, result.warnings)
    if result.errors:
        raise typer.Exit(EXIT_INPUT)


def _approval_of(cfg: Config) -> ApprovalOf:
    """The approval gate's standing in workflow mode, else the front matter's status."""
    if cfg.workflow is None:
        from socialpub.checks.preview import front_matter_approval

        return front_matter_approval
    from socialpub.workflow.approvalgate import approval_gate, preview_state

    gate = approval_gate(cfg)
    return lambda post, variant: preview_state(gate.standing(post, variant))


@app.command(help=_("Write a new draft post with a fresh id into today's folder."))
@guarded
def new(
    title: Annotated[str, typer.Argument(help=_("The post's title."))],
    channels: Annotated[
        list[str] | None,
        typer.Option(
            "--channels", help=_("Channel names, comma-separated or repeated (default: all).")
        ),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.content.scaffold import new_post

    cfg = load(config)
    names = [name.strip() for value in channels or [] for name in value.split(",") if name.strip()]
    path = new_post(cfg, title, names, today=now(cfg).date())
    if as_json:
        console.print_json({"path": str(path), "id": path.stem})
        return
    console.stdout().print(_("created {path}").format(path=path))


class CiOption(enum.StrEnum):  # content.ci.CiKind, without importing the config code
    github = "github"
    gitlab = "gitlab"


@app.command(
    help=_("Create a posts repository: git, config, templates, an example post, .gitignore.")
)
@guarded
def init(
    directory: Annotated[
        Path, typer.Argument(help=_("Folder for the new posts repository."))
    ] = Path(),
    ci: Annotated[
        CiOption | None,
        typer.Option(
            "--ci",
            help=_(
                "Also write CI pipelines: github (.github/workflows/) or gitlab (.gitlab-ci.yml)."
            ),
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.content.scaffold import GitSetup, init_git, init_repo

    created, skipped = init_repo(directory)
    git = init_git(directory)
    if git is GitSetup.UNAVAILABLE:
        sys.stderr.write(
            _(
                "warning: git is not installed: publishing needs it (the ledger is committed "
                "with the posts); install git, then run `git init` in {directory}\n"
            ).format(directory=directory)
        )
    if ci is not None:
        ci_created, ci_kept = _write_ci(directory, ci)
        created += ci_created
        skipped += ci_kept
    if as_json:
        console.print_json(
            {
                "created": [str(p) for p in created],
                "kept": [str(p) for p in skipped],
                "git": git.value,
            }
        )
        return
    out = console.stdout()
    for path in created:
        out.print(_("created {path}").format(path=path))
    for path in skipped:
        out.print(_("kept existing {path}").format(path=path))
    if git is GitSetup.INITIALISED:
        out.print(_("initialised a git repository in {directory}").format(directory=directory))
    elif git is GitSetup.EXISTING:
        out.print(
            _("{directory} is already in a git repository: no new one was made").format(
                directory=directory
            )
        )
    if ci is not None:
        out.print(
            _("next: set the CI secrets listed in the pipeline files (README › CI pipelines)")
        )
    out.print(_("next: edit socialpub.yaml, then run `socialpub validate`"))


def _write_ci(directory: Path, kind: CiOption) -> tuple[list[Path], list[Path]]:
    """The pipelines, their secrets taken from the repository's config."""
    from socialpub.content.ci import CiKind, context
    from socialpub.content.ci_write import write_ci
    from socialpub.content.config import CONFIG_NAME, load_config

    cfg = load_config(directory / CONFIG_NAME)
    return write_ci(directory, CiKind(kind.value), context(cfg))


@app.command("channels", help=_("List configured channels with their limits and capabilities."))
@guarded
def list_channels(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    from socialpub.cli import console

    cfg = load(config)
    secrets = {
        name: ", ".join(
            f"{key}: {'set' if os.environ.get(ref.env) else 'missing'} (${{{ref.env}}})"
            for key, ref in channel.settings.items()
            if key in channel.spec.secrets and ref is not None
        )
        for name, channel in cfg.channels.items()
    }
    if as_json:
        console.print_json(
            [
                {
                    "name": c.name,
                    "type": c.type,
                    "limit": c.limit,
                    "unit": c.capabilities.unit,
                    "max_images": c.capabilities.max_images,
                    "max_videos": c.capabilities.max_videos,
                    "alt_text_max": c.capabilities.alt_text_max,
                    "capabilities": console.capability_names(c),
                    "secrets": secrets[c.name],
                }
                for c in cfg.channels.values()
            ]
        )
        return
    console.print_channels(list(cfg.channels.values()), secrets)
