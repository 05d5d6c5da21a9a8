"""The words for states, actions and results in tables meant for people. The data (JSON,
ledger, calendar files) keeps the English values; only the text output shows these."""

from __future__ import annotations

from socialpub.i18n import N_, _

WORDS = frozenset(
    {
        # the plan's actions
        N_("publish"),
        N_("schedule"),
        N_("resume"),
        N_("edit"),
        N_("correct"),
        N_("wait"),
        N_("done"),
        N_("unconfirmed"),
        N_("expired"),
        N_("blocked"),
        N_("paused"),
        N_("deleted"),
        N_("confirm"),
        N_("manual"),
        N_("unschedule"),
        # what publishing did, and the ledger's states
        N_("published"),
        N_("scheduled"),
        N_("edited"),
        N_("corrected"),
        N_("failed"),
        N_("waiting"),
        N_("unscheduled"),
        N_("pending"),
        N_("sending"),
        N_("partial"),
        # a post's status and its calendar state
        N_("draft"),
        N_("review"),
        N_("approved"),
        N_("awaiting approval"),
        N_("embargoed"),
        N_("quiet hours"),
        N_("held"),
    }
)


def label(value: str) -> str:
    """`value` in the current language when it is one of WORDS, else as it is."""
    return _(value) if value in WORDS else value
