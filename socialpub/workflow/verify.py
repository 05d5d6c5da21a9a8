"""Whether an approval record holds for one post on one channel. Pure: git's answers come in
as `Evidence` and `Signature`, gathered before.

An approval holds when it is signed by its approver (with `require_signed`), the content is
exactly what was approved, the approver may approve for the post's department (or is in the
press office), and the approver is none of the post's authors — unless the press office
overrode the four-eyes rule with a reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from socialpub.content.workflowconfig import PRESS_OFFICE, Department, WorkflowConfig
from socialpub.i18n import _
from socialpub.models import Post, Variant
from socialpub.workflow.approvals import ALL, Approval, variant_digest


@dataclass(frozen=True)
class Evidence:
    """What git and the files say about a post's files now."""

    digests: Mapping[str, str]  # file → sha256 of its bytes now
    authors: frozenset[str]  # e-mail addresses, lower case
    trouble: str = ""  # why the authors cannot be known (no git, a shallow clone)


@dataclass(frozen=True)
class Rules:
    """The workflow config and where the posts are: all the judge needs besides evidence."""

    workflow: WorkflowConfig
    root: Path
    posts_dir: Path

    def department(self, post: Post) -> Department | None:
        return self.workflow.department_of(post.source, self.posts_dir)

    def needs_press_office(
        self, post: Post, channel: str, authors: frozenset[str] = frozenset()
    ) -> bool:
        """Outside the departments, on a press office channel or tag, or changed by someone
        who does not write for the department: only the press office approves."""
        policy = self.workflow.policy
        tags = {tag.lower() for tag in post.tags}
        return (
            self.department(post) is None
            or channel in policy.press_office_channels
            or bool(tags & policy.press_office_tags)
            or bool(self.outsiders(post, authors))
        )

    def outsiders(self, post: Post, authors: frozenset[str]) -> frozenset[str]:
        """Authors who neither write nor approve for the post's department (when it lists its
        authors) nor are in the press office."""
        department = self.department(post)
        if department is None or not department.authors:
            return frozenset()
        members = department.authors | department.approvers | self.workflow.press_office
        return authors - members

    def approvers(
        self, post: Post, channel: str, authors: frozenset[str] = frozenset()
    ) -> frozenset[str]:
        """Who may approve `post` for `channel`."""
        department = self.department(post)
        if department is None or self.needs_press_office(post, channel, authors):
            return self.workflow.press_office
        return self.workflow.press_office | department.approvers

    def who(self, post: Post, channel: str, authors: frozenset[str] = frozenset()) -> str:
        """ "an approver of Straßenbau" or "an approver of the Pressestelle" (for hints)."""
        department = self.department(post)
        if department is None or self.needs_press_office(post, channel, authors):
            return _("an approver of the {press_office}").format(press_office=PRESS_OFFICE)
        return _("an approver of {title}").format(title=department.title)

    def files(self, post: Post) -> tuple[str, ...]:
        """The post file and every media file it or its overrides name."""
        media = {m.file for m in post.media}
        for override in post.overrides.values():
            media.update(m.file for m in override.media or ())
        return (self.post_file(post), *sorted(media))

    def post_file(self, post: Post) -> str:
        absolute = os.path.abspath(post.source)  # noqa: PTH100 - no file system access
        return Path(os.path.relpath(absolute, self.root.resolve())).as_posix()


def refusal(
    approval: Approval, post: Post, variant: Variant | None, rules: Rules, evidence: Evidence
) -> str:
    """Why `approval` does not let `post` go to `variant.channel` ("" when it does). Without
    a variant: whether it holds for the post's files, whatever a channel renders."""
    channel = variant.channel if variant else approval.channel
    if approval.post != post.id or approval.channel not in (ALL, channel):
        return _("the approval is for {post} on {channel_label}").format(
            post=approval.post, channel_label=approval.channel_label
        )
    by = f"{approval.approver.name or approval.approver.email}"
    when = approval.approved_at.strftime("%Y-%m-%d %H:%M")
    again = _("`socialpub approve {id}`").format(id=post.id)
    if rules.workflow.policy.require_signed:
        unsigned = _unsigned(approval, by)
        if unsigned:
            return unsigned
    if evidence.trouble:
        return evidence.trouble
    if _changed(approval, post, variant, rules, evidence):
        return _("changed after approval by {by} ({when}): needs a new approval ({again})").format(
            by=by, when=when, again=again
        )
    email = approval.approver.email
    press = rules.workflow.press_office
    if email not in rules.approvers(post, channel, evidence.authors):
        who = rules.who(post, channel, evidence.authors)
        return _("approved by {by}, who may not approve it: {who} runs {again}").format(
            by=by, who=who, again=again
        )
    if approval.override and (email not in press or not approval.reason.strip()):
        return _("override by {by} does not count: only the {press_office}, with a reason").format(
            by=by, press_office=PRESS_OFFICE
        )
    if rules.workflow.policy.four_eyes and email in evidence.authors and not approval.override:
        return _(
            "approved by its author {by}: four eyes — another approver runs {again} (or the "
            "{press_office} with --override --reason)"
        ).format(by=by, again=again, press_office=PRESS_OFFICE)
    return ""


def _unsigned(approval: Approval, by: str) -> str:
    signature = approval.signature
    setup = _("see README: Setting up signed approvals")
    if signature is None or not signature.commit:
        return _("approval by {by} is not committed: `socialpub approve {post} --commit`").format(
            by=by, post=approval.post
        )
    if signature.dirty:
        return _(
            "approval by {by} was changed after its commit: restore it or approve again"
        ).format(by=by)
    if signature.status == "N":
        return _("approval by {by} is not signed ({setup})").format(by=by, setup=setup)
    if not signature.verified or signature.status != "G":
        return _(
            "approval by {by} has no valid signature of an allowed signer (git: {status} "
            "{value}; {setup})"
        ).format(
            by=by, status=signature.status, value=signature.signer or "unknown key", setup=setup
        )
    if signature.signer != approval.approver.email:
        return _("approval by {by} is signed by {signer}, not by {email}").format(
            by=by, signer=signature.signer, email=approval.approver.email
        )
    return ""


def _changed(
    approval: Approval, post: Post, variant: Variant | None, rules: Rules, evidence: Evidence
) -> bool:
    if approval.file != rules.post_file(post) or set(approval.files) != set(rules.files(post)):
        return True
    if dict(approval.files) != dict(evidence.digests):
        return True
    return variant is not None and approval.variants.get(variant.channel) != variant_digest(variant)
