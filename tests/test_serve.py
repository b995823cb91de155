"""``mkdocs serve`` rebuilds when a record changes: edit a title, see it served.

Runs the real development server (with live reload) on a free port of
127.0.0.1 in a temporary copy of a small project, edits
``content/papers/<id>.yml`` and polls the paper page and its topic page until
they show the new title.
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from project import copy_project, serving

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "bad_input" / "fixture"
PID = "neural-machine-translation-of-rare-words-with-subword"
TOPIC = "tokenization"
OLD_TITLE = "Neural Machine Translation of Rare Words with Subword Units"
#: Longest wait accepted between saving the record and the new title being served.
MAX_RELOAD_SECONDS = 10.0
START_TIMEOUT = 120.0

pytestmark = pytest.mark.slow


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, needle: str, timeout: float, proc: subprocess.Popen, log: Path
             ) -> float:
    """Seconds until the page at ``url`` contains ``needle``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            pytest.fail(f"mkdocs serve exited with {proc.returncode}:\n{log.read_text()}")
        body = fetch(url)
        if body is not None and needle in body:
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"{url} did not show {needle!r} within {timeout} s:\n"
                f"{log.read_text()[-3000:]}")


def test_serve_rebuilds_paper_and_topic_pages_on_edit(tmp_path):
    root = copy_project(tmp_path / "project", FIXTURE / "content")
    log = tmp_path / "serve.log"
    with serving(root, log) as (proc, site):
        paper_url = f"{site}papers/{PID}/"
        topic_url = f"{site}topics/{TOPIC}/"
        wait_for(paper_url, OLD_TITLE, START_TIMEOUT, proc, log)
        assert OLD_TITLE in (fetch(topic_url) or "")

        new_title = f"Rare Words as Subword Units, edited at {time.time_ns()}"
        record = root / "content" / "papers" / f"{PID}.yml"
        text = record.read_text(encoding="utf-8")
        assert f"title: {OLD_TITLE}\n" in text
        record.write_text(text.replace(f"title: {OLD_TITLE}\n", f"title: {new_title}\n"),
                          encoding="utf-8")
        seconds = wait_for(paper_url, new_title, 60, proc, log)
        assert seconds <= MAX_RELOAD_SECONDS, f"the page changed after {seconds:.1f} s"
        topic_seconds = wait_for(topic_url, new_title, 60, proc, log)
        assert topic_seconds <= MAX_RELOAD_SECONDS
        assert OLD_TITLE not in (fetch(paper_url) or "")
        assert OLD_TITLE not in (fetch(topic_url) or "")
        # The live-reload script is injected, so an open browser tab refreshes.
        assert "livereload" in (fetch(paper_url) or "")
