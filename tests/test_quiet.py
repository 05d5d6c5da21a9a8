"""Quiet hours: the config key, the local-time window (across midnight, on the days the clocks
change), urgent posts, native scheduling inside them, and `plan` on a real repository."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from socialpub.cli import app
from socialpub.content.config import load_config
from socialpub.content.quietconfig import QuietHours, parse_quiet_hours
from socialpub.errors import ConfigError
from socialpub.publishing.plan import Action, plan_delivery
from socialpub.workflow.gate import HoldKind, gates
from socialpub.workflow.quiet import QuietHoursGate, quiet_until
from tests.conftest import BASE_CONFIG, Repo
from tests.test_plan import MASTO, make_post, make_variant, target

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = QuietHours(time(22, 0), time(6, 0))
GATE = QuietHoursGate(BERLIN, {"masto": NIGHT})
QUIET = 'publish:\n  quiet_hours: "22:00-06:00"\n'


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


# --- the config key --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-06:00", NIGHT),
        (" 22:00 – 6:00 ", NIGHT),
        ("12:30-13:30", QuietHours(time(12, 30), time(13, 30))),
    ],
)
def test_a_range_of_two_times_is_read(text: str, expected: QuietHours) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize(
    "text", ["22:00", "22-06", "25:00-06:00", "22:00-06:60", "06:00-06:00", 22]
)
def test_anything_else_is_not_a_range(text: object) -> None:
    assert parse_quiet_hours(text) is None


def test_the_config_takes_quiet_hours(repo: Repo) -> None:
    config = load_config(repo.write_config(BASE_CONFIG + QUIET))
    assert config.publish.quiet_hours == NIGHT and str(NIGHT) == "22:00-06:00"
    assert load_config(repo.write_config(BASE_CONFIG)).publish.quiet_hours is None


def test_a_wrong_range_names_file_line_and_field(repo: Repo) -> None:
    path = repo.write_config(BASE_CONFIG + "publish:\n  quiet_hours: nachts\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (found,) = info.value.problems
    assert (found.code, found.field, found.line) == ("SP506", "publish.quiet_hours", 19)
    assert "'nachts' is not a range" in found.message and "22:00-06:00" in found.hint


# --- the window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "ends"),
    [
        ("2026-12-03T21:59", None),
        ("2026-12-03T22:00", "2026-12-04T06:00"),  # evening: ends the next morning
        ("2026-12-03T23:59", "2026-12-04T06:00"),
        ("2026-12-04T00:00", "2026-12-04T06:00"),  # after midnight: ends this morning
        ("2026-12-04T05:59", "2026-12-04T06:00"),
        ("2026-12-04T06:00", None),
    ],
)
def test_quiet_hours_across_midnight(moment: str, ends: str | None) -> None:
    expected = local(ends) if ends else None
    assert quiet_until(NIGHT, local(moment), BERLIN) == expected


def test_a_range_within_one_day() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert quiet_until(lunch, local("2026-12-03T12:30"), BERLIN) == local("2026-12-03T13:00")
    assert quiet_until(lunch, local("2026-12-03T13:00"), BERLIN) is None
    assert quiet_until(lunch, local("2026-12-03T23:00"), BERLIN) is None


def test_the_window_is_local_time_whatever_zone_now_is_in() -> None:
    late = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)  # 22:30 in Berlin (winter time, +01:00)
    assert quiet_until(NIGHT, late, BERLIN) == local("2026-12-04T06:00")
    assert quiet_until(NIGHT, datetime(2026, 12, 3, 20, 30, tzinfo=UTC), BERLIN) is None


def test_on_the_day_summer_time_begins_the_end_is_still_six_oclock() -> None:
    # 29 March 2026: clocks jump from 02:00 to 03:00; the night is an hour shorter
    ends = quiet_until(NIGHT, local("2026-03-28T23:30"), BERLIN)
    assert ends is not None and ends.utcoffset() == timedelta(hours=2)
    assert ends.astimezone(UTC) == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
    elapsed = ends.astimezone(UTC) - local("2026-03-28T23:30").astimezone(UTC)
    assert elapsed == timedelta(hours=5, minutes=30)  # 6½ hours on the wall clock
    # 02:30 that morning does not exist; a post due at 01:30 UTC (03:30 summer time) waits
    assert quiet_until(NIGHT, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), BERLIN) == ends


def test_on_the_day_summer_time_ends_the_end_is_still_six_oclock() -> None:
    # 25 October 2026: 03:00 summer time becomes 02:00 winter time, 02:30 happens twice
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 02:30 (+01:00)
    ends = quiet_until(NIGHT, second, BERLIN)
    assert ends is not None and ends.utcoffset() == timedelta(hours=1)
    assert ends.astimezone(UTC) == datetime(2026, 10, 25, 5, 0, tzinfo=UTC)
    assert quiet_until(NIGHT, datetime(2026, 10, 25, 5, 0, tzinfo=UTC), BERLIN) is None


# --- the gate and plan -----------------------------------------------------------------------


def test_a_post_due_in_quiet_hours_waits_until_they_end() -> None:
    at = local("2026-12-03T23:15")
    (hold,) = GATE.holds(make_post(), make_variant(), at)
    assert hold.kind is HoldKind.WAIT and hold.until == local("2026-12-04T06:00")
    assert hold.reason == "quiet hours until 06:00"
    delivery = plan_delivery(make_post(), make_variant(), target(), None, at, holds=(hold,))
    assert (delivery.action, delivery.reason) == (Action.WAIT, "quiet hours until 06:00")


def test_outside_quiet_hours_nothing_is_held() -> None:
    assert list(GATE.holds(make_post(), make_variant(), local("2026-12-04T06:00"))) == []


def test_an_urgent_post_goes_out_in_quiet_hours() -> None:
    urgent = make_post(urgent=True)
    at = local("2026-12-03T23:15")
    assert list(GATE.holds(urgent, make_variant(), at)) == []
    assert plan_delivery(urgent, make_variant(), target(), None, at).action is Action.PUBLISH


def test_native_scheduling_for_a_time_inside_quiet_hours_waits_instead() -> None:
    now = local("2026-12-03T15:00")
    at_night = make_post(publish_at=local("2026-12-03T23:00"))
    holds = tuple(GATE.holds(at_night, make_variant(MASTO), now))
    delivery = plan_delivery(at_night, make_variant(MASTO), target(MASTO), None, now, holds=holds)
    assert (delivery.action, delivery.reason) == (Action.WAIT, "quiet hours until 06:00")
    assert holds[0].until == local("2026-12-04T06:00")
    # at a daytime hour it is handed to the platform's scheduler, even planned at night
    by_day = dataclasses.replace(at_night, publish_at=local("2026-12-04T09:00"))
    late = local("2026-12-03T23:00")
    holds = tuple(GATE.holds(by_day, make_variant(MASTO), late))
    assert holds == ()
    assert plan_delivery(by_day, make_variant(MASTO), target(MASTO), None, late).action is (
        Action.SCHEDULE
    )


def test_gates_include_quiet_hours_only_when_configured(repo: Repo) -> None:
    plain = load_config(repo.write_config(BASE_CONFIG))
    assert not any(isinstance(g, QuietHoursGate) for g in gates(plain))
    quiet = load_config(repo.write_config(BASE_CONFIG + QUIET))
    (gate,) = [g for g in gates(quiet) if isinstance(g, QuietHoursGate)]
    assert gate == QuietHoursGate(BERLIN, dict.fromkeys(quiet.channels, NIGHT))


def test_a_channel_sets_its_own_quiet_hours_or_none(repo: Repo) -> None:
    text = BASE_CONFIG.replace(
        "    token: ${TELEGRAM_TOKEN}\n",
        "    token: ${TELEGRAM_TOKEN}\n    quiet_hours: false\n",  # the warning channel
    ).replace("    type: website\n", '    type: website\n    quiet_hours: "23:00-05:00"\n')
    config = load_config(repo.write_config(text + QUIET))
    (gate,) = [g for g in gates(config) if isinstance(g, QuietHoursGate)]
    assert gate.by_channel == {
        "mastodon": NIGHT,
        "bluesky": NIGHT,
        "telegram": None,
        "website": QuietHours(time(23, 0), time(5, 0)),
    }
    at = local("2026-12-03T22:30")
    held = [
        name
        for name, channel in config.channels.items()
        if list(gate.holds(make_post(), make_variant(channel), at))
    ]
    assert held == ["mastodon", "bluesky"]  # telegram has none, the website's begin at 23:00
    only_channel = load_config(repo.write_config(text))  # no top-level quiet hours
    (gate,) = [g for g in gates(only_channel) if isinstance(g, QuietHoursGate)]
    assert gate.by_channel["mastodon"] is None and gate.by_channel["website"] is not None


def test_a_wrong_channel_value_names_the_channel(repo: Repo) -> None:
    text = BASE_CONFIG.replace("    type: website\n", "    type: website\n    quiet_hours: nie\n")
    with pytest.raises(ConfigError) as info:
        load_config(repo.write_config(text))
    (found,) = info.value.problems
    assert (found.code, found.field) == ("SP506", "channels.website.quiet_hours")
    assert "or false for none on this channel" in found.hint


def test_plan_on_a_repository_in_quiet_hours(repo: Repo) -> None:
    repo.write_config(BASE_CONFIG + QUIET)
    for name, urgent in (("hinweis", "false"), ("brand", "true")):
        repo.post(
            f"{name}.md",
            f"---\nid: {name}\ntitle: {name}\nstatus: approved\nurgent: {urgent}\n"
            f"channels: [mastodon]\n---\nText von {name}.\n",
        )

    def actions(now: str) -> dict[str, tuple[str, str]]:
        args = ["plan", "--now", now, "--json", "--config", str(repo.config)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        return {d["post"]: (d["action"], d["reason"]) for d in json.loads(result.stdout)}

    assert actions("2026-12-03T23:30") == {
        "hinweis": ("wait", "quiet hours until 06:00"),
        "brand": ("publish", "due now"),
    }
    assert actions("2026-12-04T06:00")["hinweis"] == ("publish", "due now")


def test_urgent_must_be_true_or_false(repo: Repo) -> None:
    repo.post("x.md", "---\nid: x\ntitle: X\nurgent: sehr\n---\nText.\n")
    result = CliRunner().invoke(app, ["validate", "--format", "json", "--config", str(repo.config)])
    problems = json.loads(result.stdout)
    assert result.exit_code == 3
    assert [(p["code"], p["field"], p["line"]) for p in problems] == [("SP103", "urgent", 4)]
