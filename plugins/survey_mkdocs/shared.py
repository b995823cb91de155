"""State shared by the survey plugins during one build."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from survey.catalog import Carry, Catalog, PaperMemo
from survey.diagnostics import Diagnostic
from survey.model import Paper
from survey.render import Renderer

if TYPE_CHECKING:
    from .catalog_plugin import CatalogPlugin

log = logging.getLogger("mkdocs.plugins.survey")


@dataclass
class BuildState:
    """Everything the survey plugins derive from the catalog for one build."""

    catalog: Catalog
    renderer: Renderer
    config: MkDocsConfig
    #: paper id -> the static File of its page (content filled in on_env)
    paper_files: dict[str, File] = field(default_factory=dict)
    #: paper id -> BibTeX entry shown on its page
    bibtex: dict[str, str] = field(default_factory=dict)
    #: paper id -> related papers shown on its page
    related: dict[str, list[Paper]] = field(default_factory=dict)
    #: makers of extra <head> tags for a paper page, called as each page is written
    #: (so 10,000 pages' tags are never held at once), and what their output
    #: depends on besides the record
    head_makers: list[Callable[[Paper], str]] = field(default_factory=list)
    head_inputs: list[str] = field(default_factory=list)
    #: named SVG charts for generated pages
    charts: dict[str, str] = field(default_factory=dict)
    #: per-record derived values kept across rebuilds
    memo: PaperMemo = field(default_factory=lambda: PaperMemo())
    #: paper id -> CSL-JSON item
    csl: dict[str, dict] = field(default_factory=dict)
    #: what the plugins wrote, for incremental rebuilds
    ledger: Ledger | None = None
    #: the generated home page, if the docs folder has none
    home_file: File | None = None


def head_for(st: BuildState, paper: Paper) -> str:
    """The extra <head> tags of a paper's page."""
    return "\n".join(t for t in (make(paper) for make in st.head_makers) if t).strip()


def catalog_plugin(config: MkDocsConfig) -> CatalogPlugin:
    from .catalog_plugin import CatalogPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, CatalogPlugin):
            return plugin
    raise PluginError("the survey plugins need the 'survey-catalog' plugin listed first in "
                      "mkdocs.yml")


def state(config: MkDocsConfig) -> BuildState:
    st = catalog_plugin(config).state
    if st is None:
        raise PluginError("survey-catalog has not loaded the catalog yet: list it before the "
                          "other survey plugins in mkdocs.yml")
    return st


def report(diagnostics: list[Diagnostic]) -> None:
    """Log content problems: errors as warnings (so `mkdocs build --strict` fails on each),
    warnings about incomplete metadata at info level."""
    for d in diagnostics:
        if d.is_error:
            log.warning(d.format())
        else:
            log.debug(d.format())


class Ledger:
    """What the survey plugins wrote into ``site_dir``, kept across ``mkdocs serve``
    rebuilds: in an incremental rebuild (see :func:`incremental_builder`) a file
    whose inputs did not change is neither rendered nor rewritten, and files of
    removed papers and pages are deleted."""

    def __init__(self) -> None:
        self.dirty = False
        self.keys: dict[str, str] = {}  # output path -> key of what was written
        self.seen: set[str] = set()
        self.skipped = 0
        self.written = 0

    def start(self, dirty: bool) -> None:
        self.dirty = dirty
        self.seen = set()
        self.skipped = self.written = 0
        if not dirty:
            self.keys = {}

    def unchanged(self, path: str, key: str) -> bool:
        # The keys are of files this process wrote into its own site folder (the
        # temporary one of `mkdocs serve`): they are not checked on disk again.
        self.seen.add(path)
        if self.dirty and self.keys.get(path) == key:
            self.skipped += 1
            return True
        return False

    def wrote(self, path: str, key: str) -> None:
        self.keys[path] = key
        self.written += 1

    def remove_stale(self) -> int:
        """Delete files written by an earlier build that this build no longer has."""
        stale = [p for p in self.keys if p not in self.seen]
        for path in stale:
            del self.keys[path]
            with contextlib.suppress(OSError):
                os.remove(path)
        return len(stale)


