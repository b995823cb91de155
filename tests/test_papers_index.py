"""The papers index at scale, in headless Chromium: author and venue facets,
the page without JavaScript, and a build that lists only the newest papers in
the page so that the rest comes from the data pieces (rows, facets, exports)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from test_browser import (  # noqa: F401
    CHROMIUM_ARGS,
    REPO,
    browser,
    catalog,
    page,
    server,
    site,
    static_server,
    visible_ids,
    wait_ready,
)

from survey_core.formats.bibtex import export_bibtex
from survey_core.model.catalog import newest_first
from survey_core.site import papers_index

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_author_links_filter_the_index_and_show_co_authors(page, catalog):  # noqa: F811
    counts = Counter(a for p in catalog.papers for a in dict.fromkeys(p.authors))
    name = max((a for a in counts if counts[a] >= 2), key=lambda a: (counts[a], a))
    paper = next(p for p in newest_first(catalog.papers) if name in p.authors)
    page.goto(page.base + f"papers/{paper.id}/")
    links = page.locator("p.survey-authors a")
    assert links.count() == len(paper.authors)
    page.click(f"p.survey-authors a:text-is('{name}')")
    page.wait_for_url(re.compile(r"/papers/\?author="))
    assert parse_qs(urlparse(page.url).query) == {"author": [name]}
    wait_ready(page)
    mine = [p.id for p in catalog.papers if name in p.authors]
    assert sorted(visible_ids(page)) == sorted(mine)
    assert page.is_checked(f"input[name=author][value='{name}']")
    co = Counter(a for p in catalog.papers if name in p.authors
                 for a in dict.fromkeys(p.authors) if a != name)
    shown = page.eval_on_selector_all(".survey-coauthors a", "els => els.map(e => e.textContent)")
    top = sorted(co, key=lambda a: (-co[a], a))
    assert shown == top[:len(shown)] and 0 < len(shown) <= 12
    # A co-author link moves the filter to that author.
    other = shown[0]
    page.click(f".survey-coauthors a:text-is('{other}')")
    page.wait_for_function(f"new URLSearchParams(location.search).get('author') === "
                           f"{json.dumps(other)}")
    wait_ready(page)
    assert sorted(visible_ids(page)) == sorted(p.id for p in catalog.papers
                                               if other in p.authors)
    # Unticking the author clears the filter.
    page.click(f"input[name=author][value='{other}']")
    page.wait_for_function("location.search === ''")
    assert len(visible_ids(page)) == len(catalog.papers)


def test_venue_link_on_a_paper_page(page, catalog):  # noqa: F811
    from survey_core.site.papers_index import venue_series

    venues = Counter(venue_series(p.venue) for p in catalog.papers if p.venue)
    assert venues, "the seed catalog has venues"
    series = max(venues, key=lambda v: (venues[v], v))
    paper = next(p for p in catalog.papers if venue_series(p.venue) == series)
    page.goto(page.base + f"papers/{paper.id}/")
    page.click(f".survey-facts a:text-is('{paper.venue}')")
    wait_ready(page)
    assert parse_qs(urlparse(page.url).query) == {"venue": [series]}
    assert sorted(visible_ids(page)) == sorted(p.id for p in catalog.papers
                                               if venue_series(p.venue) == series)
    count = page.locator("fieldset[data-facet=venue] input:checked ~ .survey-facet-count")
    assert count.text_content() == str(venues[series])


@pytest.fixture(scope="module")
def small(tmp_path_factory, browser):  # noqa: F811
    """The seed site built with only the 40 newest papers in the index page, 10
    papers listed on a topic page and 3 a year in a survey's timeline."""
    root = tmp_path_factory.mktemp("small-first")
    for name in ("content", "site_templates"):
        shutil.copytree(REPO / name, root / name)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"survey": {"discovery": {"index_first": 40},
                                     "catalog": {"topic_papers": 10},
                                     "surveys": {"timeline_per_year": 3}}}
                         if p == "survey" else p for p in config["plugins"]]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


@pytest.fixture(scope="module")
def small_server(small):
    with static_server(small / "site") as base:
        yield base


