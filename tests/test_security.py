"""Record and taxonomy text is data: markup in it never reaches the built site as markup.

A temporary project gets a record whose title, abstract, authors,
organisation, venue and links carry script tags, event-handler attributes,
``javascript:`` URLs and iframes (and a topic whose name and description,
and a survey whose title and summary, do too).  The site is built with
``mkdocs build --strict``; every HTML file is parsed and must hold no such
element or attribute, while the text itself shows, escaped, on the paper page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "bad_input" / "fixture"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
IFRAME = '<iframe src="https://evil.example/"></iframe>'
JS_LINK = '<a href="javascript:alert(1)">click</a>'
PID = "evil-paper"
ABSTRACT = (f"First paragraph {SCRIPT} and {IMG}.\n\nSecond {IFRAME} paragraph with {JS_LINK} "
            "and [a link](javascript:alert(1)) and <svg onload=alert(1)>.")
TITLE = f"{SCRIPT} {IMG} Evil {IFRAME} paper javascript:alert(1) [md](javascript:alert(1))"

EVIL_RECORD = f"""\
# yaml-language-server: $schema=../paper.schema.json
id: {PID}
key: mallory2024evil
title: {json.dumps(TITLE)}
authors:
- {json.dumps(SCRIPT)}
- {json.dumps(IMG)}
- Mallory {json.dumps(JS_LINK)[1:-1]}
authors_complete: true
year: 2024
month: 5
upvotes: 3
organisation: {json.dumps(IFRAME + " " + SCRIPT)}
venue: {json.dumps(JS_LINK + " " + IMG)}
arxiv_id: '2405.00001'
primary_class: {json.dumps("cs.CL" + SCRIPT)}
links:
  code: {json.dumps('https://example.org/"><script>alert(1)</script>')}
  project: {json.dumps("https://example.org/?q=<img/src=x/onerror=alert(1)>")}
  pdf: {json.dumps("https://example.org/x'onmouseover='alert(1)")}
topics:
- language-models
- evil-topic
abstract: {json.dumps(ABSTRACT)}
sources:
- file: {json.dumps("listing.txt" + SCRIPT)}
  line: 1
provenance:
  title: {json.dumps("hand " + IMG)}
added: '2024-10-02'
"""

EVIL_TOPIC = f"""\
  - id: evil-topic
    name: {json.dumps("Evil " + SCRIPT)}
    parent: language-models
    description: {json.dumps("About " + IMG + " and " + IFRAME + " and " + JS_LINK)}
"""


URL_ATTRS = ("href", "src", "action", "formaction", "data", "xlink:href")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class Audit(HTMLParser):
    """Collects what must never appear in a built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            self._script = []

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag in ("iframe", "frame", "object", "embed"):
            self.problems.append(f"<{tag}> element")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            url = (value or "").strip().lower().replace("\t", "")
            if name.lower() in URL_ATTRS and url.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            body = "".join(self._script)
            if "alert" in body:
                self.problems.append(f"<script> with {body[:60]!r}")
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        else:
            self.text.append(data)


def audit(path: Path) -> Audit:
    parser = Audit()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def make_project(tmp_path: Path, record: str = EVIL_RECORD) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", root / "site_templates")
    shutil.copytree(FIXTURE / "content", root / "content")
    tax = root / "content" / "taxonomy.yml"
    text = tax.read_text(encoding="utf-8")
    tax.write_text(text.replace("fallback:", EVIL_TOPIC + "fallback:"), encoding="utf-8")
    (root / "content" / "papers" / f"{PID}.yml").write_text(record, encoding="utf-8")
    survey = root / "content" / "surveys" / "tokenization.md"
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text.replace("title: Tokenization for language models",
                                   f"title: {json.dumps('Tokenization ' + SCRIPT)}")
                      .replace("summary: How text becomes tokens.",
                               f"summary: {json.dumps('How ' + IMG + ' text ' + JS_LINK)}"),
                      encoding="utf-8")
    return root


