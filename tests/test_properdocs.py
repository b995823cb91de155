"""The plugins build the real site under ProperDocs too (MkDocs' maintained fork)."""

from __future__ import annotations

from project import copy_project, run_build

from survey.catalog import load_catalog


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