def test_without_javascript_the_newest_papers_and_topic_links(browser, small_server,  # noqa: F811
                                                               catalog):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()  # noqa: F811
    page.goto(small_server + "papers/")
    ids = page.eval_on_selector_all("#survey-index-list li[data-paper]",
                                    "els => els.map(e => e.getAttribute('data-paper'))")
    assert ids == [p.id for p in newest_first(catalog.papers)[:40]]
    assert page.is_hidden("#survey-facets")
    assert "the newest 40 papers are below" in page.text_content("noscript")
    topics = page.eval_on_selector_all("nav.survey-index-topics a",
                                       "els => els.map(e => e.getAttribute('href'))")
    assert topics == [f"../topics/{t.id}/" for t in catalog.taxonomy.roots]
    page.click("nav.survey-index-topics a >> nth=0")
    assert page.text_content("article h1").strip().rstrip("¶") == catalog.taxonomy.roots[0].name
    context.close()


def test_views_beyond_the_page_come_in_pieces(browser, small_server, catalog):  # noqa: F811
    from test_browser import facet_pair
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()  # noqa: F811
    page.set_default_timeout(15000)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(urlparse(r.url).path))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    total = len(catalog.papers)
    newest = [p.id for p in newest_first(catalog.papers)]

    # First view: the page's 40 rows and rows fetched up to a view page; no facet data.
    step = papers_index.PAGE
    assert step > 40
    page.goto(small_server + "papers/")
    wait_ready(page)
    assert visible_ids(page) == newest[:step]
    assert page.text_content("#survey-index-count") == (
        f"{total} of {total} papers, the first {step} shown")
    data = [u for u in seen if "/data/" in u]
    assert "/data/index/meta.json" in data and "/data/index/facets.json" not in data
    assert not any("/exports/" in u or "/text/" in u or "/authors/" in u for u in data)
    page.click("#survey-index-more")
    page.wait_for_function(
        f"document.querySelectorAll('#survey-index-list li').length === {2 * step}")
    assert visible_ids(page) == newest[:2 * step]

    # A filtered first view, beyond the page's rows.
    topic, year, expected = facet_pair(catalog)
    page.goto(small_server + f"papers/?topic={topic}&year={year}")
    wait_ready(page)
    assert visible_ids(page) == [i for i in newest if i in expected]
    papers = [catalog.by_id[i] for i in expected]
    with page.expect_download() as info:
        page.click("button[data-action=download-bib]")
    assert Path(info.value.path()).read_bytes() == export_bibtex(papers).encode("utf-8")
    shards = {u for u in seen if "/exports/" in u}
    assert 0 < len(shards) <= len(expected)

    # Sorting by title over the whole catalog.
    page.goto(small_server + "papers/?sort=title&code=1")
    wait_ready(page)
    with_code = [p for p in catalog.papers if p.has_code]
    assert page.text_content("#survey-index-count").startswith(f"{len(with_code)} of {total}")
    assert errors == []
    context.close()


def test_long_topic_pages_and_timelines_link_to_the_index(browser, small_server,  # noqa: F811
                                                          catalog):  # noqa: F811
    """A topic page lists its 10 newest papers and links to the papers index
    filtered by the topic for all of them; a survey's timeline lists the 3 latest
    papers of a year and links to the index filtered by the survey and the year."""
    context = browser.new_context()
    page = context.new_page()  # noqa: F811
    total = len(catalog.papers)
    topic = max(catalog.taxonomy.topics, key=lambda t: len(catalog.topic_papers[t]))
    papers = catalog.topic_papers[topic]
    assert len(papers) > 10
    page.goto(small_server + f"topics/{topic}/")
    rows = page.eval_on_selector_all(
        "article table tbody a[href*='/papers/'], article table tbody a[href^='../../papers/']",
        "els => els.map(e => e.getAttribute('href').split('/').filter(Boolean).pop())")
    assert rows == [p.id for p in papers[:10]]
    note = page.locator("p.survey-listed")
    assert f"The 10 newest of {len(papers)} papers" in note.text_content()
    note.locator("a").click()
    page.wait_for_url(re.compile(r"/papers/\?topic="))
    wait_ready(page)
    assert page.text_content("#survey-index-count").startswith(f"{len(papers)} of {total}")

    survey = max(catalog.surveys.values(), key=lambda s: len(catalog.survey_papers(s.id)))
    years = Counter(p.year for p in catalog.survey_papers(survey.id) if p.year)
    year, count = max(years.items(), key=lambda kv: kv[1])
    assert count > 3
    page.goto(small_server + f"surveys/{survey.id}/")
    block = page.locator("details", has=page.locator(f"summary:has-text('{year}')")).first
    listed = block.locator("li a").evaluate_all(
        "els => els.map(e => e.getAttribute('href').split('/').filter(Boolean).pop())")
    latest = sorted((p for p in catalog.survey_papers(survey.id) if p.year == year),
                    key=lambda p: (p.sort_date, p.id))[-3:]
    assert listed == [p.id for p in latest]
    link = block.locator("p.survey-listed a")
    assert f"?survey={survey.id}&year={year}" in link.get_attribute("href")
    page.goto(small_server + f"surveys/{survey.id}/" + link.get_attribute("href"))
    wait_ready(page)
    assert page.text_content("#survey-index-count").startswith(f"{count} of {total}")
    context.close()


