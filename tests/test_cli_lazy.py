"""`main()` builds only the command it runs: the same command, help and exit codes as the
whole app, for every command and group."""

from __future__ import annotations

import click
import pytest
import typer.main

from socialpub.cli import app, app_for, main


def _full() -> click.Group:
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    return group


def _help(command: click.Command, name: str) -> str:
    with click.Context(command, info_name=name) as context:
        return command.get_help(context)


@pytest.mark.parametrize("name", sorted(_full().commands))
def test_the_one_command_built_is_the_same_command(name: str) -> None:
    full = _full().commands[name]
    single = typer.main.get_command(app_for([name, "--help"]))
    assert isinstance(single, click.Group)
    assert list(single.commands) == [name]
    assert _help(single.commands[name], name) == _help(full, name)
    if isinstance(full, click.Group):
        assert sorted(single.commands[name].commands) == sorted(full.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", [[], ["--help"], ["valdate"], ["-h"]])
def test_anything_but_a_command_gets_the_whole_app(args: list[str]) -> None:
    assert app_for(args) is app


def test_main_runs_the_named_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["socialpub", "count", "Hallo Welt", "--platform", "x"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    assert "10" in capsys.readouterr().out


def test_main_names_every_command_for_a_typo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["socialpub", "valdate"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    assert "No such command 'valdate'" in capsys.readouterr().err


def test_version_needs_no_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert typer.main.get_command(app_for(["--version"])).commands == {}  # type: ignore[attr-defined]
    monkeypatch.setattr("sys.argv", ["socialpub", "--version"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("socialpub ")
