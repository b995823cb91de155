"""The built site in headless Chromium: the papers index (facets from the URL,
history, downloads), the BibTeX copy button, search, dark mode.

The site is built once per module from a copy of the repository's
mkdocs.yml/content/site_templates, with two theme settings changed so that the
site makes no request to another host: ``theme.font: false`` (Material would
load Roboto from Google Fonts) and no ``repo_url`` (Material would ask the
GitHub API for the repository's stars).  Every test then checks that the page
logged no console error and requested nothing but 127.0.0.1.

These tests fail (they do not skip) when Chromium is missing.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from survey_core.formats.bibtex import export_bibtex, paper_to_entry
from survey_core.formats.csl import csl_json_text
from survey_core.model.catalog import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(built_site):
    return built_site.root


@pytest.fixture(scope="module")
def catalog(site):
    return load_catalog(site, persist_cache=False)


@contextlib.contextmanager
def static_server(directory: Path):
    """``python -m http.server`` over ``directory`` on a free loopback port: its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the test HTTP server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(site):
    with static_server(site / "site") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required for the browser tests ({CHROMIUM} not found)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watch:
    def __init__(self):
        self.errors: list[str] = []
        self.requests: list[str] = []


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True, color_scheme="light",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("request", lambda r: watch.requests.append(r.url))
    page.watch = watch
    page.base = server
    yield page
    context.close()
    assert watch.errors == []
    foreign = [u for u in watch.requests
               if urlparse(u).scheme not in ("blob", "data")
               and urlparse(u).hostname != "127.0.0.1"]
    assert foreign == []
    assert watch.requests, "no request seen"


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#survey-index-list li[data-paper]",
        "els => els.filter(e => !e.hidden && e.offsetParent !== null)"
        ".map(e => e.getAttribute('data-paper'))")


def wait_ready(page) -> None:
    page.wait_for_selector("#survey-facets:not([hidden])")
    page.wait_for_function(
        "document.querySelector('#survey-index-count').textContent.includes(' of ')")


def facet_pair(catalog) -> tuple[str, int, list[str]]:
    """A topic with sub-topics and a year that together match at least 2 papers."""
    tax = catalog.taxonomy
    best = None
    for topic, _depth in tax.walk():
        years = sorted({p.year for p in catalog.topic_papers[topic.id] if p.year})
        for year in years:
            ids = [p.id for p in catalog.topic_papers[topic.id] if p.year == year]
            deep = any(tid != topic.id for p in catalog.topic_papers[topic.id]
                       if p.year == year for tid in p.topics)
            if len(ids) >= 2 and (best is None or (deep and not best[3])):
                best = (topic.id, year, ids, deep)
    assert best is not None, "no topic/year pair with 2 papers"
    return best[0], best[1], best[2]


def test_list_works_without_javascript(browser, server, catalog):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "papers/")
    ids = page.eval_on_selector_all("#survey-index-list li[data-paper]",
                                    "els => els.map(e => e.getAttribute('data-paper'))")
    assert sorted(ids) == sorted(p.id for p in catalog.papers)
    assert page.is_hidden("#survey-facets")
    context.close()


def test_facets_from_the_url(page, catalog):
    topic, year, expected = facet_pair(catalog)
    page.goto(page.base + f"papers/?topic={topic}&year={year}")
    wait_ready(page)
    assert sorted(visible_ids(page)) == sorted(expected)
    assert page.text_content("#survey-index-count") == (
        f"{len(expected)} of {len(catalog.papers)} papers")
    assert page.is_checked(f"input[name=topic][value={topic}]")
    assert page.is_checked(f"input[name=year][value='{year}']")


