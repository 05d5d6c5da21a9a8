"""The `workflow:` block of the config: departments, the press office and the approval policy.

```yaml
workflow:
  press_office:
    approvers: [anna.schmidt@landkreis-musterstadt.de]   # may approve for every department
  departments:
    strassenbau:                       # the name: a slug
      title: Straßenbau                # shown in messages (default: the name)
      folders: [strassenbau]           # under posts_dir; its posts belong to the department
      authors: [tom.berger@landkreis-musterstadt.de]
      approvers: [eva.keller@landkreis-musterstadt.de]
      channels: [mastodon, website]    # where it may post (default: every channel)
  policy:
    four_eyes: true                    # nobody approves a post they wrote (default true)
    require_signed: false              # approvals must be signed commits (default false)
    allowed_signers: .socialpub/allowed_signers   # ssh allowed-signers file, in the repo
    press_office_channels: [telegram]  # always need a press office approver
    press_office_tags: [politik]
```

Without the block (`Config.workflow is None`), `status: approved` in a post is the permission.
People are their git e-mail addresses, compared without regard to case.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from socialpub.content import yamlsafe
from socialpub.content.codes import problem
from socialpub.content.textfile import did_you_mean
from socialpub.i18n import _
from socialpub.models import Problem

KEYS = ("press_office", "departments", "policy")
PRESS_OFFICE_KEYS = ("approvers",)
DEPARTMENT_KEYS = ("title", "folders", "authors", "approvers", "channels")
POLICY_KEYS = (
    "four_eyes",
    "require_signed",
    "allowed_signers",
    "press_office_channels",
    "press_office_tags",
)
PRESS_OFFICE = "Pressestelle"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class Department:
    name: str
    title: str
    folders: tuple[str, ...]  # posix paths relative to posts_dir
    authors: frozenset[str]
    approvers: frozenset[str]
    channels: tuple[str, ...] | None  # None: every channel
    line: int = 1


@dataclass(frozen=True)
class Policy:
    four_eyes: bool = True
    require_signed: bool = False
    allowed_signers: str = ""  # relative to the repository root
    press_office_channels: frozenset[str] = frozenset()
    press_office_tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkflowConfig:
    press_office: frozenset[str]  # approvers for every department
    departments: tuple[Department, ...] = ()
    policy: Policy = Policy()

    def department_of(self, post_file: Path, posts_dir: Path) -> Department | None:
        """The department whose folder holds `post_file`; None: the press office's post."""
        try:
            relative = PurePosixPath(post_file.resolve().relative_to(posts_dir.resolve()))
        except ValueError:
            return None
        for department in self.departments:
            if any(_inside(relative, folder) for folder in department.folders):
                return department
        return None


def _inside(relative: PurePosixPath, folder: str) -> bool:
    return relative.parts[: len(PurePosixPath(folder).parts)] == PurePosixPath(folder).parts


def read_workflow(
    path: Path, raw: yamlsafe.YMap, channels: Collection[str], problems: list[Problem]
) -> WorkflowConfig | None:
    """The `workflow:` block (None when there is none); problems for every bad value."""
    block = raw.get("workflow")
    if block is None:
        return None
    if not isinstance(block, yamlsafe.YMap):
        message = _("workflow must be a mapping with press_office, departments and policy")
        hint = _("see config.example.yaml or README: Who may publish what")
        problems.append(problem("SP506", path, raw.line_of("workflow"), "workflow", message, hint))
        return None
    _unknown(path, "workflow", block, KEYS, problems)
    reader = _Reader(path, channels, problems)
    press = _mapping(reader, "workflow", block, "press_office", PRESS_OFFICE_KEYS)
    approvers = reader.emails("workflow.press_office", press, "approvers") if press else ()
    if not approvers:
        hint = _("add press_office: {approvers: [name@example.org]}: they approve for everyone")
        problems.append(
            problem(
                "SP503",
                path,
                press.line if press else block.line,
                "workflow.press_office.approvers",
                _("the workflow needs at least one press office approver"),
                hint,
            )
        )
    departments = _departments(reader, block)
    policy = _policy(reader, block)
    return WorkflowConfig(frozenset(approvers), departments, policy)


