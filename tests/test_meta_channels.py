"""`socialpub channels` lists the three Meta channels as publishable through their APIs,
with what each can do, and whether each token is set (never the token itself)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.metagraph import MediaServer, MetaGraph, media_server, metagraph
from tests.metarepo import TOKENS, MetaRepo

__all__ = ["media_server", "metagraph"]  # the fixtures, imported for pytest


def test_channels_lists_facebook_instagram_and_threads_as_publishable(
    metagraph: MetaGraph, media_server: MediaServer, tmp_path: Path
) -> None:
    repo = MetaRepo(tmp_path, metagraph, media_server)
    listed = repo.run("channels", "--json")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    data = {c["name"]: c for c in json.loads(listed.stdout)}
    assert {name: data[name]["capabilities"] for name in ("facebook", "instagram", "threads")} == {
        "facebook": ["schedule", "edit", "delete"],
        "instagram": [],  # no caption edits, no delete through the API: nothing "manual"
        "threads": ["threads", "delete"],
    }
    assert [data[n]["limit"] for n in ("facebook", "instagram", "threads")] == [63206, 2200, 500]
    assert data["instagram"]["max_images"] == 10
    assert data["instagram"]["secrets"] == "access_token: set (${INSTAGRAM_TOKEN})"
    missing = repo.run("channels", THREADS_TOKEN="")
    assert missing.returncode == 0, missing.stdout + missing.stderr
    table = missing.stdout
    assert all(name in table for name in ("facebook", "instagram", "threads"))
    assert "manual" not in table and "schedule," in table
    assert "missing" in table and not repo.secrets_leaked(listed.stdout, table)
    assert all(token not in listed.stdout for token in TOKENS.values())