def test_venue_facet(page, catalog):
    from survey_core.site.discovery import venue_facets
    from survey_core.site.papers_index import venue_series

    facets = venue_facets(catalog.papers)
    listed = {f.value for f in facets if f.value not in ("other", "none")}
    assert "NeurIPS" in listed and "ICLR" in listed  # "NeurIPS 2023" and "NeurIPS 2024" together
    page.goto(page.base + "papers/?venue=NeurIPS&venue=other")
    wait_ready(page)
    expected = [p.id for p in catalog.papers
                if venue_series(p.venue) == "NeurIPS"
                or (p.venue and venue_series(p.venue) not in listed)]
    assert sorted(visible_ids(page)) == sorted(expected)
    assert page.is_checked("input[name=venue][value=NeurIPS]")
    page.uncheck("input[name=venue][value=other]")
    page.check("input[name=venue][value=none]")
    page.wait_for_function("location.search.includes('venue=none')")
    expected = [p.id for p in catalog.papers if not p.venue or venue_series(p.venue) == "NeurIPS"]
    assert sorted(visible_ids(page)) == sorted(expected)
    # counts of the other boxes follow the other facets (here: none), as for every facet
    count = page.text_content("[data-count-for='venue:ICLR']")
    assert count == str(sum(venue_series(p.venue) == "ICLR" for p in catalog.papers))


def test_facet_click_updates_the_url_and_back_restores_it(page, catalog):
    topic, year, expected = facet_pair(catalog)
    page.goto(page.base + "papers/")
    wait_ready(page)
    assert len(visible_ids(page)) == len(catalog.papers)
    page.check(f"input[name=topic][value={topic}]")
    page.wait_for_function("location.search.includes('topic=')")
    assert parse_qs(urlparse(page.url).query) == {"topic": [topic]}
    assert sorted(visible_ids(page)) == sorted(p.id for p in catalog.topic_papers[topic])
    page.focus(f"input[name=year][value='{year}']")
    page.keyboard.press("Space")  # real checkboxes: the keyboard works too
    page.wait_for_function("location.search.includes('year=')")
    assert sorted(visible_ids(page)) == sorted(expected)

    page.go_back()
    page.wait_for_function("!location.search.includes('year=')")
    assert parse_qs(urlparse(page.url).query) == {"topic": [topic]}
    assert not page.is_checked(f"input[name=year][value='{year}']")
    assert sorted(visible_ids(page)) == sorted(p.id for p in catalog.topic_papers[topic])
    page.go_back()
    page.wait_for_function("location.search === ''")
    assert not page.is_checked(f"input[name=topic][value={topic}]")
    assert len(visible_ids(page)) == len(catalog.papers)
    page.go_forward()
    page.wait_for_function("location.search.includes('topic=')")
    assert page.is_checked(f"input[name=topic][value={topic}]")


def test_text_filter_and_sorting(page, catalog):
    paper = max(catalog.papers, key=lambda p: len(p.title))
    word = max(paper.title.split(), key=len).strip(":,.()")
    page.goto(page.base + "papers/")
    wait_ready(page)
    page.fill("#survey-text", word)
    page.wait_for_function("location.search.includes('text=')")
    shown = visible_ids(page)
    assert paper.id in shown and len(shown) < len(catalog.papers)
    page.fill("#survey-text", "")
    page.select_option("#survey-sort", "title")
    page.wait_for_function("location.search.includes('sort=title')")

    def fold(s):
        return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()

    titles = [fold(catalog.by_id[i].title) for i in visible_ids(page)]
    assert len(titles) == len(catalog.papers)
    assert titles[0] == min(titles)
    page.select_option("#survey-sort", "upvotes")
    page.wait_for_function("location.search.includes('sort=upvotes')")
    votes = [catalog.by_id[i].upvotes or 0 for i in visible_ids(page)]
    assert votes == sorted(votes, reverse=True)


def test_download_what_you_see(page, catalog):
    topic, year, expected = facet_pair(catalog)
    page.goto(page.base + f"papers/?topic={topic}&year={year}")
    wait_ready(page)
    papers = [catalog.by_id[i] for i in expected]
    with page.expect_download() as info:
        page.click("button[data-action=download-bib]")
    bib = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "papers.bib"
    assert bib == export_bibtex(papers).encode("utf-8")
    with page.expect_download() as info:
        page.click("button[data-action=download-csl]")
    assert Path(info.value.path()).read_bytes() == csl_json_text(papers).encode("utf-8")

    # A larger selection, in another sort order: the file does not depend on it.
    page.goto(page.base + "papers/?code=1&sort=title")
    wait_ready(page)
    papers = [p for p in catalog.papers if p.has_code]
    assert len(visible_ids(page)) == len(papers)
    with page.expect_download() as info:
        page.click("button[data-action=download-bib]")
    assert Path(info.value.path()).read_bytes() == export_bibtex(papers).encode("utf-8")


