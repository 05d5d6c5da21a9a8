"""No sentence in the package escapes the catalogue, wherever it is built.

test_i18n_catalogue's source check looks at the calls that show a message (`problem()`, the
error tree, `help=`, the console). A message put together in a variable, a dict or a helper
function first slips past it. This check is blunter: every string literal with two words in a
row ("a word", "Could not") must sit inside `_()`, `ngettext()` or `N_()`, unless it is a
docstring, SQL, or named in ALLOWED with the reason it is not shown to a person.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "socialpub"
TRANSLATORS = {"_", "ngettext", "N_"}
#: two words in a row, the second in lower case: prose, not an identifier or a key
PROSE = re.compile(r"[A-Za-z]{2,} [a-z]{2,}")
SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|WITH|BEGIN|ALTER|DROP)\b")

#: (file, start of the literal) → why it is not a message to a person
ALLOWED: dict[tuple[str, str], str] = {}

#: files still being converted; each must still have a finding (else delete it here)
PENDING: set[str] = {
    "channels/bluesky.py",
    "channels/bluesky_media.py",
    "channels/bluesky_records.py",
    "channels/facebook.py",
    "channels/instagram.py",
    "channels/kit.py",
    "channels/linkedin.py",
    "channels/linkedin_probe.py",
    "channels/mastodon.py",
    "channels/meta_containers.py",
    "channels/meta_media.py",
    "channels/meta_probe.py",
    "channels/telegram.py",
    "channels/threads.py",
    "channels/whatsapp.py",
    "channels/whatsapp_probe.py",
    "channels/whatsapp_service.py",
    "channels/whatsapp_template.py",
    "channels/x.py",
    "channels/x_api.py",
    "channels/x_media.py",
    "channels/x_oauth2.py",
    "checks/approvalstate.py",
    "checks/prcomment.py",
    "cli/console.py",
    "cli/console_calendar.py",
    "cli/console_doctor.py",
    "cli/console_publish.py",
    "cli/correct.py",
    "cli/publish_steps.py",
    "cli/readable.py",
    "content/ci_comment.py",
    "content/ci_github.py",
    "content/ci_gitlab.py",
    "content/codes.py",
    "content/editorschema.py",
    "content/posts.py",
    "content/scaffold.py",
    "content/settingrules.py",
    "content/sourceconfig.py",
    "content/textfile.py",
    "content/whatsappconfig.py",
    "content/whatsappserver.py",
    "doctor/tokens.py",
    "net/http.py",
    "net/http1.py",
    "publishing/audience.py",
    "publishing/audit.py",
    "publishing/calendar.py",
    "publishing/calendar_ics.py",
    "publishing/confirm.py",
    "publishing/correction_run.py",
    "publishing/corrections.py",
    "publishing/engine.py",
    "publishing/ledger.py",
    "publishing/plan.py",
    "publishing/reconcile.py",
    "publishing/refresh.py",
    "publishing/unschedule.py",
    "render/breaks.py",
    "render/counting/_emoji.py",
    "render/counting/_tlds.py",
    "render/counting/_urls.py",
    "render/counting/tldgen.py",
    "render/renderer.py",
    "render/simplemark.py",
    "render/thread.py",
    "site/build.py",
    "site/feeds.py",
    "site/manifest.py",
    "sources/media.py",
    "sources/net.py",
    "sources/rss.py",
    "sources/sanitize.py",
    "sources/store.py",
    "specs.py",
    "whatsapp/broadcast_api.py",
    "whatsapp/cloudapi.py",
    "whatsapp/events.py",
    "whatsapp/fanout.py",
    "whatsapp/numbers.py",
    "whatsapp/recipients.py",
    "whatsapp/service.py",
    "whatsapp/subscribers.py",
    "whatsapp/webhook.py",
    "workflow/approvalgate.py",
    "workflow/verify.py",
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _translated(tree: ast.AST) -> set[int]:
    """Every node inside a call of a translator."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in TRANSLATORS:
                inside.update(id(n) for n in ast.walk(node))
    return inside


def _prose(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | _translated(tree)
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Constant):
            continue
        if isinstance(node.value, str) and PROSE.search(node.value) and not SQL.match(node.value):
            yield node.lineno, node.value


def findings(path: Path) -> list[str]:
    relative = path.relative_to(PACKAGE).as_posix()
    return [
        f"{relative}:{line}: {text[:70]!r}"
        for line, text in _prose(path)
        if not any(relative == f and text.startswith(start) for f, start in ALLOWED)
    ]


def test_no_prose_outside_the_catalogue() -> None:
    found = [
        line
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in PENDING
        for line in findings(path)
    ]
    assert not found, "wrap in _() or N_(), or add to ALLOWED with a reason:\n" + "\n".join(found)


def test_every_allowance_is_still_needed() -> None:
    for relative, start in ALLOWED:
        texts = [text for _line, text in _prose(PACKAGE / relative)]
        assert any(text.startswith(start) for text in texts), f"unused allowance {relative}"
    for relative in PENDING:
        assert findings(PACKAGE / relative), f"{relative} is done: remove it from PENDING"


def test_the_check_sees_a_message_built_in_a_variable(tmp_path: Path) -> None:
    probe = PACKAGE / "_probe_literals.py"
    probe.write_text(
        '"""A docstring is fine."""\n'
        "hint = 'shorten the text' if True else _('fine')\n"
        "rows = 'SELECT id FROM posts'\n"
        "label = N_('marked for later')\n",
        encoding="utf-8",
    )
    try:
        assert findings(probe) == ["_probe_literals.py:2: 'shorten the text'"]
    finally:
        probe.unlink()
