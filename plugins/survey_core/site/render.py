"""Rendering pages from the templates (Jinja, autoescaped): the packaged ones, each
overridable by a project's ``site_templates/`` (:mod:`survey_core.site.templates`).
No MkDocs import.

Every value from a record is data: templates autoescape it, URLs pass
:func:`safe_url` (http and https only), and abstracts are split into plain
paragraphs.  Pages are addressed by site-relative URLs such as
``papers/<id>/``; :func:`rel` turns them into links relative to the page
being rendered, so the site works from any base path and from ``file://``.
"""

from __future__ import annotations

import heapq
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import jinja2
from markupsafe import Markup, escape

from survey_core.model.catalog import Catalog
from survey_core.model.memo import Carry
from survey_core.model.model import Paper
from survey_core.site.papers_index import venue_series
from survey_core.model.text import contribution_line, first_sentence
from survey_core.site.templates import TemplateSet
from survey_core.site.tree import caption_text, taxonomy_tree, tree_html

_BLOCK_RE = re.compile(r"<!--survey-block:(\d+)-->")
_BLOCK_RE_BYTES = re.compile(rb"<!--survey-block:(\d+)-->")
_LOCAL_RE = re.compile(r"<!--survey-local:(\d+)-->")

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def paper_url(paper_or_id: Paper | str) -> str:
    pid = paper_or_id if isinstance(paper_or_id, str) else paper_or_id.id
    return f"papers/{pid}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def survey_url(survey_id: str) -> str:
    return f"surveys/{survey_id}/"


def rel(target: str, page_url: str) -> str:
    """A link from the page at ``page_url`` (e.g. ``topics/x/``) to ``target``.

    Both are site-relative (no leading slash); page URLs are folders ending in
    ``/``, or ``""`` for the home page.  Pure string work: it runs for every
    link of every generated page."""
    if "/" not in page_url:
        return target or "./"
    # Climb to the site root, then descend; drop the common leading folders.
    page_parts = page_url.rstrip("/").split("/")
    target_parts = target.split("/")
    common = 0
    while (common < len(page_parts) and common < len(target_parts) - 1
           and page_parts[common] == target_parts[common]):
        common += 1
    out = "../" * (len(page_parts) - common) + "/".join(target_parts[common:])
    return out or "./"


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain http(s) URL, else None (never ``javascript:``)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    if any(c in url for c in "\"'<> \t\n\r`"):
        return None
    return url


def doi_url(doi: Any) -> str | None:
    """The https://doi.org/ address of a DOI (its suffix percent-encoded where a URL needs it)."""
    if not isinstance(doi, str) or not doi.startswith("10."):
        return None
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def paragraphs(text: str) -> list[str]:
    parts = re.split(r"\n\s*\n", text.strip())
    return [" ".join(p.split()) for p in parts if p.strip()]


def display_date(paper: Paper) -> str:
    if paper.year and paper.month:
        return f"{MONTH_NAMES[paper.month - 1]} {paper.year}"
    return str(paper.year) if paper.year else ""


def authors_text(paper: Paper, limit: int | None = None) -> str:
    if paper.authors:
        names = paper.authors if limit is None else paper.authors[:limit]
        text = ", ".join(names)
        if (limit is not None and len(paper.authors) > limit) or not paper.authors_complete:
            text += " et al."
        return text
    if paper.author_count:
        return f"{paper.author_count} authors (names not yet recorded)"
    return "Authors not yet recorded"


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, so a rebuild under ``mkdocs serve``
    (which makes new Jinja environments) does not compile them again.  Jinja
    checks each entry against the template's source: an edited template is
    compiled afresh."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.load_bytecode(io.BytesIO(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        self.store[bucket.key] = out.getvalue()


#: Shared by the page templates and (through the MkDocs adapter) the theme's.
TEMPLATE_CACHE = MemoryBytecodeCache()


#: Papers listed on a topic page by default (newest first): a page stays light
#: however many papers a topic gathers; the papers index lists them all.
TOPIC_PAPERS = 200
#: Papers listed per year in a survey's timeline by default.
TIMELINE_PER_YEAR = 20
#: Papers listed in a survey's reading list (added since its text was revised) by default.
READING_LIST = 50


