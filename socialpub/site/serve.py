"""`socialpub site serve`: a built site on 127.0.0.1 for a local look, with its own policy."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

#: the pages carry the same policy in a meta tag, except what only a header can say
CSP_HEADER = (
    "default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the site's own policy as a header, too."""

    extensions_map = {  # noqa: RUF012 - the stdlib declares it as a plain class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".atom": "application/atom+xml",
        ".rss": "application/rss+xml",
        ".json": "application/json",
        ".vtt": "text/vtt",
    }

    def end_headers(self) -> None:
        # frame-ancestors works only as a header: browsers ignore it in the pages' meta tag
        self.send_header("Content-Security-Policy", CSP_HEADER)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()


def make_server(out_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server for the built site on 127.0.0.1 (port 0: any free port)."""
    handler = functools.partial(_Handler, directory=str(out_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(out_dir: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:<port>/ until interrupted."""
    with make_server(out_dir, port) as server:
        server.serve_forever()
