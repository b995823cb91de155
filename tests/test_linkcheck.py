"""tests/linkcheck.py: the internal link checker the pull-request workflow runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURE = HERE / "bad_input" / "fixture"
sys.path.insert(0, str(HERE))

import linkcheck  # noqa: E402
from project import copy_project, run_build  # noqa: E402


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "index.html", """<!doctype html><html><head>
<link rel="stylesheet" href="assets/site.css">
<link rel="canonical" href="https://example.org/llm-survey/">
<script src="assets/app.js?v=3"></script></head><body>
<a href="papers/a/">A</a>
<a href="papers/a">A without slash</a>
<a href="papers/a/index.html#abstract">A, abstract</a>
<a href="topics/x%20y/">space</a>
<a href="#top">top</a>
<a href="?q=1">query</a>
<a href="https://arxiv.org/abs/1706.03762">arXiv</a>
<a href="//cdn.example.org/x.js">cdn</a>
<a href="mailto:someone@example.org">mail</a>
<img src="data:image/png;base64,AAAA">
<a href="bib/all.bib" download>bib</a>
</body></html>""")
    write(root / "assets/site.css", "body{}")
    write(root / "assets/app.js", "")
    write(root / "papers/a/index.html", '<a href="../../">home</a> <a href="../b/">b</a>'
                                         '<a href="../../topics/">topics</a>')
    write(root / "papers/b/index.html", '<a href="../a/">a</a>')
    write(root / "topics/index.html", '<a href="../papers/a/">a</a>')
    write(root / "topics/x y/index.html", "<p>ok</p>")
    write(root / "bib/all.bib", "")
    write(root / "404.html", '<a href="/llm-survey/topics/">topics</a>'
                             '<link href="/llm-survey/assets/site.css" rel="stylesheet">')
    return root


def test_a_good_site_passes(site):
    pages, links, broken = linkcheck.check_site(site, "/llm-survey/")
    assert pages == 6 and links > 20
    assert broken == []


@pytest.mark.parametrize("href,reason", [
    ("../papers/c/", "no file papers/c/index.html"),
    ("../papers/a/missing.png", "no file papers/a/missing.png"),
    ("../papers/a/index.html/", "no file papers/a/index.html/index.html"),
    ("../../outside.html", "points outside the site"),
    ("/other-site/x/", "outside the site's base path /llm-survey/"),
    ("/llm-survey/nowhere/", "no file nowhere/index.html"),
    ("javascript:alert(1)", "scheme javascript: is not allowed"),
    ("../bib/topics/none.bib#x", "no file bib/topics/none.bib"),
])
def test_broken_links_are_reported_with_file_and_line(site, href, reason):
    write(site / "topics/index.html", f'<p>first line</p>\n<a href="{href}">bad</a>\n')
    _pages, _links, broken = linkcheck.check_site(site, "/llm-survey/")
    assert [b.format(site.resolve()) for b in broken] == [
        f"topics/index.html:2: broken link {href!r} ({reason})"]


def test_src_attributes_are_checked(site):
    write(site / "papers/b/index.html", '<img src="figure.png">')
    _pages, _links, broken = linkcheck.check_site(site, "/llm-survey/")
    assert [(b.url, b.file.name) for b in broken] == [("figure.png", "index.html")]


def test_command_line(site, tmp_path):
    script = HERE / "linkcheck.py"
    ok = subprocess.run([sys.executable, str(script), str(site), "--base-path", "/llm-survey/"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 broken" in ok.stderr
    write(site / "papers/a/index.html", '<a href="../nope/">x</a>')
    bad = subprocess.run([sys.executable, str(script), str(site), "--base-path", "/llm-survey/"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "papers/a/index.html:1: broken link '../nope/'" in bad.stdout
    missing = subprocess.run([sys.executable, str(script), str(tmp_path / "nosite")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2


def test_base_path_comes_from_mkdocs_yml(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\nsite_url: https://example.org/llm-survey  # deployed\n")
    assert linkcheck.site_base_path(config) == "/llm-survey/"
    config.write_text("site_name: X\n")
    assert linkcheck.site_base_path(config) == "/"
    assert linkcheck.site_base_path(REPO / "mkdocs.yml").startswith("/")


@pytest.mark.slow
def test_a_built_project_has_no_broken_links(tmp_path):
    root = copy_project(tmp_path / "project", FIXTURE / "content")
    build = run_build(root, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    out = subprocess.run([sys.executable, str(HERE / "linkcheck.py"), "site"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
