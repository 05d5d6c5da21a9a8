"""`socialpub approve`: record that a person other than the authors approved a post.

Every refusal is an InputError (exit 3) that says who may approve instead. The record holds
hashes of exactly what was approved; `commit_approval` commits it, and git's own signing
configuration (`commit.gpgsign`, `gpg.format`, `user.signingkey`) signs the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from socialpub.checks.validate import check_selection
from socialpub.content.config import Config, channel_hint
from socialpub.content.gitrepo import commit_paths
from socialpub.content.posts import post_channels, select_posts
from socialpub.content.workflowconfig import PRESS_OFFICE, WorkflowConfig
from socialpub.errors import ConfigError, InputError, UsageError
from socialpub.models import Post, Severity, Status, Variant
from socialpub.render.renderer import Renderer
from socialpub.workflow.approvalgate import history_trouble
from socialpub.workflow.approvals import (
    ALL,
    MISSING,
    Approval,
    Signature,
    file_digests,
    record_path,
    signature,
    variant_digest,
    write_approval,
)
from socialpub.workflow.authors import Identity, authors, uncommitted
from socialpub.workflow.verify import Rules

SIGNING_HINT = (
    "set up signing once: `git config gpg.format ssh`, "
    "`git config user.signingkey ~/.ssh/id_ed25519.pub`, `git config commit.gpgsign true`, "
    "and ask IT to add your key to the allowed-signers file; then approve again"
)


@dataclass(frozen=True)
class Request:
    """One `socialpub approve` call."""

    post: str  # an id or a file
    channel: str  # a channel name, or ALL
    approver: Identity
    now: datetime
    override: bool = False
    reason: str = ""


def approve(config: Config, request: Request) -> Approval:
    """Check the request against the workflow and write the approval record."""
    workflow = require_workflow(config)
    if not request.approver.email:
        raise ConfigError(
            "git has no identity here: an approval needs your name and e-mail",
            hint='git config user.name "Anna Schmidt"; git config user.email anna@example.org',
        )
    if request.override and not request.reason.strip():
        raise UsageError(
            "--override needs --reason TEXT", hint="say why four eyes are not possible"
        )
    post, variants = _valid_post(config, request)
    rules = Rules(workflow, config.root, config.posts_dir)
    chosen = variants if request.channel == ALL else {request.channel: variants[request.channel]}
    files = rules.files(post)
    wrote = _authors(config, post, files)
    _check_approver(rules, post, list(chosen), request, wrote)
    _check_four_eyes(workflow, post, request, wrote)
    digests = file_digests(config.root, files)
    missing = [file for file, digest in digests.items() if digest == MISSING]
    if missing:
        raise InputError(f"{missing[0]} cannot be read", hint="fix the post's media first")
    approval = Approval(
        post=post.id,
        channel=request.channel,
        approver=request.approver,
        approved_at=request.now.replace(microsecond=0),
        file=rules.post_file(post),
        files=digests,
        variants={name: variant_digest(v) for name, v in chosen.items()},
        override=request.override,
        reason=request.reason.strip(),
    )
    write_approval(config.root, approval)
    return approval


def require_workflow(config: Config) -> WorkflowConfig:
    if config.workflow is None:
        raise ConfigError(
            f"{config.path}: no workflow section, so posts need no approval record",
            hint="add `workflow:` with departments and press_office (README: Who may publish what)",
        )
    return config.workflow


def commit_approval(config: Config, approval: Approval) -> Signature | None:
    """Commit the record (signed if git is set up to sign); with `require_signed`, what
    git says about the signature, else None."""
    file = record_path(approval.post, approval.channel).as_posix()
    hint = "the approval file is written; commit it by hand"
    message = f"socialpub: approve {approval.post} ({approval.channel_label})"
    if approval.override:
        message += f", override: {approval.reason}"
    commit_paths(config.root, [file], message, hint=hint)  # False: committed already
    policy = require_workflow(config).policy
    if not policy.require_signed:
        return None
    return signature(config.root, file, config.root / policy.allowed_signers)


def _valid_post(config: Config, request: Request) -> tuple[Post, dict[str, Variant]]:
    selection = select_posts(config, [request.post])
    loaded = [post for post, _ in selection]
    if len(loaded) != 1:
        raise InputError(f"{request.post!r} names {len(loaded)} posts", hint="approve one post")
    post = loaded[0]
    channels = post_channels(post, config)
    if request.channel != ALL and request.channel not in channels:
        raise InputError(
            f"post {post.id} does not go to channel {request.channel!r}",
            hint=channel_hint(request.channel, channels),
        )
    variants = Renderer(config).variants(post, channels)
    report = check_selection(selection, {post.id: variants}, config, request.now)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise InputError(
            f"post {post.id} is invalid: {first.file}:{first.line}: {first.code} {first.message}",
            hint="fix it first (`socialpub validate`); only a valid post can be approved",
            problems=errors,
        )
    if post.status is not Status.APPROVED:
        raise InputError(
            f"post {post.id} is {post.status.value}: its authors have not asked for approval",
            hint="they set `status: approved` (it means: ready for review), then you approve",
        )
    return post, {v.channel: v for v in variants}


def _check_approver(
    rules: Rules, post: Post, channels: list[str], request: Request, wrote: frozenset[str]
) -> None:
    email = request.approver.email
    for channel in channels:
        if email not in rules.approvers(post, channel, wrote):
            where = "" if request.channel != ALL else f" on {channel}"
            outsiders = rules.outsiders(post, wrote)
            department = rules.department(post)
            why = (
                f": {', '.join(sorted(outsiders))} changed it and "
                f"{'does' if len(outsiders) == 1 else 'do'} not write for {department.title}"
                if outsiders and department
                else ""
            )
            raise InputError(
                f"{request.approver} may not approve {post.id}{where}{why}",
                hint=f"{rules.who(post, channel, wrote)} approves it (workflow: in the config)",
            )
    if request.override and email not in rules.workflow.press_office:
        raise InputError(
            f"{request.approver} may not override: only the {PRESS_OFFICE} may",
            hint="ask another approver instead",
        )


def _authors(config: Config, post: Post, files: tuple[str, ...]) -> frozenset[str]:
    """Everyone who changed the post; refused when git cannot tell, or there are changes
    nobody has committed yet."""
    trouble = history_trouble(config)
    if trouble:
        raise InputError(f"cannot approve {post.id}: {trouble}")
    if uncommitted(config.root, files):
        raise InputError(
            f"{post.id} has changes that are not committed: only committed content is approved",
            hint="its author commits the changes first; then approve",
        )
    return authors(config.root, list(files))


def _check_four_eyes(
    workflow: WorkflowConfig, post: Post, request: Request, wrote: frozenset[str]
) -> None:
    if request.approver.email in wrote and workflow.policy.four_eyes and not request.override:
        raise InputError(
            f"{request.approver} changed {post.id} (git log): nobody approves their own post",
            hint=f"another approver runs `socialpub approve {post.id}`, or the {PRESS_OFFICE} "
            "with --override --reason TEXT",
        )