def test_copy_bibtex_from_a_paper_page(page, catalog):
    paper = next(p for p in catalog.papers if p.authors and p.arxiv_id)
    page.goto(page.base + f"papers/{paper.id}/")
    page.click("pre.survey-bibtex button[data-md-type=copy], "
               "#cite ~ pre button[data-md-type=copy]")
    copied = page.evaluate("navigator.clipboard.readText()")
    # Material copies the code block's text without its final newline.
    assert copied == paper_to_entry(paper).rstrip("\n")


def search_files(page) -> list[str]:
    """Paths (under ``_search/``) of the search index files the page fetched."""
    return [urlparse(u).path.split("/_search/", 1)[1] for u in page.watch.requests
            if "/_search/" in urlparse(u).path]


def search_for(page, query: str) -> str:
    """Type ``query`` into the header box: the result count line once shown."""
    page.fill("#survey-search-input", query)
    page.wait_for_function(
        "q => document.querySelector('#survey-search-results').dataset.query === q", arg=query)
    return page.text_content(".survey-search__count")


def result_links(page) -> list[str]:
    return page.eval_on_selector_all(".survey-search__item a",
                                     "els => els.map(e => new URL(e.href).pathname)")


def test_search_finds_a_paper_by_a_word_of_its_abstract(page, catalog):
    """The header search box: a word only one paper's abstract has finds that
    paper, shown with its authors, year and topics and the word marked in the
    excerpt; the keyboard reaches the result; nothing of the index is loaded
    before the box is used, then the manifest, the word's shard and one chunk."""
    import re

    words: dict[str, set[str]] = {}
    for p in catalog.papers:
        for w in set(re.findall(r"[a-z]{9,}", (p.title + " " + (p.abstract or "")).lower())):
            words.setdefault(w, set()).add(p.id)
    word, paper = next((w, catalog.by_id[next(iter(ids))]) for w, ids in sorted(words.items())
                       if len(ids) == 1 and catalog.by_id[next(iter(ids))].authors
                       and catalog.by_id[next(iter(ids))].year
                       and w not in catalog.by_id[next(iter(ids))].title.lower()
                       and w in (catalog.by_id[next(iter(ids))].abstract or "")[:150].lower())
    page.goto(page.base)
    page.wait_for_timeout(300)
    assert search_files(page) == []
    search_for(page, word)
    item = page.locator(".survey-search__item").filter(
        has=page.locator(f"a[href$='/papers/{paper.id}/']"))
    item.wait_for()
    link = item.locator("a")
    facts = item.locator(".survey-search__meta").text_content()
    assert paper.authors[0] in facts and str(paper.year) in facts
    assert catalog.taxonomy[paper.topics[0]].name in facts
    assert link.text_content() == paper.title
    marks = item.locator(".survey-search__excerpt mark").all_text_contents()
    assert word in [m.lower() for m in marks]
    fetched = search_files(page)
    assert fetched[0] == "manifest.json"
    assert any(re.fullmatch(r"s/\w+\.json", f) for f in fetched)
    assert any(re.fullmatch(r"d/\d+\.json", f) for f in fetched)
    page.focus("#survey-search-input")
    page.keyboard.press("ArrowDown")
    for _ in range(10):
        if page.evaluate("document.activeElement.getAttribute('href') || ''").endswith(
                f"/papers/{paper.id}/"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/papers/{re.escape(paper.id)}/"))
    assert page.text_content("article h1").strip() == paper.title


def test_search_fetches_few_files_for_one_word(page):
    page.goto(page.base)
    count = search_for(page, "quantization")
    assert "results" in count
    fetched = search_files(page)
    shards = [f for f in fetched if f.startswith("s/")]
    chunks = [f for f in fetched if f.startswith("d/")]
    assert fetched.count("manifest.json") == 1
    assert 1 <= len(shards) <= 2 and 1 <= len(chunks) <= 8
    assert len(fetched) == 1 + len(shards) + len(chunks)


def test_search_ranks_as_the_reference_search(page, site):
    """The page decodes the posting lists as :func:`search_index.search` does: the
    same count and the same first results, for common words and a prefix."""
    from survey_core.site import search_index as si

    folder = site / "site" / si.FOLDER
    page.goto(page.base)
    for query in ("language model", "quantiz", "llm"):
        found = si.search(lambda name: (folder / name).read_bytes(), query)
        assert len(found) > 8, query
        count = search_for(page, query)
        assert count.startswith(f"{len(found)} results"), (query, count)
        chunks = {}
        urls = []
        for n in found[:8]:
            chunk = chunks.setdefault(n // si.CHUNK, json.loads(
                (folder / f"d/{n // si.CHUNK}.json").read_bytes()))
            urls.append(urlparse(page.base + chunk[n % si.CHUNK]["u"]).path)
        assert result_links(page) == urls, query


