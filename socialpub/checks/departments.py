"""The workflow's rule for one post: a department posts only to the channels it may use.

A post belongs to the department whose folder holds it; a post outside every department's
folder is the press office's, which may use every channel.
"""

from __future__ import annotations

from collections.abc import Iterable

from socialpub.content.codes import problem
from socialpub.content.config import Config
from socialpub.i18n import _
from socialpub.models import Post, Problem


def department_problems(post: Post, channels: Iterable[str], config: Config) -> list[Problem]:
    """SP701 for each channel of `post` its department may not post to."""
    workflow = config.workflow
    if workflow is None:
        return []
    department = workflow.department_of(post.source, config.posts_dir)
    if department is None or department.channels is None:
        return []
    allowed = department.channels
    return [
        problem(
            "SP701",
            post.source,
            post.line_of("channels"),
            "channels",
            _(
                "{title} may not post to {name} (workflow.departments.{name2}.channels: {value})"
            ).format(
                title=department.title,
                name=name,
                name2=department.name,
                value=", ".join(allowed) or "none",
            ),
            _("remove {name} from channels:, or ask the press office to post it").format(name=name),
        )
        for name in channels
        if name not in allowed
    ]
