"""Topic surveys: citation parsing, scope resolution, cross-links, reference
numbering, and the built site (the real surveys and a third survey added as
one Markdown file)."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import bibtexparser
import pytest

from survey_core.cli import main as survey_main
from survey_core.model.catalog import load_catalog
from survey_core.model.surveys import find_citations, malformed_citations
from survey_core.site.render import Renderer
from survey_core.site.survey_render import expand_survey, reference_numbers

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "site_templates"
REAL_SURVEYS = ("tokenization", "compression")


# -- citation parsing ------------------------------------------------------------------


def test_one_key():
    (cit,) = find_citations("Subwords [@sennrich2015neural] help.")
    assert cit.keys == ["sennrich2015neural"]
    assert (cit.line, cit.column) == (1, 10)


def test_several_keys():
    (cit,) = find_citations("Both [@a2020x; @b2021y;@c2022z] agree.")
    assert cit.keys == ["a2020x", "b2021y", "c2022z"]


def test_several_keys_across_a_line_break():
    (cit,) = find_citations("Both [@a2020x;\n@b2021y] agree.")
    assert cit.keys == ["a2020x", "b2021y"]


@pytest.mark.parametrize("text, before, after", [
    ("as shown ([@a2020x]).", "as shown (", ")."),
    ("first [@a2020x], then", "first ", ", then"),
    ("the end [@a2020x].", "the end ", "."),
    ("[@a2020x]: a note", "", ": a note"),
])
def test_keys_next_to_punctuation(text, before, after):
    (cit,) = find_citations(text)
    assert cit.keys == ["a2020x"]
    assert text[:cit.start] == before and text[cit.end:] == after
    assert malformed_citations(text) == []


def test_escaped_bracket_is_not_a_citation():
    text = r"write \[@key] for a literal bracket"
    assert find_citations(text) == []
    assert malformed_citations(text) == []


def test_line_and_column_count_from_the_body_line():
    body = "intro\n\nsee [@x2020a] and\n  [@y2021b; @z2022c]\n"
    cits = find_citations(body, body_line=7)
    assert [(c.keys, c.line, c.column) for c in cits] == [
        (["x2020a"], 9, 5), (["y2021b", "z2022c"], 10, 3)]


def test_malformed_citation_reported_with_line_and_column():
    body = "fine [@good2020a]\nbad one: [@bad key!] here\n"
    assert malformed_citations(body, body_line=5) == [(6, 10, "[@bad key!]")]
    assert [c.keys for c in find_citations(body)] == [["good2020a"]]


def test_hyphenated_key_is_malformed():
    assert malformed_citations("x [@vaswani-2017]") == [(1, 3, "[@vaswani-2017]")]


# -- a small project ---------------------------------------------------------------------

TAXONOMY = """\
topics:
  - id: parent
    name: Parent topic
    description: The parent topic of the test tree.
  - id: child
    name: Child topic
    parent: parent
    description: A sub-topic of the parent.
  - id: other
    name: Other topic
    description: An unrelated top-level topic.
