"""Paper pages are pages: other plugins' page events for the pages the survey
plugin renders itself.

Topic, survey and index pages are Markdown files MkDocs builds like any other.
Paper pages (most of the site) are spliced into one page shell the theme renders
once (see :mod:`.catalog`).  So that a plugin a user adds (a minifier, a privacy
or analytics plugin, a feed) treats them like every other page, each paper page
is handed, as it is written, to every other plugin's ``on_page_context`` and
``on_post_page`` with a real :class:`~mkdocs.structure.pages.Page` (title, URL,
canonical URL, meta).  When no other plugin listens to an event, the event is
skipped (the fast path); when one does, the build log says so once per build.

Two plugins are left out on purpose: the survey plugin itself, and the search
plugin, whose paper documents the survey plugin writes itself (shorter than a
whole page's; see :mod:`.discovery`).  Changes a plugin makes to the template
context of a paper page are not rendered: the shell is rendered once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .compat import log

#: The events a generated paper page goes through.
EVENTS = ("page_context", "post_page")
_SEARCH_MODULES = ("mkdocs.contrib.search", "material.plugins.search", "properdocs.contrib.search")


def _owner(method, config: MkDocsConfig) -> tuple[str, object]:
    target = getattr(method, "__self__", None)
    for name, plugin in config.plugins.items():
        if target is plugin or (inspect.ismodule(plugin)
                                and getattr(method, "__module__", None) == plugin.__name__):
            return name, plugin
    return getattr(method, "__qualname__", "?"), target


class PageEvents:
    """The other plugins' handlers of :data:`EVENTS`, found once per build."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Callable]] = {e: [] for e in EVENTS}
        self.names: dict[str, list[str]] = {e: [] for e in EVENTS}
        self.nav = None
        self.pages: list[File] = []
        #: paper pages handed to the events in this build
        self.handed = 0

    def start(self, config: MkDocsConfig, own: object) -> None:
        self.handed = 0
        for event in EVENTS:
            self.handlers[event], self.names[event] = [], []
            for method in config.plugins.events.get(event, []):
                name, plugin = _owner(method, config)
                if plugin is own or type(plugin).__module__.startswith(_SEARCH_MODULES):
                    continue
                self.handlers[event].append(method)
                self.names[event].append(name)

    @property
    def active(self) -> bool:
        return any(self.handlers.values())

    def describe(self) -> str:
        return "; ".join(f"on_{e} of {', '.join(self.names[e])}" for e in EVENTS
                         if self.names[e])

    def key(self) -> str:
        """What the events add to a page's key: who listens."""
        return repr(self.names)

    def run(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """``output`` after the other plugins' page events."""
        self.handed += 1
        if self.handlers["page_context"]:
            from mkdocs.commands.build import get_context

            context = get_context(self.nav, self.pages, config, page)
            for method in self.handlers["page_context"]:
                result = method(context, page=page, config=config, nav=self.nav)
                if result is not None:
                    context = result
        for method in self.handlers["post_page"]:
            result = method(output, page=page, config=config)
            if result is not None:
                output = result
        return output


def paper_page(file: File, config: MkDocsConfig, title: str, content: str, meta: dict,
               edit_url: str | None) -> Page:
    """A :class:`Page` for a generated paper page, as other plugins expect one:
    its title, URL and canonical URL (from ``site_url``), meta and HTML content."""
    page = Page(title, file, config)
    page.markdown = ""
    page.content = content
    page.toc = get_toc("")
    page.meta = meta
    page.edit_url = edit_url
    return page


def log_listeners(events: PageEvents) -> None:
    """Once per build, after the pages are written: who the paper pages went to."""
    if events.active:
        log.info(f"survey: {events.handed} paper pages went through {events.describe()} "
                 "(each made a Page for them)")
