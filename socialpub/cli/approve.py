"""The editorial workflow's commands: `approve` a post, and `approvals`: who approved what.

`status` shows the same approval lines below its table (`print_approval_lines`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialpub.cli.common import ConfigOption, JsonOption, app, guarded, load, now
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.content.config import Config
    from socialpub.workflow.approvalgate import Standing
    from socialpub.workflow.approvals import Approval, Signature


@app.command(help=_("Approve a post (as git's user.name/user.email): it may then be published."))
@guarded
def approve(
    post: Annotated[str, typer.Argument(help=_("The post id (or file)."))],
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel", "-c", help=_("Approve it for this channel only."), show_default=False
        ),
    ] = None,
    override: Annotated[
        bool,
        typer.Option("--override", help=_("Press office: approve against the four-eyes rule.")),
    ] = False,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help=_("Why (required with --override)."), show_default=False),
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help=_("git commit the approval (signed if set up)."))
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.workflow.approvals import ALL
    from socialpub.workflow.approve import Request, commit_approval
    from socialpub.workflow.approve import approve as record_approval
    from socialpub.workflow.authors import current_identity

    cfg = load(config)
    request = Request(
        post=post,
        channel=channel or ALL,
        approver=current_identity(cfg.root),
        now=now(cfg),
        override=override,
        reason=reason or "",
    )
    approval = record_approval(cfg, request)
    signed = commit_approval(cfg, approval) if commit else None
    if as_json:
        from socialpub.cli import console
        from socialpub.workflow.approvals import record_path

        file = record_path(approval.post, approval.channel).as_posix()
        signed_by = signed.signed_by if signed else ""
        extra = {"file": file, "committed": commit, "signed_by": signed_by}
        console.print_json(approval_json(approval) | extra)
    else:
        sys.stdout.write(_approved_line(approval, commit))
    if signed is not None and not signed.signed_by:
        _unsigned_commit(signed)


def _approved_line(approval: Approval, committed: bool) -> str:
    override = f" — override: {approval.reason}" if approval.override else ""
    done = "committed" if committed else _("written (commit it, or use --commit)")
    return (
        f"approved  {approval.post} ({approval.channel_label}) by {approval.approver}"
        f"{override}\n  content {approval.content[:16]}, record {done}\n"
    )


def _unsigned_commit(signed: Signature) -> None:
    from socialpub.errors import InputError
    from socialpub.workflow.approve import SIGNING_HINT

    why = (
        _("not signed")
        if signed.status == "N"
        else _("signature not valid here ({status})").format(status=signed.status)
    )
    message = _("the approval is committed but {why}: it does not count yet").format(why=why)
    raise InputError(message, hint=_(SIGNING_HINT))


@app.command(help=_("Show, per post × channel, whether an approval holds, by whom, or why not."))
@guarded
def approvals(
    posts: Annotated[
        list[str] | None,
        typer.Argument(help=_("Post ids or files (default: all posts)."), show_default=False),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.workflow.approve import require_workflow

    cfg = load(config)
    require_workflow(cfg)
    rows = standings(cfg, posts or [])
    if as_json:
        console.print_json([_standing_json(post, name, s) for post, name, s in rows])
        return
    for post, name, standing in rows:
        mark = "ok     " if standing.approved else "blocked"
        sys.stdout.write(f"{mark}  {post} → {name}  {standing.describe()}\n")


def print_approval_lines(cfg: Config, posts: Sequence[str]) -> None:
    """`status` in workflow mode: one line per post × channel whose approval does not hold,
    and one per approval that does."""
    if cfg.workflow is None:
        return
    rows = standings(cfg, posts)
    if rows:
        sys.stdout.write(_("Approvals\n"))
    for post, name, standing in rows:
        sys.stdout.write(f"  {post} → {name}: {standing.describe()}\n")


def standings(cfg: Config, selectors: Sequence[str]) -> list[tuple[str, str, Standing]]:
    from socialpub.content.posts import post_channels, select_posts
    from socialpub.render.renderer import Renderer
    from socialpub.workflow.approvalgate import approval_gate

    gate = approval_gate(cfg)
    renderer = Renderer(cfg)
    rows = []
    for post, __ in select_posts(cfg, selectors):
        for variant in renderer.variants(post, post_channels(post, cfg)):
            rows.append((post.id, variant.channel, gate.standing(post, variant)))
    return rows


def approval_json(approval: Approval) -> dict[str, Any]:
    signature = approval.signature
    return {
        "post": approval.post,
        "channel": approval.channel,
        "approver": str(approval.approver),
        "approved_at": approval.approved_at.isoformat(),
        "content": approval.content,
        "override": approval.override,
        "reason": approval.reason,
        "signed_by": signature.signed_by if signature else "",
    }


def _standing_json(post: str, channel: str, standing: Standing) -> dict[str, Any]:
    found = standing.approval
    return {
        "post": post,
        "channel": channel,
        "approved": standing.approved,
        "why": standing.describe(),
        "approval": approval_json(found) if found else None,
    }
