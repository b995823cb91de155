"""The exports part of the ``survey`` plugin: BibTeX and CSL-JSON files for the whole collection,
each topic, each survey and each paper."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from survey_core.model.memo import CACHE_DIR, Carry, DiskMemo
from survey_core.site.exports import ENTRY_VERSION, build_exports

from .compat import log
from .config import ExportsConfig
from .files import LedgerFile, add_file
from .state import BuildState, Part


class ExportsPart(Part):
    def __init__(self, plugin) -> None:
        super().__init__(plugin)
        self.memo: DiskMemo | None = None
        #: collection .bib texts kept between `mkdocs serve` rebuilds
        self._kept = Carry()

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
                                memo=self.memo, paper_memo=st.memo,
                                kept=self._kept if self.command == "serve" else None)
        st.csl.update(exports.csl)
        st.bibtex.update(exports.entries)
        for uri, content in exports.files.items():
            add_file(files, config, uri, content, cls=LedgerFile, ledger=st.ledger)
        log.info(f"survey: {len(exports.files)} export files")