def _departments(reader: _Reader, block: yamlsafe.YMap) -> tuple[Department, ...]:
    found = block.get("departments")
    if found is None:
        return ()
    if not isinstance(found, yamlsafe.YMap):
        reader.wrong(
            block.line_of("departments"),
            "workflow.departments",
            _("must be a mapping"),
            _("e.g. departments: {strassenbau: {folders: [strassenbau], approvers: [a@b.de]}}"),
        )
        return ()
    departments = [_department(reader, found, name) for name in found]
    _shared_folders(reader, found, [d for d in departments if d is not None])
    return tuple(d for d in departments if d is not None)


def _department(reader: _Reader, block: yamlsafe.YMap, name: str) -> Department | None:
    where = f"workflow.departments.{name}"
    line = block.line_of(name)
    if not _NAME.match(name):
        hint = _("use lower-case letters, digits, - and _; put the full name in `title`")
        reader.wrong(line, where, _("{name!r} is not a simple name").format(name=name), hint)
    settings = block[name]
    if not isinstance(settings, yamlsafe.YMap):
        reader.wrong(
            line,
            where,
            _("a department must be a mapping with folders and approvers"),
            f"e.g. {name}: {{folders: [{name}], approvers: [name@example.org]}}",
        )
        return None
    _unknown(reader.path, where, settings, DEPARTMENT_KEYS, reader.problems)
    title = settings.get("title", name)
    if not isinstance(title, str) or not title.strip():
        reader.wrong(
            settings.line_of("title"),
            f"{where}.title",
            _("must be a non-empty text"),
            _("e.g. title: Straßenbau"),
        )
        title = name
    folders = tuple(
        reader.folder(where, settings, f) for f in reader.texts(where, settings, "folders")
    )
    if not folders:
        reader.missing(
            settings.line,
            f"{where}.folders",
            _("the folders under posts_dir it writes in"),
            f"e.g. folders: [{name}]",
        )
    channels = reader.channel_list(where, settings, "channels") if "channels" in settings else None
    return Department(
        name=name,
        title=title,
        folders=folders,
        authors=frozenset(reader.emails(where, settings, "authors")),
        approvers=frozenset(reader.emails(where, settings, "approvers")),
        channels=channels,
        line=line,
    )


def _shared_folders(
    reader: _Reader, block: yamlsafe.YMap, departments: Iterable[Department]
) -> None:
    owner: dict[str, str] = {}
    for department in departments:
        for folder in department.folders:
            if folder in owner:
                where = f"workflow.departments.{department.name}.folders"
                message = _("folder {folder!r} belongs to {owner} already").format(
                    folder=folder, owner=owner[folder]
                )
                hint = _("a folder belongs to one department; use a sub-folder for the other")
                reader.wrong(block.line_of(department.name), where, message, hint)
            owner.setdefault(folder, department.name)


def _policy(reader: _Reader, block: yamlsafe.YMap) -> Policy:
    settings = _mapping(reader, "workflow", block, "policy", POLICY_KEYS)
    if settings is None:
        return Policy()
    where = "workflow.policy"
    signed = reader.flag(where, settings, "require_signed", default=False)
    signers = settings.get("allowed_signers", "")
    if not isinstance(signers, str) or signers.startswith("/") or ".." in Path(signers).parts:
        message = _("must be a path inside the repository")
        hint = _("relative to the repository root, e.g. .socialpub/allowed_signers")
        reader.wrong(settings.line_of("allowed_signers"), f"{where}.allowed_signers", message, hint)
        signers = ""
    if signed and not signers:
        hint = _(
            "e.g. allowed_signers: .socialpub/allowed_signers (README: Setting up signed approvals)"
        )
        reader.missing(settings.line, f"{where}.allowed_signers", _("signed approvals"), hint)
    return Policy(
        four_eyes=reader.flag(where, settings, "four_eyes", default=True),
        require_signed=signed,
        allowed_signers=signers,
        press_office_channels=frozenset(
            reader.channel_list(where, settings, "press_office_channels")
        ),
        press_office_tags=frozenset(
            t.lower() for t in reader.texts(where, settings, "press_office_tags")
        ),
    )


