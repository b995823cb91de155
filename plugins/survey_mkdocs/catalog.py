"""The catalog part of the ``survey`` plugin: loads the catalog and generates the
paper, topic and home pages.

Paper pages are rendered straight from the template ``paper.html`` and
spliced into one page shell rendered by the theme, instead of going through
Markdown and the theme once per paper: the shell carries the theme's header,
navigation and scripts, identical for every page at ``papers/<id>/``.
"""

from __future__ import annotations

import html
import os
import re
import time
from functools import partial
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from survey_core.model.catalog import RecordCache, load_catalog
from survey_core.model.forked import Forked, available
from survey_core.model.memo import Carry, PaperMemo, key
from survey_core.site.render import TEMPLATE_CACHE, Renderer, paper_url
from survey_core.site.templates import TemplateSet

from . import compat
from .compat import log
from .config import CatalogConfig
from .files import Ledger, PageLedger, PageSplit, RenderedFile, _modified, add_file
from .nav import replace_nav_entry, shallow_nav
from .pages import PageEvents, log_listeners, paper_page
from .serve import incremental_builder, native_watch
from .state import BuildState, Part, head_for, report

SHELL_URI = "papers/__shell__.md"
SHELL_URL = "papers/__shell__/"
MARK_TITLE = "@@SURVEY_TITLE@@"
MARK_DESC = "@@SURVEY_DESCRIPTION@@"
MARK_HEAD = "@@SURVEY_HEAD@@"
MARK_EDIT = "https://survey.invalid/edit"
MARK_BODY = '<h1 id="survey-shell">@@SURVEY_BODY@@</h1>'