fallback: other
"""

#: id -> (key, year, topics)
PAPERS = {
    "paper-on-parent": ("alpha2021parent", 2021, ["parent"]),
    "paper-on-child": ("beta2022child", 2022, ["child"]),
    "second-paper-on-child": ("gamma2023second", 2023, ["child", "other"]),
    "paper-on-other": ("delta2020other", 2020, ["other"]),
    "another-paper-on-other": ("eps2024another", 2024, ["other"]),
}


def _survey(title: str, body: str, **front: list[str] | int) -> str:
    lines = ["---", f"title: {title}", f"summary: The {title} survey."]
    for name, value in front.items():
        lines.append(f"{name}: {value if isinstance(value, int) else '[' + ', '.join(value) + ']'}")
    return "\n".join(lines) + "\n---\n\n" + body


def _write_project(root: Path, surveys: dict[str, str]) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    (root / "content" / "surveys").mkdir()
    (root / "content" / "taxonomy.yml").write_text(TAXONOMY, encoding="utf-8")
    for pid, (key, year, topics) in PAPERS.items():
        title = pid.replace("-", " ").capitalize()
        (root / "content" / "papers" / f"{pid}.yml").write_text(
            f"id: {pid}\nkey: {key}\ntitle: {title}\nauthors:\n- Ada Lovelace\n"
            f"authors_complete: true\nyear: {year}\ntopics: [{', '.join(topics)}]\n"
            f"abstract: We study {title.lower()}.\nsources:\n- file: hand.yml\n  line: 1\n"
            "added: '2024-01-01'\n", encoding="utf-8")
    for sid, text in surveys.items():
        (root / "content" / "surveys" / f"{sid}.md").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def small(tmp_path):
    surveys = {
        "alpha": _survey("Alpha", "Child work [@beta2022child; @gamma2023second].\n\n"
                         "<!-- survey:shared -->\n", topics=["parent"], order=1),
        "beta": _survey("Beta", "Other work [@delta2020other].\n\n<!-- survey:shared -->\n",
                        topics=["child"], include=["paper-on-other"],
                        exclude=["second-paper-on-child"], order=2),
        "gamma": _survey("Gamma", "Only other.\n\n<!-- survey:shared -->\n", topics=["other"],
                         order=3),
    }
    root = _write_project(tmp_path / "small", surveys)
    cat = load_catalog(root, persist_cache=False)
    assert [d.format() for d in cat.errors] == []
    return cat


def test_parent_topic_includes_child_papers(small):
    assert set(small.surveys["alpha"].paper_ids) == {
        "paper-on-parent", "paper-on-child", "second-paper-on-child"}


def test_include_and_exclude(small):
    assert set(small.surveys["beta"].paper_ids) == {"paper-on-child", "paper-on-other"}


def test_scope_is_newest_first(small):
    assert small.surveys["alpha"].paper_ids == [
        "second-paper-on-child", "paper-on-child", "paper-on-parent"]


def test_paper_surveys_index(small):
    assert small.paper_surveys["paper-on-child"] == ["alpha", "beta"]
    assert small.paper_surveys["paper-on-other"] == ["beta", "gamma"]


def test_shared_papers(small):
    assert [p.id for p in small.shared_papers("alpha", "beta")] == ["paper-on-child"]
    assert [p.id for p in small.shared_papers("beta", "gamma")] == ["paper-on-other"]
    assert [p.id for p in small.shared_papers("alpha", "gamma")] == ["second-paper-on-child"]
    assert {p.id for p in small.shared_papers("gamma", "alpha")} == {"second-paper-on-child"}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_rendered_shared_counts(tmp_path):
    # Two surveys sharing three papers, one sharing one.
    surveys = {
        "wide": _survey("Wide", "<!-- survey:shared -->\n", topics=["parent", "other"], order=1),
        "narrow": _survey("Narrow", "<!-- survey:shared -->\n", topics=["child"],
                          include=["paper-on-parent"], order=2),
        "tiny": _survey("Tiny", "<!-- survey:shared -->\n", topics=[],
                        include=["another-paper-on-other"], order=3),
    }
    cat = load_catalog(_write_project(tmp_path / "p", surveys), persist_cache=False)
    assert len(cat.shared_papers("wide", "narrow")) == 3
    renderer = Renderer(cat, TEMPLATES)
    wide = _text(expand_survey(cat, renderer, cat.surveys["wide"]))
    assert "3 papers shared with the Narrow survey" in wide
    assert "1 papers shared with the Tiny survey" in wide
    narrow = _text(expand_survey(cat, renderer, cat.surveys["narrow"]))
    assert "3 papers shared with the Wide survey" in narrow
    assert "Tiny survey" not in narrow
    html = expand_survey(cat, renderer, cat.surveys["narrow"])
    assert 'href="../wide/"' in html


def test_shared_section_lists_each_overlapping_survey(small):
    text = _text(expand_survey(small, Renderer(small, TEMPLATES), small.surveys["gamma"]))
    assert "1 papers shared with the Alpha survey" in text  # second-paper-on-child
    assert "1 papers shared with the Beta survey" in text  # paper-on-other


def test_references_numbered_in_order_of_first_citation(tmp_path):
    body = ("Later [@gamma2023second], then [@alpha2021parent; @gamma2023second].\n\n"
            "Again [@beta2022child] and [@alpha2021parent].\n\n<!-- survey:references -->\n")
    cat = load_catalog(_write_project(tmp_path / "p", {
        "refs": _survey("Refs", body, topics=["parent"])}), persist_cache=False)
    survey = cat.surveys["refs"]
    assert survey.cited_keys == ["gamma2023second", "alpha2021parent", "beta2022child"]
    assert reference_numbers(survey) == {
        "gamma2023second": 1, "alpha2021parent": 2, "beta2022child": 3}
    html = expand_survey(cat, Renderer(cat, TEMPLATES), survey)
    cites = re.findall(r'data-cite="([^"]+)">(\d+)</a>', html)
    assert cites == [("gamma2023second", "1"), ("alpha2021parent", "2"), ("gamma2023second", "1"),
                     ("beta2022child", "3"), ("alpha2021parent", "2")]
    refs = re.findall(r'<li id="ref-([^"]+)" value="(\d+)"', html)
    assert refs == [("gamma2023second", "1"), ("alpha2021parent", "2"), ("beta2022child", "3")]


def _survey_file(front: str, body: str) -> str:
    return f"---\n{front}---\n{body}"


@pytest.mark.parametrize("blank_lines", [0, 1, 2])
def test_unknown_key_reported_by_the_catalog(tmp_path, blank_lines):
    # 1 ---, 2 title, 3 topics, 4 ---, then the blank lines, then the body
    text = _survey_file("title: Bad\ntopics: [parent]\n",
                        "\n" * blank_lines + "Fine [@alpha2021parent].\n\n"
                        "But here [@nosuchkey2020] is not.\n")
    root = _write_project(tmp_path / "p", {"bad": text})
    cat = load_catalog(root, persist_cache=False)
    line = 7 + blank_lines
    assert text.splitlines()[line - 1].startswith("But here [@nosuchkey2020]")
    errors = [d.format() for d in cat.errors]
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        f"content/surveys/bad.md:{line}:10: error: citation [@nosuchkey2020] names no paper")
    assert cat.surveys["bad"].cited_keys == ["alpha2021parent"]


@pytest.mark.parametrize("blank_lines", [0, 1])
def test_malformed_citation_reported_by_the_catalog(tmp_path, blank_lines):
    text = _survey_file("title: Bad\ntopics: [parent]\n",
                        "\n" * blank_lines + "Fine.\nBad [@bad key!] here.\n")
    cat = load_catalog(_write_project(tmp_path / "p", {"bad": text}), persist_cache=False)
    line = 6 + blank_lines
    assert text.splitlines()[line - 1].startswith("Bad [@bad key!]")
    errors = [d.format() for d in cat.errors]
    assert any(e.startswith(f"content/surveys/bad.md:{line}:5: error: malformed citation "
                            "'[@bad key!]'") for e in errors), errors


def test_timeline_with_a_paper_of_unknown_year(tmp_path):
    root = _write_project(tmp_path / "p", {
        "t": _survey("T", "<!-- survey:timeline -->\n", topics=["parent"])})
    record = root / "content" / "papers" / "paper-on-parent.yml"
    record.write_text(record.read_text().replace("year: 2021\n", ""))
    cat = load_catalog(root, persist_cache=False)
    renderer = Renderer(cat, TEMPLATES)
    # The timeline is set aside from Markdown (Renderer.stash) and put back in the page.
    text = _text(renderer.unstash(expand_survey(cat, renderer, cat.surveys["t"])))
    assert "Year unknown — 1 papers" in text
    assert "2023 — 1 papers" in text


# -- the built site ----------------------------------------------------------------------


def copy_project(dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", dst / "mkdocs.yml")
    for folder in ("content", "site_templates"):
        shutil.copytree(REPO / folder, dst / folder,
                        ignore=shutil.ignore_patterns(".survey-cache", "__pycache__"))
    return dst


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def resolve(site: Path, page: str, href: str) -> Path | None:
    """The file a relative link on ``page`` (a site-relative URL) points at, or None
    for external links and in-page anchors."""
    if re.match(r"^[a-z]+:", href) or href.startswith(("#", "//")):
        return None
    href = href.split("#")[0].split("?")[0]
    target = posixpath.normpath(posixpath.join(page, href)) if href else page.rstrip("/")
    path = site / target
    return path / "index.html" if href.endswith("/") or path.is_dir() else path


def paper_links(html: str) -> list[str]:
    return [h for h in links(html) if re.search(r"(^|/)papers/[a-z0-9-]+/$", h)]


@pytest.fixture(scope="module")
def real_site(built_site):
    return built_site.root, built_site.catalog


@pytest.mark.slow
@pytest.mark.parametrize("sid", REAL_SURVEYS)
def test_real_survey_page_exists(real_site, sid):
    root, cat = real_site
    assert sid in cat.surveys
    assert (root / "site" / "surveys" / sid / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("sid", REAL_SURVEYS)
def test_real_survey_citations_are_links(real_site, sid):
    root, cat = real_site
    survey = cat.surveys[sid]
    source = (root / survey.path).read_text(encoding="utf-8")
    keys = {k for c in find_citations(source) for k in c.keys}
    assert keys and keys <= set(cat.by_key)
    page = f"surveys/{sid}/"
    html = (root / "site" / page / "index.html").read_text(encoding="utf-8")
    assert "survey-cite-missing" not in html
    assert "[@" not in html
    cited = re.findall(r'<a href="([^"]+)"[^>]*data-cite="([^"]+)"', html)
    assert {k for _h, k in cited} == keys
    for href, key in cited:
        target = resolve(root / "site", page, href)
        assert target == root / "site" / "papers" / cat.by_key[key].id / "index.html"
        assert target.is_file(), href


@pytest.mark.slow
@pytest.mark.parametrize("sid", REAL_SURVEYS)
def test_real_survey_paper_links_resolve(real_site, sid):
    root, _cat = real_site
    site = root / "site"
    page = f"surveys/{sid}/"
    html = (site / page / "index.html").read_text(encoding="utf-8")
    found = paper_links(html)
    assert len(found) > 20
    missing = [h for h in links(html) if "papers/" in h
               and (t := resolve(site, page, h)) is not None and not t.is_file()]
    assert missing == []


@pytest.mark.slow
@pytest.mark.parametrize("sid", REAL_SURVEYS)
def test_real_survey_bibtex_has_exactly_the_scope(real_site, sid):
    root, cat = real_site
    bib = root / "site" / "bib" / "surveys" / f"{sid}.bib"
    assert bib.is_file()
    library = bibtexparser.parse_string(bib.read_text(encoding="utf-8"))
    assert library.failed_blocks == []
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys))
    assert set(keys) == {cat.by_id[i].key for i in cat.surveys[sid].paper_ids}


@pytest.mark.slow
def test_real_surveys_check_cleanly(capsys):
    assert survey_main(["--root", str(REPO), "check", "--errors-only"]) == 0
    out = capsys.readouterr().out
    assert "content/surveys/" not in out


THIRD = """\
---
title: A third survey
summary: Added as one Markdown file.
topics: [kv-cache]
order: 3
---

