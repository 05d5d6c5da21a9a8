"""The approval gate: in workflow mode a post goes out only with an approval that holds.

Building the gate reads the approval records and asks git (authors, signatures); `holds()`
then only compares. `standing()` is what `status` and `approvals` show; `has_override()`
tells other gates (the neutrality period) whether the press office overrode for a post.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from socialpub.checks.approvalstate import ApprovalKind, ApprovalState
from socialpub.content.config import Config
from socialpub.content.gitrepo import git, inside_work_tree
from socialpub.i18n import _
from socialpub.models import Post, Status, Variant
from socialpub.workflow.approvals import ALL, Approval, file_digests, load_approvals
from socialpub.workflow.authors import authors
from socialpub.workflow.hold import Hold, HoldKind
from socialpub.workflow.verify import Evidence, Rules, refusal


@dataclass(frozen=True)
class Standing:
    """The approval of one post on one channel: the record that holds, or why none does."""

    approval: Approval | None
    refused: str  # "" when the approval holds

    @property
    def approved(self) -> bool:
        return self.approval is not None and not self.refused

    def describe(self) -> str:
        """ "approved by Anna Schmidt 2026-12-01 10:00 (signed; override: …)" or the refusal."""
        if self.approval is None or self.refused:
            return self.refused
        approval = self.approval
        notes = []
        if approval.signature is not None and approval.signature.signed_by:
            notes.append("signed")
        if approval.override:
            notes.append(f"override: {approval.reason}")
        extra = f" ({'; '.join(notes)})" if notes else ""
        when = approval.approved_at.strftime("%Y-%m-%d %H:%M")
        return _("approved by {approver} {when}{extra}").format(
            approver=approval.approver, when=when, extra=extra
        )


def preview_state(standing: Standing) -> ApprovalState:
    """A standing as the pull-request comment shows it."""
    if standing.approved:
        return ApprovalState(ApprovalKind.APPROVED, standing.describe().removeprefix("approved "))
    return ApprovalState(ApprovalKind.WAITING, standing.refused)


class ApprovalGate:
    def __init__(
        self,
        rules: Rules,
        approvals: Sequence[Approval],
        evidence: Mapping[tuple[str, ...], Evidence],
    ) -> None:
        self.rules = rules
        self.evidence = evidence
        self.by_post: dict[str, list[Approval]] = {}
        for approval in approvals:
            self.by_post.setdefault(approval.post, []).append(approval)

    def standing(self, post: Post, variant: Variant) -> Standing:
        found = self.by_post.get(post.id, [])
        candidates = [a for a in found if a.channel == variant.channel]
        candidates += [a for a in found if a.channel == ALL]
        if not candidates and post.status is not Status.APPROVED:
            return Standing(
                None, _("{value}: not ready for review yet").format(value=post.status.value)
            )
        if not candidates:
            who = self.rules.who(post, variant.channel)
            return Standing(
                None,
                _("no approval yet: {who} runs `socialpub approve {id}`").format(
                    who=who, id=post.id
                ),
            )
        reasons = [(a, self._refusal(a, post, variant)) for a in candidates]
        for approval, reason in reasons:
            if not reason:
                return Standing(approval, "")
        return Standing(*reasons[0])

    def holds(self, post: Post, variant: Variant, now: datetime) -> Iterable[Hold]:
        standing = self.standing(post, variant)
        if not standing.approved:
            yield Hold(HoldKind.BLOCKED, standing.refused)

    def has_override(self, post: Post, variant: Variant) -> bool:
        """Whether the press office's override approval holds for `post` on this channel."""
        standing = self.standing(post, variant)
        return standing.approved and standing.approval is not None and standing.approval.override

    def overridden(self, post: Post) -> bool:
        """Whether the press office released `post` with an override that holds for its
        files (the neutrality period asks; what each channel gets, `holds()` checks)."""
        return any(
            approval.override and not self._refusal(approval, post, None)
            for approval in self.by_post.get(post.id, [])
        )

    def _refusal(self, approval: Approval, post: Post, variant: Variant | None) -> str:
        evidence = self.evidence.get(evidence_key(approval), Evidence({}, frozenset(), "unchecked"))
        return refusal(approval, post, variant, self.rules, evidence)


def approval_gate(config: Config) -> ApprovalGate:
    """The gate of a workflow config: every approval record, and git's evidence for each."""
    workflow = config.workflow
    assert workflow is not None, "only built in workflow mode"
    rules = Rules(workflow, config.root, config.posts_dir)
    policy = workflow.policy
    # signatures are checked whenever there is a file of signers, required or not: shown
    signers = config.root / policy.allowed_signers if policy.allowed_signers else None
    approvals = load_approvals(config.root, signers)
    trouble = history_trouble(config)
    evidence: dict[tuple[str, ...], Evidence] = {}
    for approval in approvals:
        key = evidence_key(approval)
        if key not in evidence:
            files = list(dict.fromkeys([approval.file, *approval.files]))
            digests = file_digests(config.root, approval.files)
            who = authors(config.root, files) if not trouble else frozenset()
            evidence[key] = Evidence(digests, who, trouble)
    return ApprovalGate(rules, approvals, evidence)


def evidence_key(approval: Approval) -> tuple[str, ...]:
    """Approvals of the same files share what git says about them."""
    return (approval.file, *sorted(approval.files))


def history_trouble(config: Config) -> str:
    """Why git's history cannot tell the authors here ("" when it can)."""
    if not inside_work_tree(config.root):
        return _("{root} is not a git repository: the authors cannot be checked").format(
            root=config.root
        )
    shallow = git(config.root, "rev-parse", "--is-shallow-repository").stdout.strip()
    if shallow == "true":
        return _(
            "a shallow clone hides who wrote the post: fetch the whole history "
            "(`git fetch --unshallow`; GitHub Actions: checkout with fetch-depth: 0)"
        )
    return ""


def unapproved_website_posts(config: Config) -> frozenset[str]:
    """The posts the website must not show: `status: approved` in the front matter, but no
    approval that holds for their website channel (in workflow mode only)."""
    if config.workflow is None:
        return frozenset()
    from socialpub.content.posts import discover, load_post, post_channels
    from socialpub.render.renderer import Renderer

    gate = approval_gate(config)
    renderer = Renderer(config)
    withheld = set()
    for file in discover([], config.posts_dir):
        path = Path(file)
        loaded = load_post(
            path, path.read_bytes(), timezone=config.timezone, default_lang=config.lang
        )
        post = loaded.post
        if post is None or post.status is not Status.APPROVED:
            continue
        for channel in post_channels(post, config).values():
            if (
                channel.type == "website"
                and not gate.standing(post, renderer.variant(post, channel)).approved
            ):
                withheld.add(post.id)
    return frozenset(withheld)