class LedgerFile(File):
    """A generated file (never a Markdown page) that an incremental rebuild does
    not rewrite when its content (or, for subclasses, its ``key``) is unchanged."""

    ledger: Ledger | None = None
    key: str | None = None

    def is_documentation_page(self) -> bool:
        # Never a Markdown page (``add_file`` makes those plain Files).  MkDocs asks
        # every file this several times per build: 20,000 times each at 10,000 papers.
        return False

    def _key(self) -> str:
        if self.key is None:
            self.key = hashlib.sha1(self.content_bytes).hexdigest()
        return self.key

    def copy_file(self, dirty: bool = False) -> None:
        output_path = self.abs_dest_path
        if self.ledger is not None:
            if self.ledger.unchanged(output_path, self._key()):
                return
            # Unknown until written: a build that fails here leaves it to the next one.
            self.ledger.keys.pop(output_path, None)
        data = self.content_bytes  # made before the file is opened (and truncated)
        os.makedirs(os.path.dirname(output_path), exist_ok=True)
        with open(output_path, "wb") as fh:
            fh.write(data)
        if self.ledger is not None:
            self.ledger.wrote(output_path, self._key())


class FileReuse:
    """Generated non-page files (paper pages, ``.bib`` and data files) of the
    previous build, given new content and used again by the next one instead of
    being made anew: under ``mkdocs serve`` that spares 20,000 ``File`` objects
    (and their paths) per rebuild at 10,000 papers.  Markdown pages are never
    reused (MkDocs attaches a ``Page`` to them)."""

    def __init__(self) -> None:
        self.files = Carry()
        self.where: tuple = ()

    def start(self, config: MkDocsConfig) -> None:
        """A new build: forget files the previous build did not use."""
        self.files.start()
        self.where = (config.site_dir, config.use_directory_urls)

    def get(self, config: MkDocsConfig, uri: str, content: str | bytes, cls: type[File]
            ) -> File:
        file = self.files.get((cls, uri, *self.where),
                              lambda: cls.generated(config, uri, content=content))
        if file._content is not content and file._content != content:
            file._content = content
            if isinstance(file, LedgerFile):
                file.key = None
        return file


#: Shared by the survey plugins; reset per build by survey-catalog.
REUSE = FileReuse()


def add_file(files: Files, config: MkDocsConfig, uri: str, content: str | bytes,
             cls: type[File] = File, ledger: Ledger | None = None) -> File:
    """Add (or replace) a generated file in the build."""
    if issubclass(cls, LedgerFile) and uri.endswith(".md"):
        raise ValueError(f"{uri}: Markdown pages are not LedgerFiles")
    existing = files.src_uris.get(uri)
    if existing is not None:
        files.remove(existing)
    if ledger is not None and not uri.endswith(".md"):
        file = REUSE.get(config, uri, content, cls)
        file.ledger = ledger
    else:
        file = cls.generated(config, uri, content=content)
    files.append(file)
    return file


_PLACEHOLDER = re.compile(rb"<!--survey-block:\d+-->")


def _modified() -> bool:
    return True


def _unmodified() -> bool:
    return False


