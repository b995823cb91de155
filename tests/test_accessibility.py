"""Accessibility of the built seed site: axe-core (installed from npm into
``tests/.axe/`` by ``tests/run.sh``) run in headless Chromium on every page type,
in the light and the dark scheme, must report no serious or critical WCAG 2
A/AA violation; the papers index filters work by keyboard alone."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import CHROMIUM_ARGS, browser, catalog, server, site, wait_ready  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pages_to_check(catalog) -> list[str]:  # noqa: F811
    paper = next(p for p in catalog.papers if p.authors and p.abstract and p.has_code)
    topic = max(catalog.topic_papers, key=lambda t: len(catalog.topic_papers[t]))
    year = max(p.year for p in catalog.topic_papers[topic] if p.year)
    return ["", f"papers/{paper.id}/", f"papers/?author={quote(paper.authors[0])}",
            f"topics/{topic}/", "topics/", *(f"surveys/{s}/" for s in sorted(catalog.surveys)),
            "papers/",
            f"papers/?topic={topic}&year={year}", "help-wanted/"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_findings(browser, server, catalog, scheme):  # noqa: F811
    if not AXE.exists():
        pytest.fail(f"axe-core is required ({AXE} not found: run bash tests/run.sh)")
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15000)
    found = {}
    try:
        for url in pages_to_check(catalog):
            page.goto(server + url)
            if url.startswith("papers/?") or url == "papers/":
                wait_ready(page)
            expected = "slate" if scheme == "dark" else "default"
            assert page.get_attribute("body", "data-md-color-scheme") == expected
            if url == "":  # the home page with search results open
                page.fill("#survey-search-input", "quantization")
                page.wait_for_selector(".survey-search__item")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', "
                                   "values: tags}})", TAGS)
            bad = [f"{v['id']}: {n['target']} {n['failureSummary'][:200]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")
                   for n in v["nodes"]]
            if bad:
                found[url] = bad
            assert result["passes"], "axe checked nothing"
    finally:
        context.close()
    assert found == {}


def test_filters_by_keyboard_alone(browser, server, catalog):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(server + "papers/")
    wait_ready(page)
    page.focus("#survey-text")
    labels = page.eval_on_selector_all(
        "#survey-facets input, #survey-facets select",
        "els => els.filter(e => !e.labels || !e.labels.length || !e.labels[0].textContent.trim())"
        ".map(e => e.outerHTML)")
    assert labels == []  # every control has a label a screen reader announces
    # Tab from the text filter reaches the sort, then the first topic box; Space ticks it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "topic":
            break
    value = page.evaluate("document.activeElement.value")
    assert page.evaluate("document.activeElement.name") == "topic"
    page.keyboard.press("Space")
    page.wait_for_function("location.search.includes('topic=')")
    assert page.is_checked(f"input[name=topic][value='{value}']")
    context.close()
