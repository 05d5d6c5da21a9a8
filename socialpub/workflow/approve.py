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
from socialpub.i18n import N_, _
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

SIGNING_HINT = N_(
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
            _("git has no identity here: an approval needs your name and e-mail"),
            hint=_('git config user.name "Anna Schmidt"; git config user.email anna@example.org'),
        )
    if request.override and not request.reason.strip():
        raise UsageError(
            _("--override needs --reason TEXT"), hint=_("say why four eyes are not possible")
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
        raise InputError(
            _("{missing} cannot be read").format(missing=missing[0]),
            hint=_("fix the post's media first"),
        )
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
            _("{path}: no workflow section, so posts need no approval record").format(
                path=config.path
            ),
            hint=_(
                "add `workflow:` with departments and press_office (README: Who may publish what)"
            ),
        )
    return config.workflow


def commit_approval(config: Config, approval: Approval) -> Signature | None:
    """Commit the record (signed if git is set up to sign); with `require_signed`, what
    git says about the signature, else None."""
    file = record_path(approval.post, approval.channel).as_posix()
    hint = _("the approval file is written; commit it by hand")
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
        raise InputError(
            _("{post!r} names {count} posts").format(post=request.post, count=len(loaded)),
            hint=_("approve one post"),
        )
    post = loaded[0]
    channels = post_channels(post, config)
    if request.channel != ALL and request.channel not in channels:
        raise InputError(
            _("post {id} does not go to channel {channel!r}").format(
                id=post.id, channel=request.channel
            ),
            hint=channel_hint(request.channel, channels),
        )
    variants = Renderer(config).variants(post, channels)
    report = check_selection(selection, {post.id: variants}, config, request.now)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise InputError(
            _("post {id} is invalid: {file}:{line}: {code} {message}").format(
                id=post.id, file=first.file, line=first.line, code=first.code, message=first.message
            ),
            hint=_("fix it first (`socialpub validate`); only a valid post can be approved"),
            problems=errors,
        )
    if post.status is not Status.APPROVED:
        raise InputError(
            _("post {id} is {value}: its authors have not asked for approval").format(
                id=post.id, value=post.status.value
            ),
            hint=_("they set `status: approved` (it means: ready for review), then you approve"),
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
                _(": {outsiders} changed it and {value} not write for {title}").format(
                    outsiders=", ".join(sorted(outsiders)),
                    value="does" if len(outsiders) == 1 else "do",
                    title=department.title,
                )
                if outsiders and department
                else ""
            )
            raise InputError(
                _("{approver} may not approve {id}{where}{why}").format(
                    approver=request.approver, id=post.id, where=where, why=why
                ),
                hint=_("{who} approves it (workflow: in the config)").format(
                    who=rules.who(post, channel, wrote)
                ),
            )
    if request.override and email not in rules.workflow.press_office:
        raise InputError(
            _("{approver} may not override: only the {press_office} may").format(
                approver=request.approver, press_office=PRESS_OFFICE
            ),
            hint=_("ask another approver instead"),
        )


def _authors(config: Config, post: Post, files: tuple[str, ...]) -> frozenset[str]:
    """Everyone who changed the post; refused when git cannot tell, or there are changes
    nobody has committed yet."""
    trouble = history_trouble(config)
    if trouble:
        raise InputError(_("cannot approve {id}: {trouble}").format(id=post.id, trouble=trouble))
    if uncommitted(config.root, files):
        raise InputError(
            _("{id} has changes that are not committed: only committed content is approved").format(
                id=post.id
            ),
            hint=_("its author commits the changes first; then approve"),
        )
    return authors(config.root, list(files))


def _check_four_eyes(
    workflow: WorkflowConfig, post: Post, request: Request, wrote: frozenset[str]
) -> None:
    if request.approver.email in wrote and workflow.policy.four_eyes and not request.override:
        raise InputError(
            _("{approver} changed {id} (git log): nobody approves their own post").format(
                approver=request.approver, id=post.id
            ),
            hint=_(
                "another approver runs `socialpub approve {id}`, or the {press_office} with "
                "--override --reason TEXT"
            ).format(id=post.id, press_office=PRESS_OFFICE),
        )
