"""State shared by the survey plugins during one build."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from survey.catalog import Catalog, PaperMemo
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
    #: paper id -> extra <head> tags for its page
    head: dict[str, str] = field(default_factory=dict)
    #: named SVG charts for generated pages
    charts: dict[str, str] = field(default_factory=dict)
    #: per-record derived values kept across rebuilds
    memo: PaperMemo = field(default_factory=lambda: PaperMemo())
    #: paper id -> CSL-JSON item
    csl: dict[str, dict] = field(default_factory=dict)
    #: what the plugins wrote, for incremental (``--dirty``) rebuilds
    ledger: Ledger | None = None
    #: the generated home page, if the docs folder has none
    home_file: File | None = None


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
    rebuilds: with ``--dirty`` a file whose inputs did not change is neither
    rendered nor rewritten, and files of removed papers are deleted."""

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
        self.seen.add(path)
        if self.dirty and self.keys.get(path) == key and os.path.exists(path):
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
    """A generated file that is not rewritten by a dirty rebuild when its content
    (or, for subclasses, its ``key``) is unchanged."""

    ledger: Ledger | None = None
    key: str | None = None

    def _key(self) -> str:
        if self.key is None:
            self.key = hashlib.sha1(self.content_bytes).hexdigest()
        return self.key

    def copy_file(self, dirty: bool = False) -> None:
        output_path = self.abs_dest_path
        if self.ledger is not None and self.ledger.unchanged(output_path, self._key()):
            return
        os.makedirs(os.path.dirname(output_path), exist_ok=True)
        with open(output_path, "wb") as fh:
            fh.write(self.content_bytes)
        if self.ledger is not None:
            self.ledger.wrote(output_path, self._key())


def add_file(files: Files, config: MkDocsConfig, uri: str, content: str | bytes,
             cls: type[File] = File, ledger: Ledger | None = None) -> File:
    """Add (or replace) a generated file in the build."""
    existing = files.get_file_from_path(uri)
    if existing is not None:
        files.remove(existing)
    file = cls.generated(config, uri, content=content)
    if ledger is not None:
        file.ledger = ledger
    files.append(file)
    return file
