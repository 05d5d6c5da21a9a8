"""Gather what a publish run works on: valid posts, their variants, the ledger → deliveries.

This is the I/O side of planning (files, validation, ledger reads); the decisions themselves
are pure and live in `plan.py`. Each post file is read once and each post rendered once:
validation checks the very variants that are planned.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from socialpub.channels.adapter import adapter_class
from socialpub.checks.report import Report
from socialpub.checks.validate import check_selection
from socialpub.content.config import Config, require_channels
from socialpub.content.posts import post_channels, select_posts
from socialpub.models import Post, Problem, Severity, Variant
from socialpub.publishing.ledger import Ledger
from socialpub.publishing.plan import Action, Delivery, Target, plan_delivery
from socialpub.render.correction import correction_variant
from socialpub.render.renderer import Renderer
from socialpub.workflow.gate import Gate, gates, holds_of

#: validation codes that do not make a post unpublishable (plan handles expiry itself)
_NOT_BLOCKING = frozenset({"SP404"})


@dataclass(frozen=True)
class Workset:
    posts: dict[str, Post]
    deliveries: tuple[Delivery, ...]
    #: approved posts refused because they are invalid, with their errors
    refused: dict[str, tuple[Problem, ...]]
    #: the validation of the selected posts (one per run; commands print its summary)
    report: Report


def targets(config: Config) -> dict[str, Target]:
    found: dict[str, Target] = {}
    for name, channel in config.channels.items():
        adapter = adapter_class(channel.type)
        found[name] = Target(
            channel=channel,
            has_adapter=adapter is not None,
            idempotent=adapter.idempotent if adapter else False,
            idempotency_window=adapter.idempotency_window if adapter else None,
            correction=config.corrections.kind_for(name, channel.type),
            edit_within=config.corrections.edit_window(name, channel.type),
        )
    return found


def build(
    config: Config,
    ledger: Ledger,
    now: datetime,
    *,
    selectors: Sequence[str] = (),
    channels: Sequence[str] = (),
    run_gates: Sequence[Gate] | None = None,
) -> Workset:
    """Every delivery of the selected posts (default: all) to the selected channels;
    `run_gates` when the caller built them already (the calendar asks them again)."""
    require_channels(config, channels)
    selection = select_posts(config, selectors)
    renderer = Renderer(config)
    variants: dict[str, list[Variant]] = {}
    posts: dict[str, Post] = {}
    for post, _ in selection:
        posts[post.id] = post
        variants[post.id] = renderer.variants(post, post_channels(post, config))
    report = check_selection(selection, variants, config, now)
    errors = _errors_by_file(report, config)
    by_channel = targets(config)
    run_gates = gates(config) if run_gates is None else run_gates
    deliveries: list[Delivery] = []
    refused: dict[str, tuple[Problem, ...]] = {}
    for post in posts.values():
        problems = errors.get(os.path.abspath(post.source), ())  # noqa: PTH100
        if problems and post.status.value == "approved":
            refused[post.id] = problems
        invalid = f"{problems[0].code} {problems[0].message}" if problems else ""
        for variant in variants[post.id]:
            if channels and variant.channel not in channels:
                continue
            record = ledger.get(post.id, variant.channel)
            target = by_channel[variant.channel]
            holds = holds_of(run_gates, post, variant, now)
            delivery = plan_delivery(
                post, variant, target, record, now, invalid=invalid, holds=holds
            )
            if delivery.action is Action.CORRECT and delivery.correction == "reply":
                line = config.corrections.line
                reply = correction_variant(renderer, post, target.channel, line)
                delivery = dataclasses.replace(delivery, reply=reply)
            deliveries.append(delivery)
    return Workset(posts, tuple(deliveries), refused, report)


def _errors_by_file(report: Report, config: Config) -> dict[str, tuple[Problem, ...]]:
    found: dict[str, list[Problem]] = {}
    for problem in report.problems:
        if problem.severity is Severity.ERROR and problem.code not in _NOT_BLOCKING:
            path = os.path.abspath(config.root / problem.file)  # noqa: PTH100
            found.setdefault(path, []).append(problem)
    return {path: tuple(found_problems) for path, found_problems in found.items()}
