"""The taxonomy tree figure in headless Chromium: on each survey page (its scope)
and on the topics page (the whole tree), every paper at a leaf links to its paper
page, every sub-topic is named, a leaf's "+N more" opens the papers index
filtered to exactly that group, and the figure is usable by keyboard alone."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest
from test_browser import browser, catalog, page, server, site, wait_ready  # noqa: F401

from survey_core.site.tree import taxonomy_tree

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def figure_links(page) -> list[tuple[str, str]]:  # noqa: F811
    """(href, text) of every paper link at the figure's leaves."""
    return [tuple(pair) for pair in page.eval_on_selector_all(
        "figure.survey-taxonomy .survey-taxonomy__papers li:not(.survey-taxonomy__more) a",
        "els => els.map(a => [a.href, a.textContent])")]


def check_leaves(page, tree, url: str) -> None:  # noqa: F811
    page.goto(url)
    figure = page.locator("figure.survey-taxonomy")
    assert figure.is_visible()
    text = " ".join(figure.inner_text().split())
    for node in tree.walk():
        assert node.topic.name in text, node.topic.name
    links = figure_links(page)
    expected = {(urljoin(page.base, f"papers/{p.id}/"), tree.names[p.id])
                for node in tree.walk() for p in node.shown}
    assert set(links) == expected and len(links) == tree.shown
    # Each link opens its paper's page (the page's heading is the paper's title).
    titles = {p.id: p.title for node in tree.walk() for p in node.shown}
    for href, _name in sorted(set(links)):
        response = page.request.get(href)
        assert response.status == 200, href
        pid = href.rstrip("/").rsplit("/", 1)[1]
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", response.text(), re.DOTALL)
        assert heading and html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).strip() \
            == titles[pid], href


def test_survey_pages_tree_links_every_leaf_to_its_paper_page(page, catalog):  # noqa: F811
    for survey in catalog.surveys.values():
        tree = taxonomy_tree(catalog, survey)
        subtopics = [t for root in survey.topics for t in catalog.taxonomy.descendants(root)]
        assert {n.topic.id for n in tree.walk()} == set(subtopics)
        check_leaves(page, tree, page.base + f"surveys/{survey.id}/")


def test_topics_page_tree_links_every_leaf_to_its_paper_page(page, catalog):  # noqa: F811
    tree = taxonomy_tree(catalog)
    assert {n.topic.id for n in tree.walk()} == set(catalog.taxonomy.topics)
    check_leaves(page, tree, page.base + "topics/")


def test_more_opens_the_index_filtered_to_the_rest(page, catalog):  # noqa: F811
    survey = catalog.surveys["compression"]
    tree = taxonomy_tree(catalog, survey)
    node = next(n for n in tree.walk() if n.more > 0)
    page.goto(page.base + f"surveys/{survey.id}/")
    page.click(f"figure.survey-taxonomy .survey-taxonomy__more a[href$='{node.query}']")
    wait_ready(page)
    count = page.text_content("#survey-index-count")
    assert re.search(rf"\b{node.total}\b of", count), count


def test_the_figure_by_keyboard(page, catalog):  # noqa: F811
    survey = catalog.surveys["tokenization"]
    tree = taxonomy_tree(catalog, survey)
    page.goto(page.base + f"surveys/{survey.id}/")
    first = page.locator("figure.survey-taxonomy a").first
    first.focus()
    order = []
    for _ in range(12):
        order.append(page.evaluate("document.activeElement.textContent"))
        page.keyboard.press("Tab")
    # Tab walks the root topic, then the first sub-topic and its papers, in order.
    root, sub = tree.nodes[0], tree.nodes[0].children[0]
    assert order[0].startswith(root.topic.name)
    assert order[1].startswith(sub.topic.name)
    assert order[2] == tree.names[sub.shown[0].id]
    # Enter on a paper opens its page.
    page.locator("figure.survey-taxonomy .survey-taxonomy__papers a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/papers/{sub.shown[0].id}/")
    # Screen readers hear a count as "N papers", and the figure by its caption.
    page.go_back()
    label = page.get_attribute("figure.survey-taxonomy ul.survey-taxonomy__tree",
                               "aria-labelledby")
    assert page.text_content(f"#{label}").startswith("Taxonomy of this survey's scope")
    count = page.text_content("figure.survey-taxonomy .survey-taxonomy__count")
    assert re.fullmatch(r"\d+ papers?", count), count
