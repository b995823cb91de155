"""The exports part of the ``survey`` plugin: BibTeX and CSL-JSON files for the whole collection,
each topic, each survey and each paper."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from survey_core.model.memo import CACHE_DIR, DiskMemo
from survey_core.site.exports import (
    ENTRY_VERSION,
    Exports,
    build_exports,
    patch_exports,
    prime_orders,
)

from .compat import log
from .config import ExportsConfig
from .files import LedgerFile, add_file, add_made_file
from .state import BuildState, Part


class ExportsPart(Part):
    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        self.memo: DiskMemo | None = None
        #: the last build's exports (`mkdocs serve`), for :meth:`patch`
        self.last: Exports | None = None

    @property
    def config(self) -> ExportsConfig:
        return self.plugin.config.exports

    def on_shutdown(self) -> None:
        if self.memo is not None:
            self.memo.flush()

    def on_files(self, files: Files, st: BuildState, config: MkDocsConfig) -> None:
        memo_path = st.catalog.root / CACHE_DIR / f"{ENTRY_VERSION}.pickle"
        if self.memo is None or self.memo.path != memo_path:
            self.memo = DiskMemo(st.catalog.root, ENTRY_VERSION, ENTRY_VERSION,
                                 persist=self.config.cache)
        self.memo.defer = self.plugin.dirty  # serve writes it when it stops
        exports = build_exports(st.catalog, per_paper=self.config.per_paper,
                                per_topic=self.config.per_topic, csl=self.config.csl,
                                memo=self.memo,
                                pack=self.command == "serve", lazy=True)
        self.last = exports if self.command == "serve" else None
        if self.last is not None:
            prime_orders(st.catalog, exports)
        st.csl.update(exports.csl)
        st.bibtex.update(exports.entries)
        for uri, content in exports.files.items():
            if callable(content):  # a collection file, written piece by piece
                add_made_file(files, config, uri, content, ledger=st.ledger)
            else:
                add_file(files, config, uri, content, cls=LedgerFile, ledger=st.ledger)
        log.info(f"survey: {len(exports.files)} export files")
        exports.files = {}  # in the build's files now

    def patch(self, st: BuildState, changed: list) -> dict[str, str | bytes]:
        """The export files holding the ``changed`` papers (see :mod:`.patch`)."""
        if not changed:
            return {}
        if self.last is None:
            raise RuntimeError("no exports to patch")
        files = patch_exports(st.catalog, self.last, changed, per_paper=self.config.per_paper,
                              per_topic=self.config.per_topic, csl=self.config.csl,
                              memo=self.memo)
        for p in changed:
            st.bibtex[p.id] = self.last.entries[p.id]
            if p.id in self.last.csl:
                st.csl[p.id] = self.last.csl[p.id]
        return files