def test_search_completes_the_word_being_typed(page, catalog):
    page.goto(page.base)
    count = search_for(page, "quantiz")
    shown = result_links(page)
    quantised = {p.id for p in catalog.papers
                 if "quantiz" in (p.title + " " + (p.abstract or "")).lower()}
    n = int(count.split()[0])
    assert n >= len(quantised) >= 8 and len(shown) == 8
    assert f"{n} results, the first 8 shown" == count
    papers = [u.rstrip("/").rsplit("/", 1)[1] for u in shown if "/papers/" in u]
    assert papers and all(pid in quantised for pid in papers)


def test_search_needs_every_word(page, catalog):
    page.goto(page.base)
    one = int(search_for(page, "quantization").split()[0])
    both = search_for(page, "quantization kv cache")
    n = int(both.split()[0]) if both != "No results" else 0
    assert 0 < n < one
    for url in result_links(page):
        if "/papers/" in url:
            p = catalog.by_id[url.rstrip("/").rsplit("/", 1)[1]]
            text = " ".join([p.title, p.abstract or "", " ".join(
                catalog.taxonomy[t].name for t in p.topics)]).lower()
            assert "quantiz" in text and "cache" in text, p.id


def test_search_finds_an_author_and_a_topic_page(page, catalog):
    from collections import Counter

    counts = Counter(a for p in catalog.papers for a in p.authors)
    author = next(a for a, n in counts.most_common() if n >= 2 and len(a.split()[-1]) > 4
                  and sum(a.split()[-1] in b for b in counts) == 1)
    page.goto(page.base)
    search_for(page, author)
    ids = [u.rstrip("/").rsplit("/", 1)[1] for u in result_links(page)]
    assert set(ids) == {p.id for p in catalog.papers if author in p.authors} or len(ids) == 8
    assert all(author in catalog.by_id[i].authors for i in ids)
    topic = next(t for t in catalog.taxonomy.topics.values() if len(t.name.split()) >= 2)
    search_for(page, topic.name)
    assert any(u.endswith(f"/topics/{topic.id}/") for u in result_links(page))


def test_search_says_when_nothing_matches(page):
    page.goto(page.base)
    assert search_for(page, "zzxqv quantization") == "No results"
    assert page.locator(".survey-search__item").count() == 0


def test_dark_mode_toggle_and_charts_follow_it(page):
    page.goto(page.base)
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    page.click("label.md-header__button[for^=__palette]:visible")
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    fill, colour = page.evaluate("""() => {
        const svg = document.querySelector('svg.survey-chart');
        const text = svg.querySelector('text');
        return [getComputedStyle(text).fill, getComputedStyle(svg).color];
    }""")
    assert fill == colour  # text is drawn in the scheme's foreground colour
    r, g, b = (int(x) for x in colour[colour.index("(") + 1:].split(",")[:3])
    assert min(r, g, b) > 128  # light text on the dark background


def test_the_search_label_is_for_screen_readers_only(page):
    """The header search box's label names the box for assistive technology but is
    not shown beside it, at desktop and phone widths."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page.base)
        label = page.locator("label[for=survey-search-input]")
        assert label.count() == 1
        assert label.text_content().strip() == "Search the papers and pages"
        box = label.bounding_box()
        assert box is None or (box["width"] <= 1 and box["height"] <= 1), (width, box)
        assert page.get_by_label("Search the papers and pages").count() == 1
