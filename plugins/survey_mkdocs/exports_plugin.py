"""``survey-exports``: BibTeX and CSL-JSON files for the whole collection,
each topic, each survey and each paper."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

from survey.catalog import CACHE_DIR, Carry, DiskMemo
from survey.exports import ENTRY_VERSION, build_exports

from .shared import LedgerFile, add_file, catalog_plugin, log, state


class ExportsConfig(base.Config):
    #: Write ``papers/<id>/<key>.bib`` next to every paper page.
    per_paper = c.Type(bool, default=True)
    #: Write ``bib/topics/<topic-id>.bib`` for every topic.
    per_topic = c.Type(bool, default=True)
    #: Write CSL-JSON (``data/papers.json`` and ``data/surveys/<id>.json``).
    csl = c.Type(bool, default=True)
    #: Keep the BibTeX entries of unchanged records in ``.survey-cache/``.
    cache = c.Type(bool, default=True)


class ExportsPlugin(BasePlugin[ExportsConfig]):
    def __init__(self) -> None:
        self.memo: DiskMemo | None = None
        self.command = "build"
        #: collection .bib texts kept between `mkdocs serve` rebuilds
        self._kept = Carry()

    # Defining on_startup keeps this instance (and its memo) across `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_shutdown(self) -> None:
        if self.memo is not None:
            self.memo.flush()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        st = state(config)
        memo_path = st.catalog.root / CACHE_DIR / f"{ENTRY_VERSION}.pickle"
        if self.memo is None or self.memo.path != memo_path:
            self.memo = DiskMemo(st.catalog.root, ENTRY_VERSION, ENTRY_VERSION,
                                 persist=self.config.cache)
        self.memo.defer = catalog_plugin(config).dirty  # serve writes it when it stops
        exports = build_exports(st.catalog, per_paper=self.config.per_paper,
                                per_topic=self.config.per_topic, csl=self.config.csl,
                                memo=self.memo, paper_memo=st.memo,
                                kept=self._kept if self.command == "serve" else None)
        st.csl.update(exports.csl)
        st.bibtex.update(exports.entries)
        for uri, content in exports.files.items():
            add_file(files, config, uri, content, cls=LedgerFile, ledger=st.ledger)
        log.info(f"survey: {len(exports.files)} export files")
        return files