Eviction [@bai2024citrus] and selection [@wu2024tokenselect] both shrink what attention reads.

<!-- survey:shared -->

<!-- survey:references -->
"""


@pytest.mark.slow
def test_third_survey_is_just_a_markdown_file(tmp_path):
    root = copy_project(tmp_path / "project")
    (root / "content" / "surveys" / "test-third.md").write_text(THIRD, encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = root / "site"
    page = "surveys/test-third/"
    html = (site / page / "index.html").read_text(encoding="utf-8")
    cat = load_catalog(root, persist_cache=False)
    cited = re.findall(r'<a href="([^"]+)"[^>]*data-cite="([^"]+)"', html)
    assert {k for _h, k in cited} == {"bai2024citrus", "wu2024tokenselect"}
    for href, key in cited:
        target = resolve(site, page, href)
        assert target == site / "papers" / cat.by_key[key].id / "index.html"
        assert target.is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', home, re.S)
    assert nav is not None
    assert 'href="surveys/test-third/"' in nav.group(0)
    assert "A third survey" in nav.group(0)
    # the survey is listed, and its scope is shared with the compression survey
    assert "test-third" in (site / "surveys" / "index.html").read_text(encoding="utf-8")
    assert (site / "bib" / "surveys" / "test-third.bib").is_file()
    assert "shared with the" in _text(html)


BAD = """\
---
title: A broken survey
topics: [kv-cache]
---

