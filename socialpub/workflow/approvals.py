"""Approval records: who approved exactly what, in the repository beside the ledger.

One JSON file per approval, `.socialpub/approvals/<post id>/<channel>.json` (`_all.json`
for every channel of the post), sorted keys, one value per line, written atomically. It
binds to the content by hashes: of the post file's bytes, of each media file's bytes, and of
each rendered variant (its parts, media, link and language). The commit that last changed the
file is what signed approvals check (`git verify-commit`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from socialpub.content.gitrepo import git, inside_work_tree
from socialpub.content.textfile import atomic_write
from socialpub.errors import LedgerError
from socialpub.i18n import _
from socialpub.models import Variant
from socialpub.workflow.authors import Identity

APPROVALS_DIR = Path(".socialpub") / "approvals"
ALL = "*"  # the channel of an approval for every channel of the post
_ALL_FILE = "_all"  # channel names start with a letter or digit: never this
MISSING = "missing"  # the digest of a file that is not there


@dataclass(frozen=True)
class Signature:
    """What git says about the commit that last changed an approval file."""

    commit: str = ""  # "" when the file was never committed
    dirty: bool = False  # the file differs from that commit
    status: str = "N"  # git's %G?: G good, B bad, U untrusted, N none, E cannot check …
    signer: str = ""  # the principal (ssh) or e-mail (gpg) of the key, lower case
    verified: bool = False  # `git verify-commit` against the allowed signers succeeded

    @property
    def signed_by(self) -> str:
        """The signer when the signature is good and allowed; "" otherwise."""
        return self.signer if self.verified and self.status == "G" and not self.dirty else ""


@dataclass(frozen=True)
class Approval:
    post: str
    channel: str  # a channel name, or ALL
    approver: Identity
    approved_at: datetime
    file: str  # the post file, relative to the repository root
    files: Mapping[str, str]  # every approved file (post and media) → sha256 of its bytes
    variants: Mapping[str, str]  # channel → sha256 of what it would receive
    override: bool = False  # the press office approved against the four-eyes rule
    reason: str = ""  # why, for an override
    signature: Signature | None = field(default=None, compare=False)  # None: not checked

    @property
    def content(self) -> str:
        """One hash of everything approved (shown in the audit)."""
        return content_digest(self.files, self.variants)

    @property
    def channel_label(self) -> str:
        return _("all channels") if self.channel == ALL else self.channel

    def to_json(self) -> dict[str, Any]:
        return {
            "post": self.post,
            "channel": self.channel,
            "approver_name": self.approver.name,
            "approver_email": self.approver.email,
            "approved_at": self.approved_at.isoformat(),
            "file": self.file,
            "files": dict(self.files),
            "variants": dict(self.variants),
            "content": self.content,
            "override": self.override,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Approval:
        return cls(
            post=str(data["post"]),
            channel=str(data["channel"]),
            approver=Identity(str(data["approver_name"]), str(data["approver_email"]).lower()),
            approved_at=datetime.fromisoformat(str(data["approved_at"])),
            file=str(data["file"]),
            files={str(k): str(v) for k, v in dict(data["files"]).items()},
            variants={str(k): str(v) for k, v in dict(data["variants"]).items()},
            override=data.get("override") is True,
            reason=str(data.get("reason", "")),
        )


def record_path(post: str, channel: str) -> Path:
    """Where an approval lives, relative to the repository root."""
    return APPROVALS_DIR / post / f"{_ALL_FILE if channel == ALL else channel}.json"


def variant_digest(variant: Variant) -> str:
    """A hash of everything the channel would show: the parts, media, link and language."""
    content = {
        "parts": [part.text for part in variant.parts],
        "media": [[m.file, m.alt or ""] for m in variant.media],
        "link": variant.link or "",
        "lang": variant.lang,
        "title": variant.title,
    }
    return _sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def file_digests(root: Path, files: Iterable[str]) -> dict[str, str]:
    """sha256 of each file's bytes (MISSING for a file that cannot be read)."""
    found: dict[str, str] = {}
    for file in files:
        try:
            found[file] = _sha256((root / file).read_bytes())
        except OSError:
            found[file] = MISSING
    return found


def content_digest(files: Mapping[str, str], variants: Mapping[str, str]) -> str:
    data = json.dumps({"files": dict(files), "variants": dict(variants)}, sort_keys=True)
    return _sha256(data.encode("utf-8"))


def write_approval(root: Path, approval: Approval) -> Path:
    """Write the record atomically; returns its path relative to `root`."""
    relative = record_path(approval.post, approval.channel)
    text = json.dumps(approval.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        atomic_write(root / relative, text.encode("utf-8"))
    except OSError as exc:
        raise LedgerError(
            _("cannot write approval file {relative}: {strerror}").format(
                relative=relative, strerror=exc.strerror
            ),
            hint=_("check free disk space and permissions"),
        ) from None
    return relative


def load_approvals(root: Path, allowed_signers: Path | None = None) -> tuple[Approval, ...]:
    """Every approval record of the repository, sorted by post and channel. With an
    allowed-signers file, each carries what git says about its commit's signature."""
    folder = root / APPROVALS_DIR
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.glob("*/*.json")):
        approval = _parse(path, root)
        if allowed_signers is not None:
            approval = _with_signature(approval, root, allowed_signers)
        found.append(approval)
    return tuple(found)


def _with_signature(approval: Approval, root: Path, allowed_signers: Path) -> Approval:
    file = record_path(approval.post, approval.channel).as_posix()
    return replace(approval, signature=signature(root, file, allowed_signers))


def signature(root: Path, file: str, allowed_signers: Path) -> Signature:
    """The signature of the commit that last changed `file`, checked by git itself."""
    if not inside_work_tree(root):
        return Signature()
    commit = git(root, "log", "-1", "--format=%H", "--", file, allow=(128,)).stdout.strip()
    if not commit:
        return Signature()
    dirty = bool(git(root, "status", "--porcelain", "--", file).stdout.strip())
    signers = ("-c", f"gpg.ssh.allowedSignersFile={allowed_signers.resolve()}")
    verified = git(root, *signers, "verify-commit", commit, allow=(1, 128)).returncode == 0
    shown = git(root, *signers, "log", "-1", "--format=%G?%n%GS", commit).stdout.split("\n")
    status = shown[0].strip() or "N"
    signer = shown[1].strip() if len(shown) > 1 else ""
    if "<" in signer and signer.endswith(">"):  # a gpg user id: Name <e-mail>
        signer = signer[signer.rindex("<") + 1 : -1]
    return Signature(commit, dirty, status, signer.lower(), verified)


def _parse(path: Path, root: Path) -> Approval:
    relative = path.relative_to(root)
    hint = _("restore it from git (git checkout -- <file>), or approve the post again")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        approval = Approval.from_json(data)
    except json.JSONDecodeError as exc:
        raise LedgerError(
            _("{relative}:{lineno}: damaged approval ({msg})").format(
                relative=relative, lineno=exc.lineno, msg=exc.msg
            ),
            hint=hint,
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        field_ = f" field {exc.args[0]!r} missing" if isinstance(exc, KeyError) else f" {exc}"
        raise LedgerError(
            _("{relative}: damaged approval:{field}").format(relative=relative, field=field_),
            hint=hint,
        ) from None
    if record_path(approval.post, approval.channel) != relative:
        raise LedgerError(
            _(
                "{relative}: the approval is for post {post!r}, {channel_label}, but lies elsewhere"
            ).format(relative=relative, post=approval.post, channel_label=approval.channel_label),
            hint=_("approval files are not moved or copied: approve the post again"),
        )
    return approval


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
