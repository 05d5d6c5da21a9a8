"""A post's approval state on a channel, as the pull-request comment shows it.

Plain data: the workflow stage (which comes after validation) fills it in from its approval
gate; without a workflow the front matter's status decides (`checks.preview`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from socialpub.models import Post, Variant


class ApprovalKind(enum.StrEnum):
    APPROVED = "approved"
    WAITING = "waiting"
    NOT_NEEDED = "not needed"


@dataclass(frozen=True)
class ApprovalState:
    """Whether a post may go to a channel as far as approvals go, and why in a few words."""

    kind: ApprovalKind
    detail: str  # "by Anna Schmidt 2026-12-01 10:00", "no approval yet: …"


#: the approval state of a post on a channel, asked with the variant before it is sealed
ApprovalOf = Callable[[Post, Variant], ApprovalState]
