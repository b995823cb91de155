"""``survey new`` and ``survey enrich`` end to end, in temporary projects.

The arXiv API is either unreachable (the real one: this machine has no
internet; or a closed port on 127.0.0.1) or a local HTTP server on 127.0.0.1
answering with the recorded response in tests/fixtures/arxiv-api/.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from survey_core.model.records import _Loader

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "bad_input" / "fixture"
FEED = (Path(__file__).resolve().parent / "fixtures" / "arxiv-api"
        / "id_list-1111.2011v2.xml").read_text(encoding="utf-8")
EMPTY_FEED = '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id></feed>'
QUANTUM = ("Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large "
           "Connectivity Limit")
SURVEY = [sys.executable, "-c", "import sys; from survey_core.cli import main; sys.exit(main())"]


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copytree(FIXTURE / "content", root / "content")
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def run(root: Path, *args: str, api: str | None = None, timeout: float = 120
        ) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("SURVEY_ARXIV_API", None)
    if api is not None:
        env["SURVEY_ARXIV_API"] = api
    return subprocess.run([*SURVEY, *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=timeout)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


class FakeArxiv:
    """A local stand-in for export.arxiv.org/api/query."""

    def __init__(self, fail_search: bool = False):
        self.fail_search = fail_search
        self.urls: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.urls.append(self.path)
                if "search_query" in self.path and outer.fail_search:
                    self.send_error(503, "Service Unavailable")
                    return
                body = FEED if "id_list=1111.2011" in self.path else EMPTY_FEED
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/query"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeArxiv:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- survey new ------------------------------------------------------------------------


def test_new_writes_a_valid_record_with_suggested_topics(tmp_path):
    root = make_project(tmp_path)
    out = run(root, "new", "--title", "Scaling Laws for Neural Language Models",
              "--author", "Jared Kaplan", "--author", "Sam McCandlish", "--year", "2020",
              "--code", "https://github.com/example/scaling")
    assert out.returncode == 0, out.stderr
    path = root / "content/papers/scaling-laws-for-neural-language-models.yml"
    assert f"created content/papers/{path.name}" in out.stdout
    assert "suggested topics" in out.stdout and "language-models" in out.stdout
    assert "survey check" in out.stdout
    data = load(path)
    assert data["key"] == "kaplan2020scaling"
    assert data["authors"] == ["Jared Kaplan", "Sam McCandlish"]
    assert data["topics"] == ["language-models"]
    assert data["links"] == {"code": "https://github.com/example/scaling"}
    check = run(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_new_with_topics_and_dry_run_writes_nothing(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    out = run(root, "new", "--title", "A Tokenizer Study", "--topic", "tokenization",
              "--dry-run")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# yaml-language-server: $schema=../paper.schema.json")
    data = yaml.load(out.stdout, Loader=_Loader)
    assert data["topics"] == ["tokenization"] and data["id"] == "a-tokenizer-study"
    assert snapshot(root) == before


@pytest.mark.parametrize("title", [
    "Attention Is All You Need",
    "attention is all you need!",
    "Attention Is All You Need.",
    "Atention Is All You Neeed",  # 2 edits
])
def test_new_refuses_duplicate_titles(tmp_path, title):
    root = make_project(tmp_path)
    before = snapshot(root)
    out = run(root, "new", "--title", title)
    assert out.returncode == 1
    assert "content/papers/attention-is-all-you-need.yml" in out.stderr
    assert "'Attention Is All You Need'" in out.stderr
    assert snapshot(root) == before


def test_new_accepts_a_title_that_differs_enough(tmp_path):
    root = make_project(tmp_path)
    out = run(root, "new", "--title", "Attention Is Not All You Need", "--dry-run")
    assert out.returncode == 0, out.stderr


def test_new_refuses_a_known_arxiv_id_without_network(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    out = run(root, "new", "--arxiv", "https://arxiv.org/abs/1706.03762v5",
              api=f"http://127.0.0.1:{closed_port()}/api/query")
    assert out.returncode == 1
    assert "same arXiv id 1706.03762" in out.stderr
    assert "content/papers/attention-is-all-you-need.yml" in out.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize("args,message", [
    (["--title", "X Y Z", "--topic", "quantisation"], "did you mean 'quantization'"),
    (["--title", "X Y Z", "--code", "javascript:alert(1)"], "is not an http(s) URL"),
    (["--title", "X Y Z", "--year", "20"], "year 20 is out of range"),
    (["--arxiv", "not-an-id"], "is not an arXiv identifier"),
    ([], "--title"),
])
def test_new_rejects_bad_options(tmp_path, args, message):
    root = make_project(tmp_path)
    before = snapshot(root)
    out = run(root, "new", *args)
    assert out.returncode == 1
    assert message in out.stderr
    assert snapshot(root) == before


def test_new_arxiv_offline_prints_one_line_and_writes_nothing(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    out = run(root, "new", "--arxiv", "2001.08361",
              api=f"http://127.0.0.1:{closed_port()}/api/query")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "cannot reach the arXiv API" in lines[0] and "nothing was written" in lines[0]
    assert out.stdout == ""
    assert snapshot(root) == before


def test_new_arxiv_fills_the_record_from_the_api(tmp_path):
    root = make_project(tmp_path)
    with FakeArxiv() as api:
        out = run(root, "new", "--arxiv", "1111.2011", "--topic", "language-models",
                  api=api.url)
    assert out.returncode == 0, out.stderr
    assert len(api.urls) == 1 and "id_list=1111.2011" in api.urls[0]
    path = root / "content/papers/quantum-criticality-for-extended-nodes-on-a-bethe.yml"
    data = load(path)
    assert data["title"] == QUANTUM
    assert data["arxiv_id"] == "1111.2011"
    assert data["authors"] == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert data["authors_complete"] is True
    assert (data["year"], data["month"]) == (2011, 11)
    assert data["key"] == "murray2011quantum"
    assert data["links"]["arxiv"] == "https://arxiv.org/abs/1111.2011"
    assert data["provenance"]["authors"].startswith("arxiv-api ")
    assert run(root, "check").returncode == 0


def test_new_arxiv_not_found(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(root)
    with FakeArxiv() as api:
        out = run(root, "new", "--arxiv", "2001.08361", api=api.url)
    assert out.returncode == 1
    assert "arXiv has no paper 2001.08361" in out.stderr
    assert snapshot(root) == before


# -- survey enrich -----------------------------------------------------------------------

INCOMPLETE = """\
# yaml-language-server: $schema=../paper.schema.json
id: quantum-criticality
key: quantum2011
title: Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit
arxiv_id: '1111.2011'
topics:
- language-models
abstract: ''
sources:
- file: listing.txt
  line: 1
