"""Without the MkDocs internals the incremental serve needs, ``mkdocs serve``
falls back to full rebuilds: it says so once and serves the site a fresh build
gives after each edit."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from project import copy_project, serving
from test_rebuild import compare_with_fresh_build, get, wait_until

from survey_core.model.records import read_record, write_record

pytestmark = pytest.mark.slow

HOOK = Path(__file__).resolve().parent / "hooks" / "hide_internals.py"
FULL = "every rebuild under `mkdocs serve` is a full one"


def test_serve_falls_back_to_full_rebuilds_without_the_internals(tmp_path):
    root = copy_project(tmp_path / "project")
    shutil.copy(HOOK, root / "hide_internals.py")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["hide_internals.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    records = sorted((root / "content" / "papers").glob("*.yml"))
    log = tmp_path / "serve.log"
    with serving(root, log) as (proc, served):
        wait_until(lambda: get(served + "papers/") is not None, 180, proc, log)
        for round_, path in enumerate(records[:1]):
            record = read_record(path, f"content/papers/{path.name}")[0]
            mark = f"Fallback{round_}"
            write_record(path, replace(record, title=f"{record.title} {mark}"))
            page = f"{served}papers/{record.id}/"
            wait_until(lambda page=page, mark=mark: mark.encode() in (get(page) or b""),
                       90, proc, log)
            time.sleep(1.5)  # a rebuild the watcher has not started yet would be missed
            compare_with_fresh_build(root, served, tmp_path, [])
        text = log.read_text()
    said = [line for line in text.splitlines() if FULL in line]
    assert len(said) == 1, text[-3000:]
    assert "mkdocs.commands.serve" in said[0] and "_populate_page" in said[0]
    assert "pages rendered" not in text  # no incremental rebuild happened
    assert text.count("Building documentation") >= 2
