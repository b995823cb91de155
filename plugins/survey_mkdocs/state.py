"""The state of one build of the survey plugin: made in ``on_files`` from the
catalog, dropped in ``on_pre_build``, so nothing of one build leaks into the
next (what rebuilds may reuse is kept by the plugin's parts, keyed by content)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from survey_core.model.catalog import Catalog
from survey_core.model.diagnostics import Diagnostic
from survey_core.model.memo import PaperMemo
from survey_core.model.model import Paper
from survey_core.site.render import Renderer

from .compat import log
from .files import Ledger


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
    #: generated Markdown page (source URI) -> what makes its Markdown again (an
    #: edit patched under `mkdocs serve` makes the pages it may change again)
    makers: dict[str, Callable[[], str]] = field(default_factory=dict)


def head_for(st: BuildState, paper: Paper) -> str:
    """The extra <head> tags of a paper's page."""
    return "\n".join(t for t in (make(paper) for make in st.head_makers) if t).strip()


def report(diagnostics: list[Diagnostic]) -> None:
    """Log content problems: errors as warnings (so `mkdocs build --strict` fails on each),
    warnings about incomplete metadata at info level."""
    for d in diagnostics:
        if d.is_error:
            log.warning(d.format())
        else:
            log.debug(d.format())



class Part:
    """One part of the survey plugin (catalog, exports, discovery, surveys): kept
    for the plugin's lifetime (across `mkdocs serve` rebuilds), its options in
    the plugin's config section of the same name."""

    def __init__(self, plugin) -> None:
        self.plugin = plugin

    @property
    def command(self) -> str:
        return self.plugin.command

    @property
    def dirty(self) -> bool:
        """An incremental rebuild (under ``mkdocs serve``)."""
        return self.plugin.dirty