added: '2024-10-01'
"""

NO_ID = """\
# yaml-language-server: $schema=../paper.schema.json
id: some-unknown-paper
key: unknown2024some
title: Some Unknown Paper About Language Models
topics:
- language-models
abstract: ''
sources:
- file: listing.txt
  line: 1
added: '2024-10-01'
"""


def add_incomplete(root: Path, no_id: bool = False) -> None:
    (root / "content/papers/quantum-criticality.yml").write_text(INCOMPLETE, encoding="utf-8")
    if no_id:
        (root / "content/papers/some-unknown-paper.yml").write_text(NO_ID, encoding="utf-8")


@pytest.mark.parametrize("dry_run", [True, False])
def test_enrich_without_network_one_line_no_change(tmp_path, dry_run):
    """The real arXiv API: this machine (and CI) cannot reach it."""
    root = make_project(tmp_path)
    add_incomplete(root, no_id=True)
    before = snapshot(root)
    out = run(root, "enrich", *(["--dry-run"] if dry_run else []), timeout=90)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    errors = [line for line in lines if not line.lstrip().startswith("papers looked up")]
    assert len(errors) == 1, out.stderr
    assert errors[0].startswith("enrich: cannot reach the arXiv API"), errors[0]
    assert out.stdout == ""
    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith(".survey-cache/")} == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_enrich_closed_port_one_line_no_change(tmp_path, dry_run):
    root = make_project(tmp_path)
    add_incomplete(root, no_id=True)
    before = snapshot(root)
    out = run(root, "enrich", *(["--dry-run"] if dry_run else []),
              api=f"http://127.0.0.1:{closed_port()}/api/query")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [out.stderr.strip()], out.stderr
    assert "cannot reach the arXiv API (127.0.0.1:" in out.stderr
    assert out.stdout == ""
    after = snapshot(root)
    assert {k: v for k, v in after.items() if not k.startswith(".survey-cache/")} == before


def test_enrich_dry_run_reports_and_changes_nothing(tmp_path):
    root = make_project(tmp_path)
    add_incomplete(root)
    before = snapshot(root)
    with FakeArxiv() as api:
        out = run(root, "enrich", "--dry-run", api=api.url)
    assert out.returncode == 0, out.stderr
    assert "quantum-criticality (arXiv 1111.2011, found by id):" in out.stdout
    assert "authors: (empty) -> James M. Murray" in out.stdout
    assert out.stdout.strip().splitlines()[-1].startswith("would update 1 of 1 papers")
    assert "papers looked up on arXiv: 1/1" in out.stderr
    assert snapshot(root) == before


def test_enrich_writes_records_and_state_then_skips(tmp_path):
    root = make_project(tmp_path)
    add_incomplete(root)
    with FakeArxiv() as api:
        out = run(root, "enrich", api=api.url)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip().splitlines()[-1].startswith("updated 1 of 1 papers")
        data = load(root / "content/papers/quantum-criticality.yml")
        assert data["authors"][0] == "James M. Murray" and data["year"] == 2011
        assert data["provenance"]["authors"].startswith("arxiv-api ")
        state = json.loads((root / ".survey-cache/enrich-state.json").read_text())
        assert state["done"] == ["quantum-criticality"]
        again = run(root, "enrich", api=api.url)
        assert again.returncode == 0
        assert len(api.urls) == 1  # the second run asked nothing
    assert run(root, "check").returncode == 0


def test_enrich_offline_midway_keeps_what_was_found(tmp_path):
    root = make_project(tmp_path)
    add_incomplete(root, no_id=True)
    with FakeArxiv(fail_search=True) as api:
        out = run(root, "enrich", api=api.url)
    assert out.returncode == 1
    assert len(api.urls) == 2
    error_lines = [x for x in out.stderr.splitlines() if x.startswith("enrich:")]
    assert len(error_lines) == 1 and "HTTP 503" in error_lines[0]
    assert "1 updated records were saved" in error_lines[0]
    data = load(root / "content/papers/quantum-criticality.yml")
    assert data["authors"][0] == "James M. Murray"
    state = json.loads((root / ".survey-cache/enrich-state.json").read_text())
    assert state["done"] == ["quantum-criticality"]
    assert not (root / ".survey-cache/enrich-state.run.json").exists()


def test_enrich_only_named_ids_and_limit(tmp_path):
    root = make_project(tmp_path)
    add_incomplete(root, no_id=True)
    with FakeArxiv() as api:
        out = run(root, "enrich", "--dry-run", "some-unknown-paper", api=api.url)
        assert out.returncode == 0, out.stderr
        assert [u for u in api.urls if "id_list" in u] == []
        assert "some-unknown-paper: no-match" in out.stdout
        api.urls.clear()
        out = run(root, "enrich", "--limit", "1", api=api.url)
        assert out.returncode == 0, out.stderr
        assert len(api.urls) == 1 and "id_list=1111.2011" in api.urls[0]
    state = json.loads((root / ".survey-cache/enrich-state.json").read_text())
    assert state["done"] == ["quantum-criticality"]
    bad = run(root, "enrich", "no-such-paper")
    assert bad.returncode == 1 and "no record with id 'no-such-paper'" in bad.stderr