class CatalogPart(Part):
    """Loads the catalog and makes the build state (``on_files``); renders the page
    shell and the paper pages (``on_env``); keeps the incremental serve's ledgers."""

    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        self.ledger = Ledger()
        self.memo = PaperMemo()
        self.cache: RecordCache | None = None
        self.root: Path | None = None
        self.pages = PageLedger(exclude=(SHELL_URI,))
        #: other plugins' page events, for paper pages
        self.events = PageEvents()
        #: topic pages (Markdown and stashed blocks) by the key of their inputs
        self._topic_pages = Carry()

    @property
    def config(self) -> CatalogConfig:
        return self.plugin.config.catalog

    @property
    def state(self) -> BuildState | None:
        return self.plugin.state

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base_dir = Path(config.config_file_path or ".").resolve().parent
        root = (base_dir / self.config.root).resolve() if self.config.root else base_dir
        if self.root != root or self.cache is None:
            self.cache = RecordCache(root, persist=self.config.cache)
        self.root = root
        self.templates = TemplateSet(root / self.config.templates)
        overridden = self.templates.overridden()
        if overridden:
            log.info(f"survey: {self.config.templates}/ overrides {', '.join(overridden)}")
        # The packaged theme overrides, after the project's custom_dir, before the theme.
        present = {os.path.realpath(d) for d in config.theme.dirs}
        at = 1 if config.theme.custom_dir else 0
        for folder in reversed(self.templates.overrides_dirs()):
            if os.path.realpath(folder) not in present:
                config.theme.dirs.insert(at, str(folder))
        self._nav_topics(config, root)
        for asset, target in (("survey.css", config.extra_css),
                              ("survey.js", config.extra_javascript)):
            uri = f"assets/survey/{asset}"
            if uri not in [str(x) for x in target]:
                target.append(uri)
        return config

    def _nav_topics(self, config: MkDocsConfig, root: Path) -> None:
        """Expand the nav entry ``topics/index.md`` into the topic tree."""
        from survey_core.model.taxonomy import load_taxonomy

        taxonomy, _ = load_taxonomy(root / "content" / "taxonomy.yml")

        def section(topic_id: str):
            topic = taxonomy[topic_id]
            name = html.escape(topic.name, quote=False)  # the theme renders nav titles as HTML
            if not topic.children:
                return {name: f"topics/{topic_id}/index.md"}
            return {name: [f"topics/{topic_id}/index.md",
                           *(section(ch) for ch in topic.children)]}

        tree = ["topics/index.md", *(section(t.id) for t in taxonomy.roots)]
        config.nav = replace_nav_entry(config.nav, "topics/index.md", tree)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.dirty:
            # The search index is assembled whole by the discovery part.
            compat.forget_search_index(config.plugins.values())

    def on_files(self, files: Files, *, config: MkDocsConfig) -> BuildState:
        """Load the catalog; the build state; topic and paper page files."""
        assert self.root is not None and self.cache is not None
        self.cache.memo.defer = self.dirty  # serve writes its caches when it stops
        fork = self.config.fork_from
        catalog = load_catalog(self.root, cache=self.cache, fork_from=(
            fork if fork >= 0 and self.command != "serve" else None))
        report(catalog.diagnostics)
        if catalog.errors and config.strict:
            # Also fail when warnings are not counted (``mkdocs build -q --strict``).
            raise PluginError(f"{len(catalog.errors)} content error(s) in content/ (listed "
                              "above; `survey check` shows them with hints)")
        log.info(f"survey: {len(catalog.papers)} papers, {len(catalog.taxonomy.topics)} topics, "
                 f"{len(catalog.surveys)} surveys")
        renderer = Renderer(catalog, self.templates, site_name=config.site_name,
                            repo_url=config.repo_url, edit_branch=self.config.edit_branch,
                            site_description=config.site_description or "")
        self.ledger.start(self.dirty)
        # A generated file's content is read from the site once written (under
        # `mkdocs serve` too: the next build gives every file its content again).
        self.ledger.release = True
        self.ledger.reuse.start(config)
        #: digests of generated pages a patch rendered (their set-aside blocks are released)
        self._page_digests: dict[str, str] = {}
        st = BuildState(catalog=catalog, renderer=renderer, config=config,
                                     ledger=self.ledger, memo=self.memo)
        templates = self.templates_digest = self.templates.digest()
        if templates != getattr(self, "_templates_digest", None):
            self.memo = PaperMemo()  # fragments rendered by older templates are stale
            self._templates_digest = templates
        self.memo.prune({p.digest for p in catalog.papers if p.digest})
        renderer.memo = self.memo
        renderer.topic_papers = self.config.topic_papers
        st.memo = self.memo
        for asset in ("survey.css", "survey.js"):
            files.append(File.generated(config, f"assets/survey/{asset}",
                                        abs_src_path=str(self.templates.find(f"assets/{asset}"))))
        if self.config.home and files.get_file_from_path("index.md") is None:
            st.home_file = add_file(files, config, "index.md", "")  # filled in on_nav
        st.makers["topics/index.md"] = renderer.topics_index
        add_file(files, config, "topics/index.md", renderer.topics_index())
        # A topic page is kept between rebuilds while its papers, surveys, the
        # taxonomy and the templates are unchanged.
        self._topic_pages.start()
        common = key(templates, list(catalog.taxonomy.topics.values()), config.site_name,
                     config.repo_url, self.config.edit_branch, self.config.topic_papers)

        def topic_page(topic_id: str) -> str:
            page_key = key(
                common, topic_id,
                [(p.id, p.digest or repr(p)) for p in catalog.topic_papers.get(topic_id, [])],
                [p.id for p in catalog.topic_direct.get(topic_id, [])],
                [(s, catalog.surveys[s].title) for s in catalog.topic_surveys.get(topic_id, [])])
            return renderer.kept(self._topic_pages, page_key,
                                 partial(renderer.topic_page, topic_id))

        for topic_id in catalog.taxonomy.topics:
            uri = f"topics/{topic_id}/index.md"
            st.makers[uri] = partial(topic_page, topic_id)
            add_file(files, config, uri, st.makers[uri]())
        for paper in catalog.papers:
            uri = paper_url(paper) + "index.html"
            st.paper_files[paper.id] = add_file(files, config, uri, "", cls=RenderedFile,
                                                ledger=self.ledger)
        shell = add_file(files, config, SHELL_URI, "---\nsearch:\n  exclude: true\n---\n")
        shell.inclusion = InclusionLevel.NOT_IN_NAV  # an internal page: no "not in nav" notice
        return st

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        st = self.state
        if st is None:
            return env
        self.files = files
        self.env = env
        if env.bytecode_cache is None:
            env.bytecode_cache = TEMPLATE_CACHE  # the theme's templates compile once per process
        self.pages.restore(config, files)
        # The shell depends on the configuration, the nav and the files only.
        cached = getattr(self, "_shell", None)
        if cached is not None and self.pages.common is not None and cached[0] == self.pages.common:
            shell = cached[1]
        else:
            shell = self._render_shell(env, config, files)
            self._shell = (self.pages.common, shell)
        shell = shell.replace(SHELL_URL, "@@SURVEY_URL@@")
        marks = (MARK_TITLE, MARK_DESC, MARK_HEAD, MARK_BODY, MARK_EDIT, "@@SURVEY_URL@@")
        segments = re.split("(" + "|".join(re.escape(m) for m in marks) + ")", shell)
        if MARK_BODY not in segments:
            raise PluginError("the theme did not render the paper page body; paper pages need "
                              "the Material theme with the survey overrides (a project "
                              "override of main.html must keep its blocks)")
        renderer = st.renderer
        events = self.events
        events.start(config, self.plugin)
        events.nav, events.pages = self._nav, files.documentation_pages()

        def render(paper) -> str:
            description = _description(paper)
            edit_url = renderer.edit_url(paper.path or f"content/papers/{paper.id}.yml")
            body = renderer.paper_body(paper, st.bibtex.get(paper.id, ""),
                                       st.related.get(paper.id))
            values = {
                MARK_TITLE: html.escape(paper.title, quote=True),
                MARK_DESC: html.escape(description, quote=True),
                MARK_HEAD: head_for(st, paper),
                MARK_BODY: body,
                MARK_EDIT: html.escape(edit_url or "", quote=True),
                "@@SURVEY_URL@@": paper_url(paper),
            }
            output = "".join(values.get(seg, seg) for seg in segments)
            if not events.active:
                return output  # the fast path: nobody else listens
            file = st.paper_files[paper.id]
            page = paper_page(file, config, paper.title, body, edit_url=edit_url, meta={
                "description": description, "survey": {"paper": paper.id, "key": paper.key}})
            try:
                return events.run(output, page, config)
            finally:
                file.page = None  # 10,000 Pages are never held at once

        # What a paper page shows besides its record: the shell (navigation, theme),
        # the templates, the taxonomy and survey titles, its BibTeX, related papers.
        common = key(shell, self._templates_digest, _taxonomy_digest(st.catalog), events.key(),
                     [(s.id, s.title) for s in st.catalog.surveys.values()])
        self._render_paper = render
        head_inputs = tuple(st.head_inputs)
        for paper in st.catalog.papers:
            file = st.paper_files[paper.id]
            file.render = partial(render, paper)
            inputs = (common, paper.digest or paper.title, st.bibtex.get(paper.id, ""),
                      head_inputs, tuple(st.catalog.paper_surveys.get(paper.id, [])),
                      tuple((r.id, r.digest or r.title) for r in st.related.get(paper.id) or []))
            # (made again by each build: keeping 50,000 pages' inputs to look the keys
            # up by would hold 40 MB for half a second of hashing)
            file.key = key(*inputs)
        self._fork_pages(st, events.active)
        return env

    # -- patches under `mkdocs serve` (see .patch) -----------------------------------
    def patch_paper_pages(self, st: BuildState, ids: set[str]) -> dict[str, bytes]:
        """The pages of the papers ``ids``, made again: output path -> HTML."""
        out = {}
        for pid in sorted(ids):
            paper = st.catalog.by_id[pid]
            file = st.paper_files[pid]
            file.render = partial(self._render_paper, paper)
            out[file.abs_dest_path] = file.content_bytes
        return out

    def patch_uris(self, st: BuildState, changed: list, surveys: list[str]) -> list[str]:
        """The generated Markdown pages of this part that may list ``changed`` papers
        or show what the prose of ``surveys`` cites."""
        tax = st.catalog.taxonomy
        topics = tax.lineage(t for p in changed for t in p.topics)
        uris = [f"topics/{t}/index.md" for t in tax.topics if t in topics]
        if (surveys or st.renderer.tree_shown & {p.id for p in changed}) \
                and "topics/index.md" in st.makers:
            # the figure shows the papers the surveys cite most (otherwise it is unchanged)
            uris.append("topics/index.md")
        return uris + [u for u in ("index.md",) if u in st.makers]

    def render_pages(self, st: BuildState, uris: list[str]) -> list[str]:
        """Make the Markdown of the generated pages ``uris`` again, and render
        those whose Markdown changed through MkDocs' page functions (with every
        plugin's page events): the URIs rendered."""
        populate, build = compat.populate_page(), compat.build_page()
        config, files = st.config, self.files
        doc_files = self.pages.doc_pages
        rendered = []
        for uri in uris:
            file = files.get_file_from_path(uri)
            make = st.makers.get(uri)
            if file is None or file.page is None or make is None:
                continue
            renderer = st.renderer
            before = file.content_string
            was = self._page_digests.get(uri) or _page_digest(renderer, before)
            markdown = make()
            now = _page_digest(renderer, markdown)
            if now == was:
                renderer.release(markdown)
                self._page_digests[uri] = was
                continue
            file.content_string = markdown
            file.is_modified = _modified
            populate(file.page, config, files, True)
            build(file.page, config, doc_files, self._nav, self.env, True)
            # The page is written: the blocks set aside for it are not needed again.
            renderer.release(before)
            renderer.release(markdown)
            self._page_digests[uri] = now
            self.ledger.keys.pop(file.abs_dest_path, None)
            rendered.append(uri)
        return rendered

    def _fork_pages(self, st: BuildState, listened: bool) -> None:
        """In a build of at least ``fork_from`` papers, a second process renders
        and writes paper pages from the last one back while this one writes them
        from the first on, with the other files, until the two meet (not when
        other plugins listen to page events: their handlers run in this process)."""
        self._cancel_pages()
        papers = st.catalog.papers
        fork = self.config.fork_from
        if (listened or self.command == "serve" or not 0 <= fork <= len(papers)
                or not available()):
            return
        split = PageSplit([st.paper_files[p.id] for p in papers])
        job = Forked(split.write_back)
        if not job.started:
            split.release()
            return
        self._pages_job = (job, split, time.perf_counter())
        # The paper pages are written last: this process first writes the other
        # files (the exports, the papers index) while the second one renders pages,
        # then both render pages until they meet, and finish together.
        files = self.files
        for page in split.pages:
            files.remove(page)
            files.append(page)

    @property
    def pages_forked(self) -> bool:
        """Whether a second process renders paper pages in this build."""
        return getattr(self, "_pages_job", None) is not None

    def _cancel_pages(self) -> None:
        job = getattr(self, "_pages_job", None)
        self._pages_job = None
        if job is not None:
            job[0].cancel()
            job[1].release()

    def _finish_pages(self) -> None:
        """Wait for the paper pages the second process writes (or write them here
        if it failed)."""
        job = getattr(self, "_pages_job", None)
        self._pages_job = None
        if job is None:
            return
        child, split, started = job
        waited = time.perf_counter()
        errors = child.result()
        theirs = split.taken_back()
        split.release()
        writer = self.ledger.writer
        if errors is None:
            where = "here: the second process failed"
            for file in theirs:
                writer.write(file.abs_dest_path, file.content_bytes)
        else:
            where = f"by a second process (waited {time.perf_counter() - waited:.2f}s)"
            for path, exc in errors:
                writer.failed(path, exc)
        log.info(f"survey: {len(theirs)} of {len(split.pages)} paper pages written {where}, "
                 f"{time.perf_counter() - started:.2f}s after it started")

    def _render_shell(self, env, config: MkDocsConfig, files: Files) -> str:
        from mkdocs.commands.build import get_context

        shell_file = files.get_file_from_path(SHELL_URI)
        page = Page(MARK_TITLE, shell_file, config)
        page.markdown = ""
        page.content = MARK_BODY
        page.toc = get_toc("")
        page.meta = {"description": MARK_DESC, "survey_head": MARK_HEAD,
                     "search": {"exclude": True}}
        page.edit_url = MARK_EDIT
        page.active = True
        context = get_context(shallow_nav(self._nav), files, config, page)
        template = env.get_template("main.html")
        out = template.render(context)
        page.active = False
        return out

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self._nav = nav
        st = self.state
        if st is not None and st.home_file is not None:
            # Rendered here, after every plugin's on_files, so it can show their charts.
            st.makers["index.md"] = partial(st.renderer.home, st.charts)
            st.home_file.content_string = st.makers["index.md"]()
        if st is not None:
            self.pages.start(nav, config, files, st.renderer, self.ledger,
                             skip=self.dirty and self.plugin.config.serve.incremental)
        return nav

    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        self.pages.rendered(page)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        # Large generated blocks skip Markdown and the search indexer (Renderer.stash).
        return self.state.renderer.unstash(output) if self.state is not None else output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._finish_pages()
        self.ledger.finish()  # every generated file is on disk for the other plugins
        if self.state is not None:
            log_listeners(self.events)
        skipped = len(self.pages.skipped)
        rendered = self.pages.finish()
        removed = self.ledger.remove_stale()
        if self.dirty:
            log.info(f"survey: {rendered} pages rendered, {skipped} unchanged; "
                     f"{self.ledger.written} generated files written, "
                     f"{self.ledger.skipped} unchanged, {removed} removed")
        # The shell is a template for paper pages, not a page of the site.
        shell = Path(config.site_dir) / SHELL_URL / "index.html"
        if shell.exists():
            shell.unlink()
            shell.parent.rmdir()

    def on_build_error(self, *, error: Exception) -> None:
        self._cancel_pages()
        self.pages.abort()
        for path, _exc in self.ledger.writer.finish():
            self.ledger.keys.pop(path, None)

    def on_shutdown(self) -> None:
        if getattr(self, "_observer", None) is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self.cache is not None:
            self.cache.memo.flush()

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        assert self.root is not None
        # the packaged templates too: an edit to one of them rebuilds like a project override
        folders = [str(f) for f in (self.root / "content", *self.templates.folders)
                   if f.exists()]
        serve = self.plugin.config.serve
        patcher = self.plugin.patcher
        self._observer = (native_watch(server, folders, noted=patcher.note)
                          if serve.native_watch else None)
        patcher.watching = self._observer is not None
        if self._observer is None:
            for folder in folders:
                server.watch(folder)
        else:
            log.info(f"survey: watching {', '.join(folders)} through file system events")
        if serve.incremental and not self.dirty:
            server.builder = incremental_builder(server.builder, self.plugin)
        return server


_PLACEHOLDER = re.compile(r"<!--survey-block:\d+-->")


def _page_digest(renderer: Renderer, markdown: str) -> str:
    """A generated page's Markdown with the blocks it set aside, whatever their numbers."""
    return key(_PLACEHOLDER.sub("", markdown), *renderer.stashed(markdown))


def _taxonomy_digest(catalog) -> str:
    return key([(t.id, t.name) for t in catalog.taxonomy.topics.values()])


def _description(paper) -> str:
    from survey_core.model.text import first_sentence

    return first_sentence(paper.abstract, 200) if paper.abstract else paper.title