class PageLedger:
    """Which Markdown pages an incremental rebuild can skip.

    A page's key is the hash of everything its HTML is made from: its Markdown
    (with the large blocks it sets aside, see :meth:`Renderer.stash`), and for
    the whole site the configuration file, the nav, the theme overrides and the
    set of files (links resolve against it).  A page whose key is unchanged is
    neither read nor rendered; MkDocs learns it through ``File.is_modified``.
    Its title and metadata, which the navigation and the previous/next links of
    other pages show, are restored from the build that wrote it; if a rebuilt
    page's title or metadata changed, every skipped page is rendered after all.
    The keys of written pages are kept in the :class:`Ledger`, with the files'.
    """

    def __init__(self, exclude: tuple[str, ...] = ()) -> None:
        self.exclude = set(exclude)
        self.meta: dict[str, tuple[dict, str | None]] = {}  # output path -> (meta, title)
        self.current: dict[str, str] = {}
        self.pending: dict[str, tuple[dict, str | None]] = {}
        self.skipped: list[File] = []
        self.ledger: Ledger | None = None
        #: digest of what every page depends on (see :func:`site_digest`)
        self.common: str | None = None
        #: the Markdown pages of this build
        self.doc_pages: Sequence[File] = []

    def start(self, nav, config: MkDocsConfig, files: Files, renderer: Renderer,
              ledger: Ledger, skip: bool) -> None:
        self.ledger = ledger
        self.current, self.pending, self.skipped = {}, {}, []
        if not skip:
            self.meta = {}
        common = self.common = site_digest(config, files)
        self.doc_pages = files.documentation_pages()
        for file in self.doc_pages:
            if file.src_uri in self.exclude:
                file.is_modified = _unmodified if skip else _modified
                continue
            digest = hashlib.sha1(common.encode())
            digest.update(file.src_uri.encode())
            content = file.content_bytes
            # Placeholders are numbered in build order: hash what they stand for.
            digest.update(_PLACEHOLDER.sub(b"", content))
            for block in renderer.stashed(content):
                digest.update(block.encode())
            dest = file.abs_dest_path
            key = self.current[dest] = digest.hexdigest()
            ledger.seen.add(dest)  # a page that is gone has its output removed
            if (skip and ledger.keys.get(dest) == key and dest in self.meta
                    and os.path.exists(dest)):
                file.is_modified = _unmodified
                self.skipped.append(file)
            else:
                file.is_modified = _modified

    def restore(self, config: MkDocsConfig, files: Files) -> None:
        """After the pages are read (``on_env``): give skipped pages their title
        and metadata, or render them too if a rebuilt page's changed."""
        if self.ledger is None:
            return
        skipped = {f.abs_dest_path for f in self.skipped}
        changed = False
        for file in self.doc_pages:
            dest = file.abs_dest_path
            if dest not in self.current or dest in skipped or file.page is None:
                continue
            now = (dict(file.page.meta), file.page._title_from_render)
            self.pending[dest] = now
            changed = changed or self.meta.get(dest, now) != now
        if changed and self.skipped:
            from mkdocs.commands.build import _populate_page

            log.info(f"survey: a page title changed; rendering all {len(self.skipped)} "
                     "other pages too")
            for file in self.skipped:
                file.is_modified = _modified
                _populate_page(file.page, config, files)
                self.pending[file.abs_dest_path] = (dict(file.page.meta),
                                                    file.page._title_from_render)
            self.skipped = []
            return
        for file in self.skipped:
            meta, title = self.meta[file.abs_dest_path]
            file.page.markdown = ""
            file.page.meta = dict(meta)
            file.page._title_from_render = title

    def rendered(self, page) -> None:
        dest = page.file.abs_dest_path
        if dest in self.current and dest not in self.pending:
            self.pending[dest] = (dict(page.meta), page._title_from_render)

    def finish(self) -> int:
        """After a successful build: remember what was written; how many pages."""
        if self.ledger is None:
            return 0
        for dest, seen in self.pending.items():
            self.meta[dest] = seen
            self.ledger.keys[dest] = self.current[dest]
        self.ledger = None
        return len(self.pending)

    def abort(self) -> None:
        """After a failed build: pages it rendered may be on disk half-way between
        two versions; forget their keys so the next build renders them."""
        if self.ledger is None:
            return
        for dest in self.pending:
            self.ledger.keys.pop(dest, None)
        self.pending = {}
        self.ledger = None

    @property
    def skipped_urls(self) -> set[str]:
        return {f.url for f in self.skipped}


