"""State shared by the survey plugins during one build."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from survey.catalog import Catalog
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


def add_file(files: Files, config: MkDocsConfig, uri: str, content: str | bytes,
             cls: type[File] = File) -> File:
    """Add (or replace) a generated file in the build."""
    existing = files.get_file_from_path(uri)
    if existing is not None:
        files.remove(existing)
    file = cls.generated(config, uri, content=content)
    files.append(file)
    return file