def build(root: Path, strict: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # Not -q: it keeps warnings from being counted, and --strict would pass on errors.
    cmd = [sys.executable, "-m", "mkdocs", "build", "-d", "site"]
    return subprocess.run(cmd + (["--strict"] if strict else []), cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("security"))
    check = subprocess.run([sys.executable, "-c", "import sys; from survey_core.cli import main; "
                            "sys.exit(main(['check', '--errors-only']))"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    out = build(root)
    assert out.returncode == 0, out.stdout + out.stderr
    return root / "site"


def test_paper_page_has_no_markup_and_shows_the_text(site):
    page = site / "papers" / PID / "index.html"
    result = audit(page)
    assert result.problems == []
    text = " ".join(" ".join(result.text).split())
    for needle in (SCRIPT, IMG, "Evil", "Mallory", IFRAME, "[a link](javascript:alert(1))"):
        assert needle in text, f"{needle!r} not shown as text"
    raw = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_topic_and_home_pages_have_no_markup(site):
    for rel in ("topics/evil-topic/index.html", "topics/language-models/index.html",
                "index.html", "topics/index.html", "surveys/tokenization/index.html"):
        page = site / rel
        assert page.exists(), rel
        result = audit(page)
        assert result.problems == [], rel
        assert "Evil" in " ".join(result.text) or "Tokenization" in " ".join(result.text), rel
    topic_text = " ".join(audit(site / "topics/evil-topic/index.html").text)
    assert SCRIPT in topic_text and IMG in topic_text


def test_unsafe_links_are_dropped(site):
    page = (site / "papers" / PID / "index.html").read_text(encoding="utf-8")
    assert "example.org/&#34;" not in page and 'example.org/"' not in page
    assert "onmouseover" not in page.replace("onmouseover=&#39;", "")
    assert "https://arxiv.org/abs/2405.00001" in page  # the safe link is kept


def test_every_generated_file_is_clean(site):
    html_files = sorted(site.rglob("*.html"))
    assert len(html_files) > 5
    problems = {p.relative_to(site).as_posix(): audit(p).problems for p in html_files}
    assert {k: v for k, v in problems.items() if v} == {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix in (".html", ".js", ".css", ".woff", ".woff2",
                                                   ".png", ".svg", ".ico", ".gz"):
            continue
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            _check_json_strings(data, path)
        elif path.suffix in (".xml", ".bib", ".txt", ".csv", ".ris", ".tsv", ".md", ".yml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".xml":
                assert "<script" not in text.lower(), path
                assert "<iframe" not in text.lower(), path


def _check_json_strings(value, path: Path) -> None:
    """JSON is data: a string may hold the text, but the search index's HTML must be escaped."""
    if isinstance(value, dict):
        for item in value.values():
            _check_json_strings(item, path)
    elif isinstance(value, list):
        for item in value:
            _check_json_strings(item, path)
    elif isinstance(value, str) and path.name == "search_index.json":
        parser = Audit()
        parser.feed(value)
        parser.close()
        assert parser.problems == [], (path, value[:200])


def test_javascript_link_is_an_error_and_never_rendered(tmp_path):
    """A record with a javascript: link fails `survey check` (and so `--strict`);
    built anyway, the link is not on the page."""
    record = EVIL_RECORD.replace(
        "  code: " + json.dumps('https://example.org/"><script>alert(1)</script>'),
        "  code: javascript:alert(1)")
    root = make_project(tmp_path, record)
    strict = build(root)
    assert strict.returncode != 0
    assert f"content/papers/{PID}.yml" in strict.stdout + strict.stderr
    loose = build(root, strict=False)
    assert loose.returncode == 0, loose.stderr
    for path in sorted((root / "site").rglob("*.html")):
        assert audit(path).problems == [], path


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_title_in_search_results_is_text(site):
    """The header search box shows a title, authors and excerpt full of markup
    as text: no element of theirs is made, no script runs."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, static_server

    with static_server(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(base)
            page.fill("#survey-search-input", "evil paper")
            item = page.locator(".survey-search__item").filter(
                has=page.locator(f"a[href$='/papers/{PID}/']"))
            item.wait_for()
            assert item.locator("a").text_content() == TITLE
            assert SCRIPT in item.locator(".survey-search__meta").text_content()
            excerpt = item.locator(".survey-search__excerpt").text_content()
            assert excerpt.startswith(f"First paragraph {SCRIPT} and {IMG}")
            panel = page.locator("#survey-search-results")
            assert panel.locator("script, img, iframe, svg").count() == 0
            # the query's words marked in the excerpt ("evil.example" of the iframe's URL)
            assert [m.lower() for m in item.locator(".survey-search__excerpt mark")
                    .all_text_contents()] == ["evil"]
            page.wait_for_timeout(300)
            assert dialogs == []
        finally:
            browser.close()