def site_digest(config: MkDocsConfig, files: Files) -> str:
    """What every page of the site depends on besides its own source."""
    import json

    digest = hashlib.sha1()
    if config.config_file_path and os.path.exists(config.config_file_path):
        with open(config.config_file_path, "rb") as fh:
            digest.update(fh.read())
    digest.update(json.dumps([config.nav, config.site_url, config.use_directory_urls,
                              config.theme.name, [str(x) for x in config.extra_css],
                              [str(x) for x in config.extra_javascript]],
                             default=str).encode())
    custom = config.theme.custom_dir
    if custom and os.path.isdir(custom):
        for folder, dirs, names in sorted(os.walk(custom)):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                digest.update(path.encode())
                with open(path, "rb") as fh:
                    digest.update(fh.read())
    digest.update("\n".join(files.src_uris).encode())  # in the (fixed) order of the build
    return digest.hexdigest()


#: Rebuilds between two full garbage collections under ``mkdocs serve``.
FULL_COLLECTION_EVERY = 8


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


def incremental_builder(builder, plugin):
    """Wrap the rebuild function of ``mkdocs serve`` so that rebuilds keep the
    site folder (MkDocs' dirty build) and the survey plugins decide what to
    render again.  Returns ``builder`` itself when it is not MkDocs' own."""
    namespace = getattr(builder, "__globals__", None)
    build = namespace.get("build") if isinstance(namespace, dict) else None
    if not callable(build) or getattr(build, "__name__", "") != "build":
        log.info("survey: this server's rebuilds are not incremental")
        return builder

    def dirty_build(config, *, serve_url=None, dirty=False):
        return build(config, serve_url=serve_url, dirty=True)

    rebuilds = 0

    def rebuild(config=None):
        nonlocal rebuilds
        plugin.dirty = True
        # What the last build left (catalog, caches, memos) lives on: keep it out of
        # the garbage collector's passes, which would otherwise walk it all (a third
        # of a second at 10,000 papers).  Every few rebuilds a full pass frees the
        # cycles of earlier builds that were frozen while still in use.
        rebuilds += 1
        if rebuilds % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        quiet = _DropDirtyWarning()
        build_log = logging.getLogger(build.__module__)
        build_log.addFilter(quiet)
        namespace["build"] = dirty_build
        try:
            builder(config)
        finally:
            namespace["build"] = build
            build_log.removeFilter(quiet)

    return rebuild


def native_watch(server, folders: list[str]):
    """Watch ``folders`` through the operating system's file events (inotify on
    Linux) instead of MkDocs' polling, which re-reads the state of every record
    twice a second (about 80 ms of work each time at 10,000 records) and notices
    a save a quarter of a second later on average.  Returns the started observer,
    or None where native events are not available (the caller then polls)."""
    cond = getattr(server, "_rebuild_cond", None)
    if cond is None or not hasattr(server, "_want_rebuild"):
        return None
    try:
        from watchdog.events import (
            EVENT_TYPE_CLOSED,
            EVENT_TYPE_CREATED,
            EVENT_TYPE_DELETED,
            EVENT_TYPE_MODIFIED,
            EVENT_TYPE_MOVED,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None
    if Observer is PollingObserver:
        return None
    changes = {EVENT_TYPE_CLOSED, EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED,
               EVENT_TYPE_MOVED}
    seen: dict[str, tuple[int, int] | None] = {}

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.is_directory or event.event_type not in changes:
                return
            path = os.fsdecode(event.src_path)
            try:
                st = os.stat(path)
                state = (st.st_mtime_ns, st.st_size)
            except OSError:
                state = None
            # Reading a record (the build does) can change its access time, which
            # is reported as a modification: only a new mtime or size counts.
            if event.event_type in (EVENT_TYPE_MODIFIED, EVENT_TYPE_CLOSED) and \
                    path in seen and seen[path] == state:
                return
            seen[path] = state
            with cond:
                server._want_rebuild = True
                cond.notify_all()

    observer = Observer()
    try:
        for folder in folders:
            observer.schedule(Handler(), folder, recursive=True)
        observer.start()
    except OSError:  # e.g. the limit of inotify watches is reached
        observer.stop()
        return None
    return observer
