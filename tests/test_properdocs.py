"""The plugins build the real site under ProperDocs too (MkDocs' maintained fork)."""

from __future__ import annotations

import re
import time
from dataclasses import replace

from project import copy_project, run_build, serving
from test_rebuild import get, wait_until

from survey_core.model.catalog import load_catalog
from survey_core.model.records import read_record, write_record


def test_properdocs_builds_the_site(tmp_path):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "-f", "mkdocs.yml", "-d", str(tmp_path / "site"),
                       tool="properdocs")
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    catalog = load_catalog(project, persist_cache=False)
    for paper in catalog.papers:
        page = site / "papers" / paper.id / "index.html"
        assert page.exists(), page
    sample = catalog.papers[0]
    html = (site / "papers" / sample.id / "index.html").read_text(encoding="utf-8")
    assert f'data-paper="{sample.id}"' in html
    for topic_id in catalog.taxonomy.topics:
        assert (site / "topics" / topic_id / "index.html").exists()
    assert (site / "bib" / "all.bib").exists()


def test_properdocs_serve_rebuilds_incrementally(tmp_path):
    root = copy_project(tmp_path / "project")
    path = sorted((root / "content" / "papers").glob("*.yml"))[0]
    record = read_record(path, f"content/papers/{path.name}")[0]
    log = tmp_path / "serve.log"
    with serving(root, log, tool="properdocs") as (proc, served):
        page = f"{served}papers/{record.id}/"
        wait_until(lambda: get(page) is not None, 180, proc, log)
        # a title edit is patched into the site, without a build
        write_record(path, replace(record, title=f"{record.title} Plover"))
        wait_until(lambda: b"Plover" in (get(page) or b""), 90, proc, log)
        time.sleep(0.5)
        assert "survey: patched 1 record(s)" in log.read_text(), log.read_text()[-3000:]
        # a paper moved to another topic goes through an incremental build
        other = "pruning" if "pruning" not in record.topics else "quantization"
        write_record(path, replace(record, title=f"{record.title} Sandpiper", topics=[other]))
        wait_until(lambda: b"Sandpiper" in (get(page) or b""), 90, proc, log)
        time.sleep(0.5)
        text = log.read_text()
    # the rebuild was incremental: most pages and files were left as they were
    assert "every rebuild under `mkdocs serve` is a full one" not in text
    assert re.search(r"survey: \d+ pages rendered, [1-9]\d* unchanged", text), text[-3000:]
