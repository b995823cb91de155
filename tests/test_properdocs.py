"""The plugins build the real site under ProperDocs too (MkDocs' maintained fork)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from survey.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]


def test_properdocs_builds_the_site(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "site_templates", project / "site_templates")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml",
         "-d", str(tmp_path / "site")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)
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
