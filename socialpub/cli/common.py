"""What every command shares: the typer app, common options, and the one error mapping.

Only the `socialpub.cli` package and the console modules import typer/rich. Heavy modules
are imported inside the commands, so `socialpub --version` stays fast. Every SocialpubError
is turned into a short message and its exit code in `guarded`.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from socialpub import __version__, i18n
from socialpub.errors import (
    EXIT_DELIVERY,
    EXIT_INPUT,
    InputError,
    SocialpubError,
)
from socialpub.i18n import _

if TYPE_CHECKING:
    from socialpub.cli.console import Failure
    from socialpub.content.config import Config

EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the shell's code for a closed pipe (128 + SIGPIPE), as git gives
P = ParamSpec("P")
R = TypeVar("R")

# Help texts are made when the commands are defined, before any config is read: they follow
# SOCIALPUB_LANG or the locale. A command's own messages follow the config's `ui_lang` (`load`).
i18n.set_language(i18n.choose(None, os.environ))

app = typer.Typer(
    name="socialpub",
    help=_("Validate, preview and publish a press office's posts to every channel."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals in tracebacks could leak tokens
    add_completion=False,
    rich_markup_mode=None,
)


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"


class Platform(enum.StrEnum):
    x = "x"
    mastodon = "mastodon"
    bluesky = "bluesky"
    telegram = "telegram"
    threads = "threads"
    instagram = "instagram"
    facebook = "facebook"
    linkedin = "linkedin"
    whatsapp = "whatsapp"


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help=_("Config file (default: $SOCIALPUB_CONFIG, else socialpub.yaml here or above)."),
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
#: `--channel/-c NAME`, repeatable: the commands that work on some of the channels
ChannelOption = Annotated[
    list[str] | None,
    typer.Option("--channel", "-c", help=_("Only this channel (repeatable)."), show_default=False),
]


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Map the error tree to messages and exit codes — the one place that does so.

    A command in a machine-readable mode (`--json`, whose parameter is `as_json`, or
    `--format json|github`) gets its errors in that format too: a CI step that parses the
    output must be able to parse a failure as well.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from socialpub.cli import console

        console.start_command()
        i18n.set_language(i18n.choose(None, os.environ))  # until `load` reads the config's
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise  # the command line's own exits and usage errors
        except BrokenPipeError:  # `socialpub audit | head`: the reader has all it wants
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except (Exception, KeyboardInterrupt) as exc:
            if not _expected(exc) and os.environ.get("SOCIALPUB_DEBUG"):
                raise
            failure = _failure(exc)
            mode = _output_format(kwargs)
            if mode is Format.json:
                console.print_failure_json(failure)
            elif mode is Format.github:
                console.print_failure_github(failure)
            elif mode is Format.gitlab:
                console.print_failure_gitlab(failure)
            else:
                console.print_failure_text(failure)
            raise typer.Exit(failure.exit_code) from None

    return wrapper


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit raises no second BrokenPipeError."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _output_format(kwargs: Mapping[str, object]) -> Format:
    if kwargs.get("as_json") is True:
        return Format.json
    chosen = kwargs.get("format")
    if isinstance(chosen, Format):
        return chosen
    # another command's own formats (audit: table, csv, json): JSON errors for JSON output
    return Format.json if isinstance(chosen, enum.Enum) and chosen.value == "json" else Format.text


def _expected(exc: BaseException) -> bool:
    return isinstance(exc, SocialpubError | OSError | KeyboardInterrupt)


def _failure(exc: BaseException) -> Failure:
    from socialpub.cli.console import Failure

    if isinstance(exc, InputError):
        return Failure(exc.message, exc.hint, exc.exit_code, exc.problems)
    if isinstance(exc, SocialpubError):
        return Failure(exc.message, exc.hint, exc.exit_code)
    if isinstance(exc, OSError):  # a file that cannot be read or written: name it
        where = f": {exc.filename}" if exc.filename else ""
        return Failure(
            f"{exc.strerror or exc}{where}", _("check the path and its permissions"), EXIT_INPUT
        )
    if isinstance(exc, KeyboardInterrupt):
        return Failure(_("interrupted"), None, EXIT_INTERRUPTED)
    return Failure(
        _("internal error ({name}): this is a bug in socialpub").format(name=type(exc).__name__),
        _("run again with SOCIALPUB_DEBUG=1 to see the details, and report them"),
        EXIT_DELIVERY,
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(_("socialpub {version}").format(version=__version__))
        raise typer.Exit()


@app.callback(help=_("socialpub: the editorial publishing CLI for public-sector social media."))
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=_("Show the version.")),
    ] = False,
) -> None:
    return  # the options above are all the root command has


def load(path: Path | None) -> Config:
    from socialpub.content.config import find_config, load_config
    from socialpub.content.uilang import peek_ui_lang

    found = find_config(str(path) if path else None, os.environ, Path.cwd())
    i18n.set_language(i18n.choose(peek_ui_lang(found), os.environ))
    config = load_config(found)
    i18n.set_language(i18n.choose(config.ui_lang, os.environ))
    return config


def now(config: Config) -> datetime:
    return datetime.now(config.timezone)