PROLIFIC = "Ada Prolific"


@pytest.fixture(scope="module")
def prolific(tmp_path_factory):
    """The seed site with 40 papers in the index page and one author added to every
    fifth paper beyond them: 55 papers, no two in one rows shard."""
    root = tmp_path_factory.mktemp("prolific")
    for name in ("content", "site_templates"):
        shutil.copytree(REPO / name, root / name)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [{"survey": {"discovery": {"index_first": 40}}} if p == "survey" else p
                         for p in config["plugins"]]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    from survey_core.model.catalog import load_catalog

    newest = newest_first(load_catalog(root, persist_cache=False).papers)
    mine = [p.id for p in newest[40::5]]
    for pid in mine:
        path = root / "content" / "papers" / f"{pid}.yml"
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        record["authors"] = [*record["authors"], PROLIFIC]
        if "author_count" in record:
            record["author_count"] = max(record["author_count"], len(record["authors"]))
        path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with static_server(root / "site") as base:
        yield base, mine, len(newest), {p.id: p.title for p in newest}


def test_an_authors_first_view_page_comes_in_one_file(browser, prolific):  # noqa: F811
    """The author view of an author with papers in many rows shards fetches the
    author's bucket, which holds the rows of the first view page, and no rows
    shard; the next view page comes on demand."""
    base, mine, total, titles = prolific
    step = papers_index.PAGE
    assert len(mine) > step
    context = browser.new_context()
    page = context.new_page()  # noqa: F811
    page.set_default_timeout(15000)
    seen: list = []
    page.on("requestfinished", lambda r: seen.append(r))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "papers/?author=" + PROLIFIC.replace(" ", "+"))
    wait_ready(page)
    assert visible_ids(page) == mine[:step]
    assert page.text_content("#survey-index-count") == (
        f"{len(mine)} of {total} papers, the first {step} shown")
    assert page.text_content(".survey-facet-authors").split() == [*PROLIFIC.split(),
                                                                  str(len(mine))]
    data = {urlparse(r.url).path: r for r in seen if "/data/index/" in r.url}
    assert sorted(p.rsplit("/", 2)[-2] if "/authors/" in p else p.rsplit("/", 1)[-1]
                  for p in data) == ["authors", "facets.json", "meta.json"]
    # what the author's data costs: one bucket, bounded by its authors' first pages
    bucket = next(r for p, r in data.items() if "/authors/" in p)
    assert bucket.sizes()["responseBodySize"] < 64_000
    # the next view page: its rows from the rows shards, now
    page.click("#survey-index-more")
    page.wait_for_function(
        f"document.querySelectorAll('#survey-index-list li:not([hidden])').length === {len(mine)}")
    assert visible_ids(page) == mine
    rows = [r.url for r in seen if "/data/index/rows/" in r.url]
    assert 0 < len(rows) <= len(mine) - step
    # another order over the author's papers: the rows it needs come too
    page.select_option("select[name=sort]", "title")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'title'")
    wait_ready(page)
    by_title = sorted(mine, key=lambda i: (papers_index.fold(titles[i]), i))
    shown = visible_ids(page)
    assert len(shown) in (step, len(mine)) and shown == by_title[:len(shown)]
    assert errors == []
    context.close()
