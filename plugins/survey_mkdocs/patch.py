"""Edits under ``mkdocs serve`` at the cost of what they change.

Most edits a curator previews change one record's text (a title, an
abstract, authors, a venue, links) or one survey's prose.  For those the
rebuild does not go through MkDocs' build at all: the last build's catalog is
patched in place (:func:`survey_core.model.catalog.patch_papers`,
:func:`~survey_core.model.catalog.patch_survey`), and only the files the edit is
in are made again, each by the same code a build uses:

* the record's BibTeX and CSL-JSON, and the collection files that hold it
  (``bib/all.bib``, its topics' and surveys' ``.bib`` and ``.json``);
* its page, and the pages whose "Related papers" list changed or shows it;
* the pieces of the papers index (``data/index/``) and of the search index
  (``_search/``) that hold it;
* the Markdown pages that list it (its topics and their ancestors, its
  surveys, the topics page, the home page, the papers index page, help
  wanted), rendered through MkDocs' own page functions (other plugins' page
  events included) when their Markdown changed;
* the feeds and the LaTeX editions of its surveys.

Anything else (a record added, removed or moved to other topics or dates; the
taxonomy, a template, ``mkdocs.yml``, a hand-written page; another plugin that
listens to build events; Material's search plugin) is a rebuild through MkDocs
as before, and the log says why.  What is patched is what a fresh build
writes (``tests/test_rebuild.py`` compares every served file), except the
related papers, which rebuilds update approximately either way (see
:func:`survey_core.site.related.related_ids`).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from survey_core.model.catalog import patch_papers, patch_survey
from survey_core.model.memo import key
from survey_core.model.safeio import write_over
from survey_core.model.surveys import load_survey
from survey_core.site.exports import Splice, apply_splice

from . import compat
from .compat import log
from .files import LedgerFile
from .state import report

#: Build-level events other plugins may not listen to for an edit to be patched
#: (page events are fine: patched pages go through them).
BUILD_EVENTS = ("on_config", "on_pre_build", "on_files", "on_nav", "on_env",
                "on_post_build", "on_pre_template", "on_template_context",
                "on_post_template")


#: Files larger than this are written by a patch without comparing them first.
BIG = 1 << 20


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _walk(folder: Path, skip: str | None = None) -> dict[str, tuple[int, int] | None]:
    out: dict[str, tuple[int, int] | None] = {}
    if not folder.is_dir():
        return out
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and (skip is None or os.path.realpath(os.path.join(base, d)) != skip)]
        for name in names:
            if not name.startswith("."):
                path = os.path.join(base, name)
                out[path] = _stat(path)
    return out


class Patcher:
    """Decides whether an edit can be patched, and patches it (see the module
    docstring).  Knows the inputs of the last successful build."""

    def __init__(self, plugin) -> None:
        self.plugin = plugin
        #: path -> (mtime, size) of every input file but the records, at the last build
        self.inputs: dict[str, tuple[int, int] | None] | None = None
        #: record file name -> (mtime, size) at the last build
        self.records: dict[str, tuple[int, int]] = {}
        self.config = None
        #: seconds per step of the last patch, and why the last edit was not one (or "")
        self.steps: dict[str, float] = {}
        self.why = ""
        #: paths the file system events named since the last build (see
        #: :func:`.serve.native_watch`); without them every record is looked at
        self.watching = False
        self._pending: tuple | None = None
        self._noted: set[str] = set()
        self._lock = threading.Lock()

    def note(self, path: str) -> None:
        with self._lock:
            self._noted.add(path)

    def _take_noted(self) -> set[str]:
        with self._lock:
            noted, self._noted = self._noted, set()
        return noted

    # -- what changed ------------------------------------------------------------
    def _folders(self) -> list[Path]:
        catalog = self.plugin.catalog
        config = self.config
        out = [catalog.root / "content", *catalog.templates.folders, Path(config.docs_dir)]
        if config.theme.custom_dir:
            out.append(Path(config.theme.custom_dir))
        return out

    def _inputs(self) -> dict[str, tuple[int, int] | None]:
        papers = os.path.realpath(self.plugin.catalog.root / "content" / "papers")
        out: dict[str, tuple[int, int] | None] = {}
        for folder in self._folders():
            out.update(_walk(folder, skip=papers))
        if self.config.config_file_path:
            out[self.config.config_file_path] = _stat(self.config.config_file_path)
        return out

    def _records(self) -> dict[str, tuple[int, int]]:
        folder = self.plugin.catalog.root / "content" / "papers"
        out = {}
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not entry.name.startswith("."):
                        st = entry.stat(follow_symlinks=False)
                        out[entry.name] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass
        return out

    def before_config(self, config) -> None:
        """As a build starts: the state of the inputs it is about to read (so an
        edit saved while it runs is seen by the next rebuild)."""
        self.config = config
        self._pending = (self._inputs(), None)

    def before_records(self) -> None:
        """As the build reads the records."""
        self._take_noted()
        if self._pending is not None:
            self._pending = (self._pending[0], self._records())

    def snapshot(self, config) -> None:
        """After a successful build: what it read."""
        pending, self._pending = self._pending, None
        if pending is None or pending[1] is None:
            self.inputs = None
            return
        self.config = config
        self.inputs, self.records = pending

    def forget(self) -> None:
        self.inputs = None

    def changes(self) -> tuple[list[str], list[str]] | str:
        """(changed record files, changed survey files), or why the edit is not
        one to patch."""
        if self.inputs is None:
            return "no earlier build to patch"
        now = self._inputs()
        surveys_dir = str(self.plugin.catalog.root / "content" / "surveys")
        surveys = []
        for path in now.keys() | self.inputs.keys():
            if now.get(path) == self.inputs.get(path):
                continue
            if (os.path.dirname(path) == surveys_dir and path.endswith(".md")
                    and now.get(path) is not None and self.inputs.get(path) is not None):
                surveys.append(path)
                continue
            return f"{os.path.relpath(path, self.plugin.catalog.root)} changed"
        if self.watching:
            found = self._noted_records()
            if isinstance(found, str):
                return found
            records = found
        else:
            records = self._records()
            if records.keys() != self.records.keys():
                return "a record was added or removed"
        changed = sorted(n for n, s in records.items() if self.records[n] != s)
        if any(not n.endswith(".yml") for n in changed):
            return "a file in content/papers/ that is not a record changed"
        self.records.update({n: records[n] for n in changed})
        return changed, sorted(surveys)

    def _noted_records(self) -> dict[str, tuple[int, int]] | str:
        """The state now of the record files the file system events named."""
        folder = os.path.realpath(self.plugin.catalog.root / "content" / "papers")
        out = {}
        for path in self._take_noted():
            if os.path.dirname(os.path.realpath(path)) != folder:
                continue
            name = os.path.basename(path)
            if name.startswith("."):
                continue
            try:
                st = os.stat(path, follow_symlinks=False)
                now = (st.st_mtime_ns, st.st_size)
            except OSError:
                now = None
            if name not in self.records:
                if now is None:
                    continue  # a file written and moved away (a save through a temporary file)
                return "a record was added"
            if now is None:
                return "a record was removed"
            out[name] = now
        return out

    def _why_not(self) -> str | None:
        plugin = self.plugin
        config = self.config
        if plugin.state is None:
            return "no earlier build to patch"
        if compat.populate_page() is None or compat.build_page() is None:
            return "this MkDocs lacks the page functions a patch uses"
        own = plugin
        for event in BUILD_EVENTS:
            for method in config.plugins.events.get(event, []):
                if getattr(method, "__self__", None) is not own:
                    return f"another plugin listens to {event}"
        if "search" in config.plugins:
            return "the search plugin indexes the whole site"
        return None

    # -- the patch ---------------------------------------------------------------
    def run(self) -> bool:
        """Patch the site for the edits since the last build; False when the
        edit needs a build (nothing was changed then)."""
        started = time.perf_counter()
        self.steps, self.why = {}, ""
        why = self._why_not() if self.inputs is not None else "no earlier build to patch"
        found = why or self.changes()
        if isinstance(found, str):
            self.why = found
            log.info(f"survey: rebuilding the site: {found}")
            return False
        record_names, survey_paths = found
        st = self.plugin.state
        cat = st.catalog
        catalog = self.plugin.catalog
        cache = catalog.cache
        edits = []
        for name in record_names:
            rel = f"content/papers/{name}"
            before = cache.stat.get(rel)
            value = cache.memo.values.get(before[2]) if before else None
            paper, diags = cache.read(cat.root / "content" / "papers" / name, rel)
            if paper is None or value is None:
                log.info(f"survey: rebuilding the site: {rel} could not be read")
                return False
            edits.append((paper, diags, list(value[1])))
        surveys = []
        for path in survey_paths:
            rel = f"content/surveys/{os.path.basename(path)}"
            survey, diags = load_survey(Path(path), rel)
            if survey is None:
                log.info(f"survey: rebuilding the site: {rel} could not be read")
                return False
            surveys.append((survey, diags))
        olds = {p.id: cat.by_id.get(p.id) for p, _d, _b in edits}
        reason = patch_papers(cat, edits) if edits else None
        for survey, diags in surveys:
            reason = reason or patch_survey(cat, survey, diags)
        if reason is not None:
            self.why = reason
            log.info(f"survey: rebuilding the site: {reason}")
            return False
        if cat.errors and self.config.strict:
            log.info("survey: rebuilding the site: content errors in strict mode")
            return False
        # Patched from here on: a failure leaves it to a full build.
        try:
            written = self._patch(st, [(olds[p.id], cat.by_id[p.id]) for p, _d, _b in edits],
                                  [s.id for s, _d in surveys])
        except Exception as exc:  # noqa: BLE001 - reported, then a full rebuild
            log.warning(f"survey: patching the site failed ({exc!r}); rebuilding it")
            self.inputs = None
            catalog.ledger.keys.clear()
            return False
        report([d for d in cat.diagnostics
                if d.file in {p.path for p, _d, _b in edits} | {s.path for s, _d in surveys}])
        self.inputs = self._inputs()
        log.info(f"survey: patched {len(edits)} record(s) and {len(surveys)} survey(s): "
                 f"{written} files written in {time.perf_counter() - started:.2f} s ("
                 + ", ".join(f"{k} {v:.2f}" for k, v in self.steps.items()) + ")")
        return True

    def _patch(self, st, papers, survey_ids: list[str]) -> int:
        plugin = self.plugin
        config = self.config
        changed = [new for _old, new in papers]
        out = Output(config, plugin.catalog.ledger, plugin.catalog.files)
        steps = self.steps = {}
        clock = time.perf_counter()

        def step(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            steps[name] = now - clock
            clock = now

        out.files(plugin.exports.patch(st, changed))
        step("exports")
        paper_ids = set(plugin.discovery.patch_related(st, changed))
        paper_ids |= {p.id for p in changed}
        step("related")
        out.pages(plugin.catalog.patch_paper_pages(st, paper_ids))
        step("paper pages")
        out.files(plugin.discovery.patch_index(st, papers))
        step("papers index")
        out.files(plugin.discovery.patch_feeds(st, changed, survey_ids))
        step("feeds")
        out.files(plugin.surveys.patch_editions(st, changed, survey_ids))
        step("LaTeX")
        plugin.discovery.patch_help(papers)
        uris = plugin.catalog.patch_uris(st, changed, survey_ids)
        uris += plugin.discovery.patch_uris(st, papers)
        uris += plugin.surveys.patch_uris(st, changed, survey_ids)
        rendered = plugin.catalog.render_pages(st, list(dict.fromkeys(uris)))
        out.count += len(rendered)
        step("pages")
        plugin.discovery.patch_search(st, changed, survey_ids, rendered)
        step("search")
        return out.count


class Output:
    """Writes patched files into the site folder (each over the file there) and
    keeps the build ledger true: a file whose content is known keeps its key, a
    page rendered from other inputs loses it (the next build writes it again)."""

    def __init__(self, config, ledger, build_files) -> None:
        self.site = config.site_dir
        self.ledger = ledger
        #: the last build's files: those that are LedgerFiles have a key in the ledger
        self.build_files = build_files
        self.count = 0

    def _write(self, path: str, data: bytes) -> None:
        write_over(path, data)
        self.count += 1

    def files(self, files: dict[str, str | bytes | Splice]) -> None:
        for uri, content in files.items():
            path = os.path.normpath(os.path.join(self.site, uri))
            if isinstance(content, Splice):
                # A large collection file: its changed entries spliced into the file as
                # written; one not as expected is written whole.
                if not apply_splice(path, content):
                    self._write(path, content.whole())
                else:
                    self.count += 1
                self.ledger.keys.pop(path, None)
                continue
            data = content.encode("utf-8") if isinstance(content, str) else content
            if not isinstance(self.build_files.get_file_from_path(uri), LedgerFile):
                self._write(path, data)  # a plain file: written by every build
                continue
            if len(data) > BIG:  # not worth a hash: written, and the next build writes it
                self._write(path, data)
                self.ledger.keys.pop(path, None)
                continue
            if self.ledger.keys.get(path) == key(data):
                continue
            self._write(path, data)
            self.ledger.keys[path] = key(data)

    def pages(self, pages: dict[str, bytes]) -> None:
        for path, data in pages.items():
            self._write(path, data)
            self.ledger.keys.pop(path, None)
