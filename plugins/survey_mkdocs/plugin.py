"""The ``survey`` MkDocs plugin: the whole survey site from ``content/``.

One plugin with one config section per part (see :mod:`.config`).  The parts
keep what rebuilds under ``mkdocs serve`` reuse for the plugin's lifetime; what
one build derives from the catalog is one :class:`~.state.BuildState`, dropped
in ``on_config`` and ``on_pre_build`` and made anew in ``on_files``.  The parts
run in a fixed order inside each event, and the events that must run before or
after other plugins' say so with a priority, so neither the position of
``survey`` nor that of ``search`` in ``mkdocs.yml`` matters:

* ``on_files`` (priority 50): the catalog, related papers, exports, discovery
  pages, surveys, in that order; other plugins' ``on_files`` see every
  generated file;
* ``on_env`` (priority -50): the paper page shell is rendered from the theme
  environment after other plugins changed it;
* ``on_post_page`` (priority 100): generated blocks are put back before other
  plugins see a page's HTML;
* ``on_pre_build``: the previous site's files are moved aside; at the end of
  ``on_files`` a second process moves back those this build writes (to be written
  over) and deletes the rest while the build goes on (:mod:`.sitedir`);
* ``on_post_build`` (priority 100): every generated file is on disk (they are
  written by a second thread during the build), and the previous site's are gone,
  before other plugins look;
  (priority -100, the search index): after the search plugin wrote its index,
  the paper pages' documents are added to it.

When the process exits, what the build leaves in memory (at 10,000 papers, the
catalog and the build's pages and files: a few hundred MB of objects) is left to
the operating system: the collector's last passes over it are skipped
(:func:`_leave_heap_at_exit`), which took 0.6 s of a 10,000-paper build.
"""

from __future__ import annotations

import atexit
import gc

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .catalog import CatalogPart
from .config import SurveyConfig
from .discovery import DiscoveryPart
from .exports import ExportsPart
from .patch import Patcher
from .sitedir import OldSite
from .state import BuildState
from .surveys import SurveysPart


def _leave_heap_at_exit() -> None:
    """At interpreter exit, leave the objects still alive to the operating system.

    Python's finalisation clears the modules, then collects the cycles left: the
    plugin and its parts refer to each other, so everything the build keeps is
    freed object by object by the collector, after every ``atexit`` function has
    run and nothing can use it any more.  Moving the objects alive to the
    collector's permanent generation (:func:`gc.freeze`) as the process exits
    makes the collector leave them.  Every ``atexit`` function still runs (those
    registered before the plugin's after it), logging's among them; the build
    closes the files it writes before it ends.  Only an object in a reference
    cycle is no longer finalised at exit, as one would not be on a crash."""
    if not _LEAVE_HEAP:
        _LEAVE_HEAP.append(True)
        atexit.register(gc.freeze)


_LEAVE_HEAP: list[bool] = []


class SurveyPlugin(BasePlugin[SurveyConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        #: this build's state (None outside a build)
        self.state: BuildState | None = None
        self.command = "build"
        #: an incremental rebuild under `mkdocs serve` (set by its rebuild function)
        self.dirty = False
        self.catalog = CatalogPart(self)
        self.exports = ExportsPart(self)
        self.discovery = DiscoveryPart(self)
        self.surveys = SurveysPart(self)
        #: edits under `mkdocs serve` patched without a build (see .patch)
        self.patcher = Patcher(self)
        #: the previous site's files, used again or deleted beside a full build
        #: (see .sitedir)
        self.old_site = OldSite()

    # Defining on_startup keeps this instance (and its parts' caches) alive across
    # `mkdocs serve` rebuilds.
    def on_startup(self, *, command: str, dirty: bool) -> None:
        _leave_heap_at_exit()
        self.command = command
        self.dirty = dirty
        self.state = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.state = None
        self.patcher.forget()
        self.discovery.on_config(config)
        self.catalog.on_config(config)
        self.surveys.on_config(config)
        if self.command == "serve":
            self.patcher.before_config(config)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.state = None  # nothing from a previous build survives into this one
        if self.command in ("build", "gh-deploy") and not self.dirty:
            self.old_site.set_aside(config.site_dir)  # before MkDocs empties the folder
        self.catalog.on_pre_build(config=config)

    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.command == "serve":
            self.patcher.before_records()
        st = self.state = self.catalog.on_files(files, config=config)
        self.discovery.on_files_related(st)
        self.exports.on_files(files, st, config)
        self.discovery.on_files(files, st, config)
        self.surveys.on_files(files, st, config)
        # the previous site's files that this build writes are written over
        self.old_site.reclaim([f.dest_uri for f in files])
        return files

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        return self.catalog.on_nav(nav, config=config, files=files)

    @event_priority(-50)
    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        self.discovery.finish_related(self.state, config, files)
        env = self.catalog.on_env(env, config=config, files=files)
        if self.catalog.pages_forked:  # made while the second process renders pages
            self.discovery.search_index_now(self.state, config, files)
        return env

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        html = self.surveys.on_page_content(html, page=page, config=config, files=files)
        self.discovery.on_page_content(html, page=page)
        return html

    def on_page_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        return self.catalog.on_page_context(context, page=page, config=config, nav=nav)

    @event_priority(100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return self.catalog.on_post_page(output, page=page, config=config)

    @event_priority(100)  # the generated files are written before other plugins look
    def _on_post_build(self, *, config: MkDocsConfig) -> None:
        self.catalog.on_post_build(config=config)
        self.old_site.finish()  # after the plugin's writes

    @event_priority(-100)  # after the search plugin has written its index
    def _on_post_build_search(self, *, config: MkDocsConfig) -> None:
        self.discovery.on_post_build(config=config)
        if self.command == "serve":
            self.patcher.snapshot(config)

    on_post_build = CombinedEvent(_on_post_build, _on_post_build_search)

    def on_build_error(self, *, error: Exception) -> None:
        self.patcher.forget()
        self.catalog.on_build_error(error=error)
        self.old_site.finish()
        self.discovery.cancel_forked()

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        return self.catalog.on_serve(server, config=config, builder=builder)

    def on_shutdown(self) -> None:
        self.old_site.finish()
        self.catalog.on_shutdown()
        self.exports.on_shutdown()
        self.discovery.on_shutdown()