def _mapping(
    reader: _Reader, where: str, block: yamlsafe.YMap, key: str, keys: tuple[str, ...]
) -> yamlsafe.YMap | None:
    value = block.get(key)
    if value is None:
        return None
    if not isinstance(value, yamlsafe.YMap):
        reader.wrong(
            block.line_of(key),
            f"{where}.{key}",
            _("must be a mapping"),
            f"{where}.{key} takes: {', '.join(keys)}",
        )
        return None
    _unknown(reader.path, f"{where}.{key}", value, keys, reader.problems)
    return value


def _unknown(
    path: Path, where: str, block: yamlsafe.YMap, keys: tuple[str, ...], problems: list[Problem]
) -> None:
    for key in block:
        if key not in keys:
            hint = did_you_mean(key, keys) or f"{where} takes: {', '.join(keys)}"
            message = _("unknown setting {key!r}").format(key=key)
            problems.append(
                problem("SP502", path, block.line_of(key), f"{where}.{key}", message, hint)
            )


@dataclass(frozen=True)
class _Reader:
    """Reads typed values out of the block, adding a problem for every bad one."""

    path: Path
    channels: Collection[str]
    problems: list[Problem]

    def wrong(self, line: int, where: str, message: str, hint: str = "") -> None:
        self.problems.append(problem("SP506", self.path, line, where, f"{where}: {message}", hint))

    def missing(self, line: int, where: str, what: str, hint: str = "") -> None:
        self.problems.append(
            problem(
                "SP503",
                self.path,
                line,
                where,
                _("{where} is missing: {what}").format(where=where, what=what),
                hint,
            )
        )

    def texts(self, where: str, block: yamlsafe.YMap, key: str) -> tuple[str, ...]:
        value: Any = block.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.wrong(
                block.line_of(key),
                f"{where}.{key}",
                _("must be a list of texts"),
                f"e.g. {key}: [a, b]",
            )
            return ()
        return tuple(value)

    def emails(self, where: str, block: yamlsafe.YMap, key: str) -> tuple[str, ...]:
        found = self.texts(where, block, key)
        for address in found:
            if not _EMAIL.match(address):
                hint = _("people are their git e-mail addresses (`git config user.email`)")
                self.wrong(
                    block.line_of(key),
                    f"{where}.{key}",
                    _("{address!r} is no e-mail address").format(address=address),
                    hint,
                )
        return tuple(a.lower() for a in found if _EMAIL.match(a))

    def channel_list(self, where: str, block: yamlsafe.YMap, key: str) -> tuple[str, ...]:
        found = self.texts(where, block, key)
        for name in found:
            if name not in self.channels:
                hint = did_you_mean(name, self.channels) or "configured: " + ", ".join(
                    self.channels
                )
                self.wrong(
                    block.line_of(key),
                    f"{where}.{key}",
                    _("unknown channel {name!r}").format(name=name),
                    hint,
                )
        return tuple(n for n in found if n in self.channels)

    def folder(self, where: str, block: yamlsafe.YMap, folder: str) -> str:
        clean = PurePosixPath(folder.strip("/"))
        if folder.startswith("/") or ".." in clean.parts or not clean.parts:
            self.wrong(
                block.line_of("folders"),
                f"{where}.folders",
                _("{folder!r} is not a folder under posts_dir").format(folder=folder),
                _("write it relative to posts_dir, e.g. strassenbau or aemter/bau"),
            )
        return str(clean)

    def flag(self, where: str, block: yamlsafe.YMap, key: str, *, default: bool) -> bool:
        value = block.get(key, default)
        if not isinstance(value, bool):
            self.wrong(
                block.line_of(key),
                f"{where}.{key}",
                _("must be true or false"),
                f"e.g. {key}: {str(default).lower()}",
            )
            return default
        return value
