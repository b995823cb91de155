"""Build the real site with `mkdocs build --strict` in a temp folder and check it."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(built_site):
    assert "WARNING" not in built_site.log
    return built_site.root, built_site.site, built_site.catalog


def test_a_page_per_paper_with_its_record(built):
    _project, site, catalog = built
    assert len(catalog.papers) == 315
    for paper in catalog.papers:
        page = (site / "papers" / paper.id / "index.html").read_text(encoding="utf-8")
        assert f'data-paper="{paper.id}"' in page
        text = html.unescape(page)
        assert f'<h1 id="title">{paper.title}</h1>' in text
        assert f"<code>{paper.key}</code>" in page
        assert f"<title>{paper.title}" in text
        for topic in paper.topics:
            assert f'href="../../topics/{topic}/"' in page
        assert (site / "papers" / paper.id / f"{paper.key}.bib").exists()
    assert not (site / "papers" / "__shell__").exists()


def test_a_page_per_topic_and_the_overview(built):
    _project, site, catalog = built
    overview = (site / "topics" / "index.html").read_text(encoding="utf-8")
    for topic_id, topic in catalog.taxonomy.topics.items():
        page = (site / "topics" / topic_id / "index.html").read_text(encoding="utf-8")
        assert re.search(r"<h1 id=\"[^\"]*\">" + re.escape(topic.name) + "<", html.unescape(page))
        listed = set(re.findall(r'<tr data-paper="([^"]+)"', page))
        assert listed == {p.id for p in catalog.topic_papers[topic_id]}
        assert f'href="{topic_id}/"' in overview


def test_paper_pages_stay_out_of_the_navigation(built):
    _project, site, catalog = built
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[:nav.index('<div class="md-content"')]
    assert "topics/" in nav and "surveys/" in nav
    assert not any(f"papers/{p.id}/" in nav for p in catalog.papers)


def test_home_page_shows_the_collection_figures(built):
    _project, site, catalog = built
    home = (site / "index.html").read_text(encoding="utf-8")
    figures = catalog.figures()
    for name in ("papers", "with_arxiv", "with_complete_authors", "with_year", "with_code",
                 "with_doi"):
        assert f"<strong>{figures[name]}</strong>" in home, name
    for survey in catalog.surveys.values():
        assert f'href="surveys/{survey.id}/"' in home


def test_collection_bib_has_every_key(built):
    _project, site, catalog = built
    text = (site / "bib" / "all.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", text, re.MULTILINE)
    assert sorted(keys) == sorted(p.key for p in catalog.papers)


def test_check_passes_on_the_repository():
    result = subprocess.run([sys.executable, "-m", "survey_core.cli", "--root", str(ROOT), "check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr
