"""Commands of the website channel: `site build`, `site serve` and `sources fetch`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from socialpub.cli.common import ConfigOption, JsonOption, app, guarded, load
from socialpub.cli.publishing import NowOption, moment
from socialpub.errors import EXIT_DELIVERY
from socialpub.i18n import _

site_app = typer.Typer(
    help=_("The website: an accessible, account-free archive of every post, with feeds."),
    no_args_is_help=True,
)
sources_app = typer.Typer(
    help=_("Partner accounts (towns, clinics, fire brigades …) gathered on the website."),
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")
app.add_typer(sources_app, name="sources")

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help=_("Folder to write the site to (default: the channel's out_dir)."),
        show_default=False,
    ),
]


@site_app.command(
    "build", help=_("Build the static site; a rebuild writes only the pages that changed.")
)
@guarded
def site_build(
    out: OutOption = None,
    now_: NowOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    from socialpub.cli import console
    from socialpub.publishing.website import rebuild
    from socialpub.site.build import site_settings

    cfg = load(config)
    out_dir = out or site_settings(cfg).out_dir
    report = rebuild(cfg, now=moment(now_, cfg), out_dir=out_dir)
    if as_json:
        console.print_json(
            {
                "out": str(out_dir),
                "written": report.written,
                "unchanged": report.unchanged,
                "removed": report.removed,
                "total": report.total,
                "skipped": list(report.skipped),
            }
        )
        return
    for path in report.skipped:
        console.error(
            _("{path} cannot be read as a post: left out").format(path=path),
            _("run `socialpub validate`"),
        )
    sys.stdout.write(
        _(
            "{out_dir}: wrote {written} of {total} files ({unchanged} unchanged, {removed} "
            "removed)\n"
        ).format(
            out_dir=out_dir,
            written=report.written,
            total=report.total,
            unchanged=report.unchanged,
            removed=report.removed,
        )
    )


@site_app.command(
    "serve",
    help=_("Serve the built site on http://127.0.0.1:PORT for a local look (Ctrl-C stops)."),
)
@guarded
def site_serve(
    out: OutOption = None,
    port: Annotated[int, typer.Option("--port", help=_("Port on 127.0.0.1."))] = 8000,
    config: ConfigOption = None,
) -> None:
    from socialpub.site.build import site_settings
    from socialpub.site.serve import serve

    cfg = load(config)
    out_dir = out or site_settings(cfg).out_dir
    sys.stderr.write(
        _("serving {out_dir} on http://127.0.0.1:{port}/ (Ctrl-C stops)\n").format(
            out_dir=out_dir, port=port
        )
    )
    serve(out_dir, port)


@sources_app.command(
    "fetch", help=_("Fetch the partner sources' new posts into sources/ (an archive that stays).")
)
@guarded
def sources_fetch(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    from datetime import datetime

    from socialpub.cli import console
    from socialpub.net.http import make_client
    from socialpub.sources.fetch import fetch_sources

    cfg = load(config)
    with make_client() as client:
        report = fetch_sources(cfg.sources, cfg.root, client=client, now=datetime.now(cfg.timezone))
    if as_json:
        console.print_json(
            [
                {
                    "source": r.name,
                    "new": r.new,
                    "changed": r.changed,
                    "unchanged": r.unchanged,
                    "not_modified": r.not_modified,
                    "error": r.error,
                    "warnings": list(r.warnings),
                }
                for r in report.results
            ]
        )
    else:
        for r in report.results:
            if r.error:
                console.error(
                    _("source {name}: {error}").format(name=r.name, error=r.error),
                    _("skipped; the others were fetched"),
                )
                continue
            news = _("not modified") if r.not_modified else f"{r.new} new, {r.changed} changed"
            sys.stdout.write(
                _("{name}: {news}, {unchanged} unchanged\n").format(
                    name=r.name, news=news, unchanged=r.unchanged
                )
            )
            for warning in r.warnings:
                sys.stderr.write(_("  warning: {warning}\n").format(warning=warning))
    if not report.ok:
        raise typer.Exit(EXIT_DELIVERY)
