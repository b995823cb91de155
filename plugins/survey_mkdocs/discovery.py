"""The discovery part of the ``survey`` plugin: finding papers in the browser.

* ``papers/``: every paper in one server-rendered list, with facets, a text
  filter, sorting and "download what you see" (``assets/survey/papers-index.js``
  reading ``data/index/``, see :mod:`survey_core.site.papers_index`);
* related papers on every paper page (TF-IDF, cached in ``.survey-cache/``);
* Google Scholar / Open Graph ``<head>`` tags on paper pages;
* Atom feeds: ``feed.xml`` and ``surveys/<id>/feed.xml``;
* papers-per-year SVG charts for the home page (``charts["years"]``) and each
  survey page (``charts["survey:<id>"]``);
* ``help-wanted/``: what the records are missing, and facts to verify;
* the site's search index ``_search/`` (:mod:`survey_core.site.search_index`) for the
  header search box: every paper, topic, survey and ordinary page;
* paper pages in Material's search index (when its search plugin is listed).

The work is done by
:mod:`survey_core.site.related`, :mod:`survey_core.site.charts`, :mod:`survey_core.site.feed`,
:mod:`survey_core.site.scholar` and :mod:`survey_core.site.discovery`; this module only wires them
into the build.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from survey_core.model.forked import Forked
from survey_core.model.memo import Carry
from survey_core.model.text import first_sentence
from survey_core.site import charts, discovery, feed, papers_index, scholar, search_index
from survey_core.site.related import RelatedCache, RelatedStats, related_ids, related_patch
from survey_core.site.render import rel, topic_url

from .config import DiscoveryConfig
from .files import LedgerFile, add_file
from .state import BuildState, Part

log = logging.getLogger("mkdocs.plugins.survey")

INDEX_PAGE = "papers/index.md"
INDEX_SCRIPT = "assets/survey/papers-index.js"
HELP_PAGE = "help-wanted/index.md"
FEED = "feed.xml"
#: How long the build waits for the related papers' second process when it reaches
#: the paper pages before it makes the search index in the meantime (a second or so
#: at 10,000 papers, where the index itself takes 1.5 s; tens at 50,000)
RELATED_GRACE = 1.0


class DiscoveryPart(Part):
    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        self._related_cache: RelatedCache | None = None
        self._root: Path | None = None
        #: page URL -> its search documents (JSON), kept for pages a rebuild skips
        self._page_docs: dict[str, list[str]] = {}
        self._paper_docs: discovery.SearchDocs | None = None
        self._paper_docs_params: tuple[int, int, int] | None = None
        #: data/index/ pieces kept between `mkdocs serve` rebuilds
        self._index_kept = Carry()
        #: the site's search index, kept between `mkdocs serve` rebuilds
        self._search_index: search_index.SearchIndex | None = None
        #: the catalog docs' search terms, scored in a second process (a build)
        self._search_terms: Forked | None = None
        #: related papers being computed in a second process (a build)
        self._related_job: tuple | None = None
        #: page source -> (URL, title, text) of the ordinary pages, kept for pages a
        #: rebuild skips
        self._page_text: dict[str, tuple[str, str, str]] = {}
        #: feed (None: the site's) -> ids of the papers it shows
        self._feed_ids: dict[str | None, set[str]] = {}
        self._exported = None
        self._index_patch: papers_index.IndexPatch | None = None
        #: the search index of this build is written already (see finish_related)
        self._search_written = False

    @property
    def config(self) -> DiscoveryConfig:
        return self.plugin.config.discovery

    def on_shutdown(self) -> None:
        if self._related_cache is not None:
            self._related_cache.flush()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for name in ("related", "feed_size", "few_papers", "index_first"):
            if self.config[name] < 0:
                raise PluginError(f"survey: discovery: '{name}' must be 0 or more")

    def on_files_related(self, st: BuildState) -> None:
        """Related papers, computed before the exports are made: the similarity
        matrix's peak memory is then not added to that of the exports.  Before
        them, the search terms of a large catalog start in a second process."""
        self._search_written = False
        self._fork_search_terms(st)
        if self.config.related:
            self._related(st)

    def on_files(self, files: Files, st: BuildState, config: MkDocsConfig) -> None:
        cat = st.catalog
        self._index_patch = None
        if self.config.scholar:
            feed_link = self.config.feed
            name = f"head:{config.site_url}:{config.site_name}:{feed_link}"

            def head(paper) -> str:
                extra = scholar.head_tags(
                    paper, site_url=config.site_url, site_name=config.site_name,
                    description=(first_sentence(paper.abstract, 200) if paper.abstract
                                 else None))
                if feed_link:
                    extra += (f'\n<link rel="alternate" type="application/atom+xml" '
                              f'title="{_attr(config.site_name)}: new papers" '
                              f'href="{rel(FEED, f"papers/{paper.id}/")}">')
                return extra

            st.head_makers.append(head)
            st.head_inputs.append(name)
        if self.config.charts:
            self._charts(st)
        if self.config.feed:
            self._feeds(st, files, config)
        if self.config.index:
            self._index(st, files, config)
        if self.config.help_wanted:
            self._help = discovery.help_wanted(cat, self.config.few_papers)
            self._help_rows: dict[tuple[str, bool], list] = {}
            row = self._gap_row(st)

            def gap_rows(gaps, note_header):
                # each list's rows are kept (under `mkdocs serve`) for patch_help
                name = next(n for n in discovery.GAP_LISTS if getattr(self._help, n) is gaps)
                rows = self._help_rows.get((name, bool(note_header)))
                if rows is None or len(rows) != len(gaps):
                    rows = [row(g, note_header) for g in gaps]
                    if self.command == "serve":
                        self._help_rows[(name, bool(note_header))] = rows
                return Markup("\n".join(rows))

            def help_page() -> str:
                return st.renderer.render(
                    "help_wanted.md", page="help-wanted/", few=self.config.few_papers,
                    hw=self._help,
                    record_link=lambda p: self._repo_link(
                        st, p.path or f"content/papers/{p.id}.yml"),
                    gap_rows=gap_rows,
                    facts_link=lambda line: self._repo_link(st, discovery.FACTS_FILE, line))
            self._patch_row = row
            st.makers[HELP_PAGE] = help_page
            add_file(files, config, HELP_PAGE, help_page())

    # -- parts -----------------------------------------------------------
    def _related(self, st: BuildState) -> None:
        cat = st.catalog
        if self._related_cache is None or self._root != cat.root:
            self._related_cache = RelatedCache(cat.root, persist=self.config.related_cache)
            self._root = cat.root
        self._related_cache.defer = self.plugin.dirty  # written when serve stops
        cache = self._related_cache
        started = time.perf_counter()

        def compute() -> tuple[dict, RelatedStats]:
            stats = RelatedStats()
            found = related_ids(cat.papers, self.config.related, cache=cache,
                                incremental=self.command == "serve",
                                min_score=self.config.related_min_score, stats=stats)
            return found, stats

        if self.command != "serve":
            self._related_cache = None  # term counts of every paper: not needed again
        weighs = self.command == "serve" and cache.prepared is None and self._large(st)
        if self._forks(st) or weighs:
            # Only the paper pages need them (on_env): computed beside the exports,
            # the papers index and the Markdown pages, in a second process (which
            # also writes the related cache).  The first build under `mkdocs serve`
            # weighs the whole corpus for the edits to come (a gigabyte of term
            # counts and arrays for a moment at 50,000 papers): the second process
            # does it and hands back the cache with the weights (70 MB).
            def weigh() -> tuple:
                found, stats = compute()
                cache.drop_terms()  # on disk: the edits need only the weights
                return found, stats, cache

            self._related_job = (Forked(weigh if weighs else compute), compute, started,
                                 weighs)
        else:
            self._related_job = None
            self._take_related(st, compute(), started, "")

    def finish_related(self, st: BuildState | None, config: MkDocsConfig, files: Files) -> None:
        """The related papers computed in a second process (before ``on_env``).
        If they are not there within :data:`RELATED_GRACE` seconds, the search
        index is made and written now (its documents are known once MkDocs has
        read the Markdown pages) instead of when the build ends: at 50,000 papers
        this process would otherwise wait for them idle for 20 s, then make the
        index alone at the end."""
        job, self._related_job = self._related_job, None
        if job is None or st is None:
            return
        forked, compute, started, weighed = job
        if not forked.ready(RELATED_GRACE):
            self.search_index_now(st, config, files)
        waited = time.perf_counter()
        result = forked.result()
        where = f" in a second process (waited {time.perf_counter() - waited:.2f}s)"
        if result is None:
            result, where = compute(), ""
        elif weighed:  # and the second process's cache, with the weights
            found, stats, cache = result
            cache.defer = self._related_cache.defer
            self._related_cache = cache
            result = (found, stats)
        self._take_related(st, result, started, where)

    def _take_related(self, st: BuildState, result: tuple[dict, RelatedStats], started: float,
                      where: str) -> None:
        found, stats = result
        cache = self._related_cache
        if self.command == "serve" and cache is not None and cache.prepared is not None:
            # made now for the edits to come, not at the first
            cache.listed()
            _ = cache.prepared.at
            if self.config.related:
                cache.floor(self.config.related)
        by_id = st.catalog.by_id
        for pid, rows in found.items():
            st.related[pid] = [by_id[o] for o, _score in rows if o in by_id]
        log.info(f"survey: related papers for {stats.papers} papers "
                 + (f"computed in {time.perf_counter() - started:.2f}s{where} "
                    f"({stats.tokenised} re-tokenised)" if stats.recomputed else "from the cache"))

    def _charts(self, st: BuildState) -> None:
        cat = st.catalog
        roots = [(t.id, t.name, cat.topic_papers.get(t.id, [])) for t in cat.taxonomy.roots]
        st.charts["years"] = Markup(charts.years_overview(
            cat.papers, roots, chart_id="years", link=lambda tid: rel(topic_url(tid), "")))
        for sid, survey in cat.surveys.items():
            st.charts[f"survey:{sid}"] = Markup(charts.years_chart(
                cat.survey_papers(sid), title=f"{survey.title}: papers per year",
                chart_id=f"survey-{sid}-years"))

    def _feeds(self, st: BuildState, files: Files, config: MkDocsConfig) -> None:
        for path, text in self._feed_files(st, config, list(st.catalog.surveys)).items():
            add_file(files, config, path, text)
        if self.command == "serve":
            # which papers each feed shows (chosen by fields an edit patched in place keeps)
            cat, size = st.catalog, self.config.feed_size
            self._feed_ids = {None: {p.id for p in feed.recent(cat.papers, size)}}
            for sid in cat.surveys:
                self._feed_ids[sid] = {p.id for p in feed.recent(cat.survey_papers(sid), size)}

    def _feed_files(self, st: BuildState, config: MkDocsConfig, survey_ids: list[str],
                    main: bool = True) -> dict[str, str]:
        """``feed.xml`` (``main``) and the feeds of the surveys ``survey_ids``."""
        cat = st.catalog
        author = config.site_author or config.site_name

        def topic_name(tid: str) -> str | None:
            return cat.taxonomy[tid].name if tid in cat.taxonomy else None

        out = {}
        if main:
            out[FEED] = feed.atom_feed(
                cat.papers, title=f"{config.site_name}: new papers", feed_path=FEED,
                site_url=config.site_url, author=author, size=self.config.feed_size,
                subtitle=config.site_description or "", topic_name=topic_name)
        if self.config.survey_feeds:
            prefix = self._surveys_prefix
            for sid in survey_ids:
                survey = cat.surveys[sid]
                path = f"{prefix}/{sid}/feed.xml"
                out[path] = feed.atom_feed(
                    cat.survey_papers(sid), title=f"{survey.title}: new papers",
                    feed_path=path, home_path=f"{prefix}/{sid}/", site_url=config.site_url,
                    author=author, size=self.config.feed_size, topic_name=topic_name)
        return out

    # -- patches under `mkdocs serve` (see .patch) -----------------------------------
    def patch_related(self, st: BuildState, changed: list) -> set[str]:
        """Related papers after an edit of ``changed``: the ids of the papers whose
        list changed or shows one of them."""
        if not self.config.related or not changed:
            return set()
        if self._related_cache is None:
            raise RuntimeError("no related papers to patch")
        cat = st.catalog
        found = related_patch(self._related_cache, cat.by_id, changed, self.config.related,
                              min_score=self.config.related_min_score)
        if found is None:
            raise RuntimeError("the related papers were not weighed")
        result, touched = found
        by_id = cat.by_id
        for pid in touched:
            st.related[pid] = [by_id[o] for o, _score in result.get(pid, []) if o in by_id]
        return touched

    def patch_index(self, st: BuildState, papers: list[tuple]) -> dict[str, bytes]:
        if not self.config.index or not papers:
            return {}
        if self._index_patch is None:
            self._index_patch = papers_index.IndexPatch()
        return self._index_patch.files(st.catalog, papers, self._exported,
                                       first=self.config.index_first)

    def patch_feeds(self, st: BuildState, changed: list, survey_ids: list[str]) -> dict[str, str]:
        if not self.config.feed:
            return {}
        ids = {p.id for p in changed}
        shown = self._feed_ids
        surveys = [sid for sid in st.catalog.surveys if ids & shown.get(sid, set())]
        return self._feed_files(st, st.config, surveys, main=bool(ids & shown.get(None, set())))

    def patch_uris(self, st: BuildState, papers: list[tuple]) -> list[str]:
        uris = []
        if self.config.index:
            first = {p.id for p in st.catalog.newest[:self.config.index_first]}
            if any(new.id in first or papers_index.venue_series(old.venue) !=
                   papers_index.venue_series(new.venue) or old.has_code != new.has_code
                   or old.has_arxiv != new.has_arxiv for old, new in papers):
                uris.append(INDEX_PAGE)
        if self.config.help_wanted and papers:
            uris.append(HELP_PAGE)
        return uris

    def patch_search(self, st: BuildState, changed: list, survey_ids: list[str],
                     rendered: list[str]) -> None:
        """The search index after an edit: the docs of the changed papers and
        surveys and of the rendered ordinary pages."""
        if not self.config.search_index:
            return
        index = self._search_index
        if index is None:
            raise RuntimeError("no search index to patch")
        cat = st.catalog
        docs = []
        for p in changed:
            doc_key, doc = search_index.catalog_paper_doc(cat, p)
            docs.append(doc)
            if doc_key:
                index.paper_docs[doc_key] = doc
        names = {tid: t.name for tid, t in cat.taxonomy.topics.items()}
        docs += [search_index.survey_doc(cat.surveys[sid], names, self._survey_url())
                 for sid in survey_ids]
        docs += [search_index.page_doc(*self._page_text[uri]) for uri in rendered
                 if uri in self._page_text]
        index.patch(docs, Path(st.config.site_dir) / search_index.FOLDER)

    def _index(self, st: BuildState, files: Files, config: MkDocsConfig) -> None:
        from survey_core.formats.bibtex import paper_to_entry
        from survey_core.formats.csl import paper_to_csl

        def entry(paper) -> str:
            text = st.bibtex.get(paper.id)
            if text is None:
                try:
                    text = paper_to_entry(paper)
                except ValueError as exc:
                    log.warning(f"{paper.path}: no BibTeX entry: {exc}")
                    text = ""
            return text

        def exported(p):
            return papers_index.export_item(p, entry(p), st.csl.get(p.id) or paper_to_csl(p))
        self._exported = exported
        if self.command == "serve":
            self._index_patch = papers_index.IndexPatch()
            self._index_patch.prime(st.catalog)
        for path, data in papers_index.index_files(
                st.catalog, exported, first=self.config.index_first,
                kept=self._index_kept if self.command == "serve" else None).items():
            add_file(files, config, path, data, cls=LedgerFile, ledger=st.ledger)
        st.csl.clear()  # every CSL item is in the export files now
        if self.plugin.exports.last is not None:
            self.plugin.exports.last.csl.clear()
        def index_page() -> str:
            return st.renderer.render(
                "papers_index.md", page="papers/", index_rows=st.renderer.index_rows(),
                **discovery.index_context(st.catalog, first=self.config.index_first))
        st.makers[INDEX_PAGE] = index_page
        add_file(files, config, INDEX_PAGE, index_page())
        script = self.plugin.catalog.templates.find("assets/papers-index.js")
        existing = files.get_file_from_path(INDEX_SCRIPT)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, INDEX_SCRIPT, abs_src_path=str(script)))

    def _gap_row(self, st: BuildState):
        """(gap, note header) -> its table row on help-wanted/."""
        template = st.renderer.template("help_wanted_row.html")

        def row(gap, note_header):
            return Markup(template.render(
                gap=gap, note_header=note_header, page="help-wanted/",
                record_link=lambda p: self._repo_link(
                    st, p.path or f"content/papers/{p.id}.yml")))
        return row

    def patch_help(self, papers: list[tuple]) -> None:
        """The help-wanted lists (and their kept rows) after edits in place."""
        if not self.config.help_wanted:
            return
        for old, new in papers:
            for name, (gone, took) in discovery.patch_help_wanted(self._help, old, new).items():
                for (list_name, header), rows in self._help_rows.items():
                    if list_name != name:
                        continue
                    if gone is not None:
                        del rows[gone]
                    if took is not None:
                        gap = getattr(self._help, name)[took]
                        rows.insert(took, self._patch_row(gap, "x" if header else ""))

    @staticmethod
    def _repo_link(st: BuildState, path: str, line: int | None = None) -> str | None:
        repo = st.renderer.repo_url
        if not repo or "github.com" not in repo:
            return None
        return f"{repo}/blob/{st.renderer.edit_branch}/{path}" + (f"#L{line}" if line else "")

    # -- search ------------------------------------------------------------
    def on_page_content(self, html: str, *, page) -> None:
        """Keep the title and text of an ordinary Markdown page for the search
        index (papers, topics and surveys are indexed from the catalog)."""
        if not self.config.search_index or not self._searchable(page.file.src_uri):
            return
        meta = page.meta.get("search") if isinstance(page.meta, dict) else None
        if isinstance(meta, dict) and meta.get("exclude"):
            return
        self._page_text[page.file.src_uri] = (page.url, str(page.title or ""),
                                              search_index.html_text(html))

    @property
    def _surveys_prefix(self) -> str:
        """The URL folder of the survey pages (``surveys.url_prefix``)."""
        return str(self.plugin.config.surveys.url_prefix or "surveys").strip("/")

    def _searchable(self, src: str) -> bool:
        prefix = self._surveys_prefix
        if src in (INDEX_PAGE, HELP_PAGE) or src.startswith("papers/"):
            return False
        if src.startswith("topics/") and src != "topics/index.md":
            return False  # topic pages: from the taxonomy
        return not (src.startswith(f"{prefix}/") and src != f"{prefix}/index.md")

    def _survey_url(self) -> Callable[[str], str]:
        prefix = self._surveys_prefix
        return lambda sid: f"{prefix}/{sid}/"

    def _forks(self, st: BuildState) -> bool:
        """Whether this build does work in a second process (``catalog.fork_from``)."""
        return self.command != "serve" and self._large(st)

    def _large(self, st: BuildState) -> bool:
        """Whether the catalog has ``catalog.fork_from`` records or more."""
        least = self.plugin.config.catalog.fork_from
        return 0 <= least <= len(st.catalog.papers)

    def _fork_search_terms(self, st: BuildState) -> None:
        self.cancel_forked()
        if not self.config.search_index or not self._forks(st):
            return
        catalog, survey_url = st.catalog, self._survey_url()
        # wanted only when the build ends: the related papers and the build go first
        self._search_terms = Forked(lambda: search_index.doc_terms(
            search_index.catalog_docs(catalog, survey_url)), nice=10)

    def cancel_forked(self) -> None:
        if self._search_terms is not None:
            self._search_terms.cancel()
            self._search_terms = None
        job, self._related_job = self._related_job, None
        if job is not None:
            job[0].cancel()

    def search_index_now(self, st: BuildState | None, config: MkDocsConfig, files: Files) -> None:
        """In a build whose search terms are scored by a second process, make and
        write the search index now rather than when the build ends (its documents
        are known once MkDocs has read the Markdown pages): while the related
        papers are awaited, or (:meth:`SurveyPlugin.on_env`) while the second
        process renders the first paper pages, instead of alone at the end."""
        if (st is None or self._search_written or not self.config.search_index
                or self.command == "serve" or self._search_terms is None):
            return
        self._write_search_index(st, config, files.documentation_pages())
        self._search_written = True

    def _write_search_index(self, st: BuildState, config: MkDocsConfig,
                            doc_pages: list | None = None) -> None:
        started = time.perf_counter()
        plugin = self.plugin.catalog
        if doc_pages is None:
            doc_pages = plugin.pages.doc_pages or plugin.files.documentation_pages()
        pages = [f for f in doc_pages if self._searchable(f.src_uri)]
        self._page_text = {f.src_uri: self._page_text[f.src_uri] for f in pages
                           if f.src_uri in self._page_text}
        if self._search_index is None or self.command != "serve":
            self._search_index = search_index.SearchIndex(keep=self.command == "serve")
        index = self._search_index
        forked, known = "", None
        if self._search_terms is not None:
            waited = time.perf_counter()
            known = self._search_terms.result() or {}
            self._search_terms = None
            forked = (f"; the terms of {len(known)} docs from a second process "
                      f"(waited {time.perf_counter() - waited:.2f}s)")
        docs = search_index.catalog_docs(st.catalog, self._survey_url(), kept=index.paper_docs)
        docs += [search_index.page_doc(url, title, text)
                 for url, title, text in self._page_text.values()]
        built = index.write(docs, Path(config.site_dir) / search_index.FOLDER, known)
        if self.command != "serve":
            self._search_index = None  # kept only for the next rebuild
        log.info(f"survey: search index {search_index.FOLDER}/: {built.summary()} "
                 f"in {time.perf_counter() - started:.2f}s{forked}")

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The site's search index (``_search/``); then ``search/search_index.json``
        whole, when Material's search plugin is listed: the search plugin's
        documents of the pages rendered in this build, those of pages an
        incremental rebuild skipped (kept from the build that rendered them),
        then one document per paper page."""
        st = self.plugin.state
        written, self._search_written = self._search_written, False
        if self.config.search_index and st is not None and not written:
            self._write_search_index(st, config)
        if st is None or not self.config.search:
            return
        path = Path(config.site_dir) / "search" / "search_index.json"
        if not path.exists():
            return
        index = json.loads(path.read_text(encoding="utf-8"))
        before = path.stat().st_size
        plugin = self.plugin.catalog
        skipped = plugin.pages.skipped_urls
        by_page: dict[str, list[str]] = {}
        for doc in index.get("docs", []):
            url = str(doc.get("location", "")).split("#", 1)[0]
            by_page.setdefault(url, []).append(json.dumps(doc, separators=(",", ":"),
                                                          default=str))
        pages = [f.url for f in plugin.pages.doc_pages or plugin.files.documentation_pages()]
        kept = self._page_docs
        self._page_docs = {url: (kept.get(url, []) if url in skipped else by_page.get(url, []))
                           for url in pages}
        if self._paper_docs is None or self._paper_docs_params != self._search_params():
            self._paper_docs = discovery.SearchDocs(
                *self._search_params(), incremental=self.command == "serve")
            self._paper_docs_params = self._search_params()
        papers = self._paper_docs.update(st.catalog.papers)
        docs = [d for url in pages for d in self._page_docs[url]] + papers
        text = ('{"config":' + json.dumps(index.get("config", {}), separators=(",", ":"),
                                          default=str)
                + ',"docs":[' + ",".join(docs) + "]}")
        path.write_text(text, encoding="utf-8")
        log.info(f"survey: {len(papers)} paper pages in the search index "
                 f"({self._paper_docs.made} made again; {before} -> {len(text)} bytes)")

    def _search_params(self) -> tuple[int, int, int]:
        return (self.config.search_abstract_chars, self.config.search_keywords,
                self.config.search_authors)


def _attr(text: str) -> str:
    import html

    return html.escape(text or "", quote=True)
