"""What the survey plugin writes into the site folder, and what an incremental
rebuild under ``mkdocs serve`` can skip: generated files that are written only
when their content changed (:class:`LedgerFile`), paper pages rendered as they
are written (:class:`RenderedFile`), and Markdown pages whose inputs did not
change (:class:`PageLedger`)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from survey_core.model.memo import Carry, Digest, key
from survey_core.model.safeio import write_over
from survey_core.site.render import Renderer

from . import compat
from .compat import log


class Writer:
    """Writes generated files from a second thread while the build goes on.

    Writing 20,000 files (10,000 papers) spends most of its time in the
    operating system, which a Python thread does without holding the
    interpreter: the build renders the next page while the last one is
    written.  :meth:`finish` waits for every write (the ``on_post_build`` of
    the plugin, before any other plugin's) and returns the failures.  At most
    ``depth`` files wait in memory.  Without :meth:`start` files are written at
    once."""

    def __init__(self, depth: int = 256) -> None:
        self.depth = depth
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._errors: list[tuple[str, OSError]] = []

    def start(self) -> None:
        self.finish()
        self._queue = queue.Queue(maxsize=self.depth)
        self._thread = threading.Thread(target=self._run, args=(self._queue,),
                                        name="survey-writer", daemon=True)
        self._thread.start()

    def write(self, path: str, data: bytes) -> None:
        if self._queue is None:
            _write(path, data)
        else:
            self._queue.put((path, data))

    def _run(self, jobs: queue.Queue) -> None:
        folders: set[str] = set()
        while (job := jobs.get()) is not None:
            path, data = job
            try:
                _write(path, data, folders)
            except OSError as exc:
                self._errors.append((path, exc))

    def failed(self, path: str, exc: OSError) -> None:
        """A file written elsewhere (a second process) that could not be."""
        self._errors.append((path, exc))

    def finish(self) -> list[tuple[str, OSError]]:
        """Wait until every file given is written; the files that could not be."""
        if self._thread is not None and self._queue is not None:
            self._queue.put(None)
            self._thread.join()
        self._thread = self._queue = None
        errors, self._errors = self._errors, []
        return errors


def _write(path: str, data: bytes, folders: set[str] | None = None) -> None:
    folder = os.path.dirname(path)
    if folders is None or folder not in folders:
        os.makedirs(folder, exist_ok=True)
        if folders is not None:
            folders.add(folder)
    write_over(path, data)  # a file of the previous site (see .sitedir): written over


class Ledger:
    """What the survey plugins wrote into ``site_dir``, kept across ``mkdocs serve``
    rebuilds: in an incremental rebuild (see :func:`incremental_builder`) a file
    whose inputs did not change is neither rendered nor rewritten, and files of
    removed papers and pages are deleted."""

    def __init__(self) -> None:
        #: writes the files (in a second thread during a build, see :meth:`start`)
        self.writer = Writer()
        self.dirty = False
        self.keys: dict[str, str] = {}  # output path -> key of what was written
        self.seen: set[str] = set()
        self.skipped = 0
        self.written = 0
        #: generated files of the previous build, used again
        self.reuse = FileReuse()
        #: no build follows in this process (``mkdocs build``): a generated file's
        #: content is dropped once it is handed to the writer
        self.release = False

    def start(self, dirty: bool) -> None:
        self.dirty = dirty
        self.seen = set()
        self.skipped = self.written = 0
        if not dirty:
            self.keys = {}
        self.writer.start()

    def finish(self) -> None:
        """Wait for the files of this build to be written; an error names the
        first that could not be (and the next build writes them again)."""
        errors = self.writer.finish()
        for path, _exc in errors:
            self.keys.pop(path, None)
        if errors:
            path, exc = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise PluginError(f"could not write {path}: {exc.strerror or exc}{more}")

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
    #: the content is held in memory (not made when written, as a RenderedFile's)
    holds_content = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Every attribute a build sets, set now and in this order, so that the
        # instances' attribute dicts share their keys (100,000 of these at 50,000
        # papers: a dict whose keys diverged takes 830 bytes, a shared one 180).
        for name in (*compat.file_attributes(), *self._attributes):
            setattr(self, name, getattr(type(self), name, None))
        # (and MkDocs' cached paths, made on first use in whatever order)
        self.dest_uri, self.abs_dest_path  # noqa: B018

    #: see __init__
    _attributes = ("survey_content", "ledger", "key")

    def is_documentation_page(self) -> bool:
        # Never a Markdown page (``add_file`` makes those plain Files).  MkDocs asks
        # every file this several times per build: 20,000 times each at 10,000 papers.
        return False

    def _key(self) -> str:
        if self.key is None:
            self.key = key(self.content_bytes)
        return self.key

    def copy_file(self, dirty: bool = False) -> None:
        output_path = self.abs_dest_path
        if self.ledger is not None:
            if self.ledger.unchanged(output_path, self._key()):
                self._on_disk(output_path)  # the same bytes are there
                return
            # Unknown until written: a build that fails here leaves it to the next one.
            self.ledger.keys.pop(output_path, None)
        if not self._write(output_path):
            return
        if self.ledger is not None:
            self.ledger.wrote(output_path, self._key())
        self._on_disk(output_path)

    def _write(self, path: str) -> bool:
        """Write the content to ``path`` (through the ledger's writer); False when
        the write failed and was reported."""
        data = self.content_bytes  # made before the file is opened (and truncated)
        if self.ledger is not None:
            self.ledger.writer.write(path, data)
        else:
            _write(path, data)
        return True

    def _on_disk(self, path: str) -> None:
        """The content is at ``path`` now: a build's only copy is from now on read
        from the site (written before other plugins' on_post_build), not held."""
        if self.ledger is not None and self.ledger.release and self.holds_content:
            compat.read_from(self, path)
            self.survey_content = None


class MadeFile(LedgerFile):
    """A large generated file (a collection export: ``data/papers.json`` is 115 MB at
    50,000 papers) made as pieces when it is written, from what the build keeps
    anyway (the entries of each paper), and written piece by piece: the build never
    holds the whole text, nor all such files at once.  Its key is the digest of the
    pieces.  Asked for its content by another plugin, it joins them (or, once
    written, reads the file)."""

    #: makes the pieces (UTF-8) of the content, in order
    make: Callable[[], Iterable[bytes]] | None = None
    holds_content = False
    _attributes = (*LedgerFile._attributes, "make")

    def _key(self) -> str:
        if self.key is None and self.make is not None:
            self.key = Digest().add(*self.make()).hex()
        return super()._key()  # given content by another plugin: as a LedgerFile's

    @property
    def content_bytes(self) -> bytes:  # type: ignore[override]
        if self.make is None:
            return super().content_bytes
        return b"".join(self.make())

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.make = self.key = None
        File.content_bytes.fset(self, value)

    @property
    def content_string(self) -> str:  # type: ignore[override]
        return self.content_bytes.decode("utf-8")

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.make = self.key = None
        File.content_string.fset(self, value)

    def _write(self, path: str) -> bool:
        if self.make is None:  # given content by another plugin: written as it is
            return super()._write(path)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # (a few large files: emptied first, not written over, where pieces
            # ending within a block would read the block's old content back)
            with open(path, "wb") as fh:
                for piece in self.make():
                    fh.write(piece)
        except OSError as exc:
            if self.ledger is None:
                raise
            self.ledger.writer.failed(path, exc)
            return False
        return True

    def _on_disk(self, path: str) -> None:
        if self.make is not None:  # from now on its content is read from the site
            compat.read_from(self, path)
            self.make = None


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
        def make() -> File:
            made = cls.generated(config, uri, content=content)
            made.survey_content = content
            return made

        file = self.files.get((cls, uri, *self.where), make)
        made_from = getattr(file, "survey_content", None)
        if made_from is not content and made_from != content:
            if isinstance(content, bytes):
                file.content_bytes = content
            else:
                file.content_string = content
            if isinstance(file, LedgerFile):
                file.key = None
        file.survey_content = content
        return file



def add_made_file(files: Files, config: MkDocsConfig, uri: str,
                  make: Callable[[], Iterable[bytes]], ledger: Ledger | None = None
                  ) -> MadeFile:
    """Add (or replace) a :class:`MadeFile` in the build."""
    existing = files.src_uris.get(uri)
    if existing is not None:
        files.remove(existing)
    file = MadeFile.generated(config, uri, content=b"")
    file.make = make
    file.ledger = ledger
    files.append(file)
    return file


def add_file(files: Files, config: MkDocsConfig, uri: str, content: str | bytes,
             cls: type[File] = File, ledger: Ledger | None = None) -> File:
    """Add (or replace) a generated file in the build."""
    if issubclass(cls, LedgerFile) and uri.endswith(".md"):
        raise ValueError(f"{uri}: Markdown pages are not LedgerFiles")
    existing = files.src_uris.get(uri)
    if existing is not None:
        files.remove(existing)
    if ledger is not None and not uri.endswith(".md"):
        file = ledger.reuse.get(config, uri, content, cls)
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
            content = file.content_bytes
            # Placeholders are numbered in build order: hash what they stand for.
            digest = Digest().add(common, file.src_uri, _PLACEHOLDER.sub(b"", content),
                                  *renderer.stashed(content))
            dest = file.abs_dest_path
            page_key = self.current[dest] = digest.hex()
            ledger.seen.add(dest)  # a page that is gone has its output removed
            if (skip and ledger.keys.get(dest) == page_key and dest in self.meta
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
            now = (dict(file.page.meta), compat.get_title(file.page))
            self.pending[dest] = now
            changed = changed or self.meta.get(dest, now) != now
        if changed and self.skipped:
            populate = compat.populate_page()
            log.info(f"survey: a page title changed; rendering all {len(self.skipped)} "
                     "other pages too")
            for file in self.skipped:
                file.is_modified = _modified
                populate(file.page, config, files)
                self.pending[file.abs_dest_path] = (dict(file.page.meta),
                                                    compat.get_title(file.page))
            self.skipped = []
            return
        for file in self.skipped:
            meta, title = self.meta[file.abs_dest_path]
            file.page.markdown = ""
            file.page.meta = dict(meta)
            compat.set_title(file.page, title)

    def rendered(self, page) -> None:
        dest = page.file.abs_dest_path
        if dest in self.current and dest not in self.pending:
            self.pending[dest] = (dict(page.meta), compat.get_title(page))

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


def theme_override_dirs(config: MkDocsConfig) -> list[str]:
    """The theme folders before the theme's own: the project's ``custom_dir`` and
    the survey overrides (packaged, or the project's ``site_templates/overrides``)."""
    custom = config.theme.custom_dir
    out = [custom] if custom and os.path.isdir(custom) else []
    out += [d for d in config.theme.dirs
            if os.path.basename(os.path.normpath(d)) == "overrides" and d not in out]
    return out


def site_digest(config: MkDocsConfig, files: Files) -> str:
    """What every page of the site depends on besides its own source."""
    digest = Digest()
    if config.config_file_path and os.path.exists(config.config_file_path):
        with open(config.config_file_path, "rb") as fh:
            digest.add(fh.read())
    digest.add(json.dumps([config.nav, config.site_url, config.use_directory_urls,
                           config.theme.name, [str(x) for x in config.extra_css],
                           [str(x) for x in config.extra_javascript]], default=str))
    for custom in theme_override_dirs(config):
        for folder, dirs, names in sorted(os.walk(custom)):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    digest.add(path, fh.read())
    digest.add(list(files.src_uris))  # in the (fixed) order of the build
    return digest.hex()



class RenderedFile(LedgerFile):
    """A generated page rendered when MkDocs writes it (``render`` and ``key`` are
    set in ``on_env``), so thousands of paper pages are never all held in memory,
    and an incremental rebuild renders only the pages whose inputs changed.
    A page of a :class:`PageSplit` may be rendered and written by a second
    process instead: MkDocs' copy then only records it."""

    render: Callable[[], str] | None = None
    holds_content = False
    #: the pages shared with a second process this page is one of, and its place
    split: PageSplit | None = None
    split_index = 0
    _attributes = (*LedgerFile._attributes, "render", "split", "split_index")

    def copy_file(self, dirty: bool = False) -> None:
        if (self.split is not None and self.ledger is not None
                and not self.split.take_front(self.split_index)):
            output_path = self.abs_dest_path  # the second process writes it
            self.ledger.seen.add(output_path)
            self.ledger.wrote(output_path, self._key())
            return
        super().copy_file(dirty)

    def _text(self) -> str:
        if self.render is None:
            raise PluginError(f"{self.src_uri} was not rendered (survey plugin on_env)")
        return self.render()

    @property
    def content_string(self) -> str:  # type: ignore[override]
        return self._text()

    @property
    def content_bytes(self) -> bytes:  # type: ignore[override]
        return self._text().encode("utf-8")

    def is_modified(self) -> bool:
        return True


class PageSplit:
    """Pages written by two processes, whichever comes first: this one takes
    them from the front as MkDocs writes its files (:meth:`take_front`), a
    forked one from the back (:meth:`write_back`) until the two meet, so the
    work divides itself whatever else either process is doing.  Every page
    before ``bounds[0]`` is this process's, every page from ``bounds[1]`` on
    the other's."""

    def __init__(self, pages: Sequence[RenderedFile]) -> None:
        ctx = multiprocessing.get_context("fork")
        self.pages = list(pages)
        self._bounds = ctx.RawArray("q", [0, len(self.pages)])
        self._lock = ctx.Lock()
        for n, file in enumerate(self.pages):
            file.split, file.split_index = self, n

    def take_front(self, n: int) -> bool:
        """Whether page ``n`` is this process's to write (not taken from the back)."""
        with self._lock:
            if n >= self._bounds[1]:
                return False
            self._bounds[0] = max(self._bounds[0], n + 1)
            return True

    def _take_back(self) -> int | None:
        with self._lock:
            low, high = self._bounds
            if high <= low:
                return None
            self._bounds[1] = high - 1
            return high - 1

    def write_back(self) -> list[tuple[str, OSError]]:
        """Render and write pages from the back until the front is reached (in
        the forked process); the files that could not be written."""
        folders: set[str] = set()
        errors: list[tuple[str, OSError]] = []
        while (n := self._take_back()) is not None:
            file = self.pages[n]
            path = file.abs_dest_path
            data = file.content_bytes
            try:
                _write(path, data, folders)
            except OSError as exc:
                errors.append((path, exc))
        return errors

    def taken_back(self) -> list[RenderedFile]:
        """The pages taken from the back."""
        with self._lock:
            return self.pages[self._bounds[1]:]

    def release(self) -> None:
        for file in self.pages:
            file.split = None