class Renderer:
    """Renders catalog pages from a template folder."""

    def __init__(self, catalog: Catalog, templates: Path | TemplateSet | None = None,
                 site_name: str = "Survey", repo_url: str | None = None,
                 edit_branch: str = "main", site_description: str = ""):
        self.catalog = catalog
        #: where each template comes from: a project folder overriding the packaged ones
        self.templates = (templates if isinstance(templates, TemplateSet)
                          else TemplateSet(templates))
        self.site_name = site_name
        self.site_description = site_description or ""
        self.repo_url = (repo_url or "").rstrip("/") or None
        self.edit_branch = edit_branch
        self.env = jinja2.Environment(
            loader=self.templates.loader(),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            bytecode_cache=TEMPLATE_CACHE,
        )
        self.env.globals.update(
            rel=rel, paper_url=paper_url, topic_url=topic_url, survey_url=survey_url,
            safe_url=safe_url, doi_url=doi_url, paragraphs=paragraphs, display_date=display_date,
            authors_text=authors_text, first_sentence=first_sentence,
            contribution_line=contribution_line, cat=catalog,
            tax=catalog.taxonomy, site_name=site_name, month_names=MONTH_NAMES,
            site_description=self.site_description,
            venue_series=venue_series,
        )
        self.env.filters["tojson_attr"] = lambda v: escape(_json(v))
        self.env.filters["stash"] = self.stash
        #: Large generated HTML blocks, kept out of Markdown (see :meth:`stash`).
        self.blocks: list[str] = []
        self._templates: dict[str, jinja2.Template] = {}
        #: optional PaperMemo (set by the MkDocs adapter) for per-record fragments
        self.memo = None
        #: papers listed on a topic page, newest first (0: all); the page links
        #: to the papers index filtered by the topic for the rest
        self.topic_papers = TOPIC_PAPERS
        #: papers listed per year in a survey's timeline (0: all), the rest linked
        #: as the papers index filtered by the survey and the year
        self.timeline_per_year = TIMELINE_PER_YEAR
        #: papers listed in a survey's reading list, most recently added first (0: all)
        self.reading_list = READING_LIST
        self._rows: dict[str, Markup] = {}
        #: the home page's most recently added papers (ids), once chosen
        self._recent: list[str] | None = None
        #: ids of the papers the topics page's figure shows
        self.tree_shown: set[str] = set()

    def template(self, name: str) -> jinja2.Template:
        if name not in self._templates:
            self._templates[name] = self.env.get_template(name)
        return self._templates[name]

    def render(self, name: str, **context: Any) -> str:
        return self.template(name).render(**context)

    def stash(self, html: str) -> Markup:
        """Set a large HTML block aside and return a placeholder comment.

        Templates of Markdown pages wrap big tables and lists in
        ``{% filter stash %}``: Markdown and the search indexer then see one
        HTML comment instead of thousands of elements, and :meth:`unstash`
        puts the block back into the finished page."""
        self.blocks.append(str(html))
        return Markup(f"\n<!--survey-block:{len(self.blocks) - 1}-->\n")

    def unstash(self, html: str) -> str:
        if "<!--survey-block:" not in html:
            return html
        return _BLOCK_RE.sub(lambda m: self.blocks[int(m.group(1))], html)

    def kept(self, carry: Carry, key: str, make: Callable[[], str]) -> str:
        """``make()``, or the text ``carry`` kept under ``key`` from the last
        build, its large blocks (see :meth:`stash`) stashed again here."""
        fresh: list[str] = []

        def made() -> tuple[str, list[str]]:
            fresh.append(make())  # its blocks are stashed here already
            order: dict[int, int] = {}

            def localise(m: re.Match) -> str:
                order.setdefault(int(m.group(1)), len(order))
                return f"<!--survey-local:{order[int(m.group(1))]}-->"
            return _BLOCK_RE.sub(localise, fresh[0]), [self.blocks[i] for i in order]

        local, blocks = carry.get(key, made)
        if fresh:
            return fresh[0]
        base = len(self.blocks)
        self.blocks.extend(blocks)
        return _LOCAL_RE.sub(lambda m: f"<!--survey-block:{base + int(m.group(1))}-->", local)

    def release(self, text: str) -> None:
        """Forget the blocks set aside for ``text`` (once its page is written)."""
        for m in _BLOCK_RE.finditer(text):
            self.blocks[int(m.group(1))] = ""

    def stashed(self, text: str | bytes) -> list[str]:
        """The blocks whose placeholders ``text`` holds."""
        if isinstance(text, bytes):
            return [self.blocks[int(m.group(1))] for m in _BLOCK_RE_BYTES.finditer(text)]
        return [self.blocks[int(m.group(1))] for m in _BLOCK_RE.finditer(text)]

    def edit_url(self, path: str) -> str | None:
        if not self.repo_url or "github.com" not in self.repo_url:
            return None
        return f"{self.repo_url}/edit/{self.edit_branch}/{path}"

    # -- pages -----------------------------------------------------------
    def paper_body(self, paper: Paper, bibtex: str = "", related: list[Paper] | None = None
                   ) -> str:
        cat = self.catalog
        page = paper_url(paper)
        topics = [cat.taxonomy[t] for t in paper.topics if t in cat.taxonomy]
        return self.render(
            "paper.html", paper=paper, page=page, topics=topics,
            surveys=[cat.surveys[s] for s in cat.paper_surveys.get(paper.id, [])],
            bibtex=bibtex, related=related or [],
            edit_url=self.edit_url(paper.path or f"content/papers/{paper.id}.yml"),
        )

    def topic_page(self, topic_id: str) -> str:
        cat = self.catalog
        topic = cat.taxonomy[topic_id]
        page = topic_url(topic_id)
        row_template = self.template("paper_row.html")

        def row(paper: Paper) -> Markup:
            # Every topic page sits at the same depth, so a paper's row is the same
            # on all of them: render it once (and keep it across rebuilds in memo).
            def make() -> Markup:
                return Markup(row_template.render(paper=paper, page="topics/x/"))
            if self.memo is not None:
                return self.memo.get("topic-row", paper, make)
            if paper.id not in self._rows:
                self._rows[paper.id] = make()
            return self._rows[paper.id]

        papers = cat.topic_papers.get(topic_id, [])
        years = Counter(p.year for p in papers if p.year)
        return self.render(
            "topic.md", topic=topic, page=page, papers=papers, row=row,
            shown=papers[:self.topic_papers] if self.topic_papers > 0 else papers,
            direct=len(cat.topic_direct.get(topic_id, [])),
            path=[cat.taxonomy[t] for t in reversed(cat.taxonomy.ancestors(topic_id))],
            children=[cat.taxonomy[c] for c in topic.children],
            surveys=[cat.surveys[s] for s in cat.topic_surveys.get(topic_id, [])],
            years=sorted(years.items()), with_code=sum(1 for p in papers if p.has_code),
        )

    def index_rows(self) -> Callable[[list[Paper]], Markup]:
        """papers -> their entries in the papers index, one a line (see :meth:`index_row`)."""
        row = self.index_row()
        return lambda papers: Markup("\n".join(map(row, papers)))

    def index_row(self) -> Callable[[Paper], Markup]:
        """paper -> its entry in the papers index (``papers_index_row.html``)."""
        template = self.template("papers_index_row.html")

        def row(paper: Paper) -> Markup:
            return Markup(template.render(paper=paper, page="papers/"))
        return row

    def topics_index(self) -> str:
        figure = taxonomy_tree(self.catalog)
        #: ids of the papers the topics page's figure shows (see ``tree_shown``)
        self.tree_shown = {p.id for node in figure.walk() for p in node.shown}
        return self.render("topics.md", page="topics/", tree=self.catalog.taxonomy.walk(),
                           figure=self.stash(tree_html(self, figure, "topics/", caption_text(
                               figure, "the whole survey"))))

    def home(self, charts: dict[str, str] | None = None) -> str:
        cat = self.catalog
        surveys = sorted(cat.surveys.values(), key=lambda s: (s.order, s.id))
        if self._recent is None:
            self._recent = [p.id for p in heapq.nlargest(
                10, cat.papers, key=lambda p: (p.added or "", p.sort_date, p.id))]
        # (an edit patched in place keeps the fields these are chosen by)
        recent = [cat.by_id[i] for i in self._recent]
        return self.render("home.md", page="", figures=cat.figures(), surveys=surveys,
                           roots=cat.taxonomy.roots, recent=recent, charts=charts or {})


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def markup(text: str) -> Markup:
    return Markup(text)