Fine [@bai2024citrus].

Broken [@nosuchkey1999] here.
"""


@pytest.mark.slow
def test_unknown_key_fails_build_and_check(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    (root / "content" / "surveys" / "test-bad.md").write_text(BAD, encoding="utf-8")
    result = mkdocs_build(root)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "content/surveys/test-bad.md:8" in output, output[-3000:]
    assert "nosuchkey1999" in output
    assert survey_main(["--root", str(root), "check", "--errors-only"]) == 1
    out = capsys.readouterr().out
    assert "content/surveys/test-bad.md:8:8: error: citation [@nosuchkey1999]" in out


def test_a_long_reading_list_shows_the_papers_added_last():
    """A survey's reading list lists the ``reading_list`` papers added last and
    says that there are more (the seed catalog's own list is empty, so three
    papers are made unread here)."""
    from survey_core.model.catalog import load_catalog
    from survey_core.site.render import Renderer
    from survey_core.site.survey_render import expand_survey

    root = Path(__file__).resolve().parents[1]
    cat = load_catalog(root, persist_cache=False)
    survey = next(s for s in cat.surveys.values() if s.revised)
    mine = [cat.by_id[i] for i in survey.paper_ids[:3]]
    survey.unread_ids = [p.id for p in mine]
    renderer = Renderer(cat, root / "site_templates")
    renderer.reading_list = 2
    text = renderer.unstash(expand_survey(cat, renderer, survey))
    block = text[text.index('<details class="survey-unread"'):]
    block = block[:block.index("</details>")]
    assert "<strong>3</strong> papers added since the text was revised" in block
    listed = re.findall(r'href="\.\./\.\./papers/([^/"]+)/"', block)
    last = sorted(mine, key=lambda p: (p.added or "", p.id), reverse=True)[:2]
    assert listed == [p.id for p in last]
    assert "The 2 added last are listed" in block


def test_shared_papers_list_the_newest():
    from survey_core.model.catalog import load_catalog, newest_first
    from survey_core.site.render import Renderer

    root = Path(__file__).resolve().parents[1]
    cat = load_catalog(root, persist_cache=False)
    survey, other = sorted(cat.surveys.values(), key=lambda s: s.id)[:2]
    items = newest_first(cat.papers)[:5]
    html = Renderer(cat, root / "site_templates").render(
        "survey_shared.html", shared=[(other, items)], shared_limit=3, survey=survey,
        page=f"surveys/{survey.id}/")
    assert re.findall(r'href="\.\./\.\./papers/([^/"]+)/"', html) == [p.id for p in items[:3]]
    assert "The 3 newest of the 5 shared papers are listed." in html
