"""Every private MkDocs name the survey plugin uses, in one place.

The incremental rebuilds of ``mkdocs serve`` lean on parts of MkDocs that are
not its public API: the ``build`` function that ``mkdocs serve``'s rebuild
closure calls, the live-reload server's rebuild flag, ``_populate_page``, a
page's ``_title_from_render``, and MkDocs asking ``File.is_modified()`` in a
dirty build.  Each is checked here, once per process, to exist and to look the
way this code expects (same name, module, signature).  When one does not, the
survey plugin logs one line saying which and falls back: full rebuilds under
``mkdocs serve`` (the site a fresh build gives, only slower), or polling
instead of native file events.  Nothing outside this module names a private
MkDocs attribute (``tests/test_structure.py`` checks that).

The same checks pass under ProperDocs, which serves the ``mkdocs.*`` modules
as ``properdocs.*``.
"""

from __future__ import annotations

import gc
import inspect
import logging
import threading
from collections.abc import Callable
from functools import cache

log = logging.getLogger("mkdocs.plugins.survey")

_BUILD_MODULES = ("mkdocs.commands.build", "properdocs.commands.build")
_said: set[str] = set()


def say_once(key: str, message: str) -> None:
    if key not in _said:
        _said.add(key)
        log.info(message)


def _params(func) -> list[str]:
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []


def _source(obj) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


# -- what the incremental serve needs ----------------------------------------------
def _build_module():
    import mkdocs.commands.build as build_module

    return build_module


@cache
def populate_page() -> Callable | None:
    """``mkdocs.commands.build._populate_page(page, config, files, dirty=False)``:
    reads and renders one page's Markdown (used when a skipped page has to be
    rendered after all)."""
    func = getattr(_build_module(), "_populate_page", None)
    if callable(func) and _params(func)[:4] == ["page", "config", "files", "dirty"]:
        return func
    return None


@cache
def build_page() -> Callable | None:
    """``mkdocs.commands.build._build_page(page, config, doc_files, nav, env, dirty,
    excluded)``: renders one page into the theme and writes it (used to patch
    the pages an edit changes, see :mod:`.patch`)."""
    func = getattr(_build_module(), "_build_page", None)
    if callable(func) and _params(func)[:6] == ["page", "config", "doc_files", "nav", "env",
                                                "dirty"]:
        return func
    return None


@cache
def page_title_attribute() -> bool:
    """``Page._title_from_render``: the title a page's Markdown gives it (its first
    heading), set when the page is rendered and read by ``Page.title``."""
    from mkdocs.structure.pages import Page

    source = _source(Page)
    return ("self._title_from_render: str | None = None" in source
            and "return self._title_from_render" in source)


@cache
def build_asks_is_modified() -> bool:
    """In a dirty build MkDocs renders only pages whose ``file.is_modified()`` is
    true: the survey plugin sets that per file."""
    module = _build_module()
    build_page = getattr(module, "_build_page", None)
    return "is_modified()" in _source(build_page) and "is_modified()" in _source(
        getattr(module, "_populate_page", None))


def get_title(page) -> str | None:
    return page._title_from_render


def set_title(page, title: str | None) -> None:
    page._title_from_render = title


def serve_build(builder) -> tuple[dict, Callable] | None:
    """The namespace and the ``build`` function that ``mkdocs serve``'s rebuild
    closure (``builder``) calls, if it is MkDocs' own (``build(config, *,
    serve_url, dirty)``): an incremental rebuild calls it with ``dirty=True``."""
    namespace = getattr(builder, "__globals__", None)
    build = namespace.get("build") if isinstance(namespace, dict) else None
    if (callable(build) and getattr(build, "__name__", "") == "build"
            and getattr(build, "__module__", "") in _BUILD_MODULES
            and {"config", "serve_url", "dirty"} <= set(_params(build))):
        return namespace, build
    return None


def incremental_support(builder) -> str | None:
    """None when every internal the incremental serve needs is there; otherwise
    what is missing (for the one log line)."""
    missing = []
    if serve_build(builder) is None:
        missing.append("the `build` function of mkdocs.commands.serve")
    if populate_page() is None:
        missing.append("mkdocs.commands.build._populate_page")
    if not page_title_attribute():
        missing.append("Page._title_from_render")
    if not build_asks_is_modified():
        missing.append("File.is_modified() in dirty builds")
    return ", ".join(missing) or None


def swap_build(namespace: dict, build: Callable, replacement: Callable):
    """Make ``mkdocs serve``'s rebuild call ``replacement`` until the returned
    function is called."""
    namespace["build"] = replacement

    def restore() -> None:
        namespace["build"] = build
    return restore


# -- the live-reload server ------------------------------------------------------
def rebuild_trigger(server) -> Callable[[], None] | None:
    """A function asking the live-reload server for a rebuild, as its own file
    watcher does (``_want_rebuild`` under ``_rebuild_cond``); None if the server
    does not have them."""
    cond = getattr(server, "_rebuild_cond", None)
    if not isinstance(cond, threading.Condition) or not isinstance(
            getattr(server, "_want_rebuild", None), bool):
        return None

    def trigger() -> None:
        with cond:
            server._want_rebuild = True
            cond.notify_all()
    return trigger


# -- files -------------------------------------------------------------------------
def read_from(file, path: str) -> None:
    """Make a generated ``File`` read its content from ``path`` (where it was
    written) instead of holding it (``File._content``, MkDocs 1.5 and later)."""
    file.abs_src_path = path
    if "_content" in vars(file):
        file._content = None


@cache
def file_attributes() -> tuple[str, ...]:
    """The attributes MkDocs sets on a generated ``File`` after making it:
    ``generated_by``, ``abs_src_path`` and, where a generated file holds its
    content (``File._content``, MkDocs 1.5 and later), that.  A subclass sets them
    first, in this order, so its instances' attribute dicts share their keys."""
    from mkdocs.structure.files import File

    names = ("generated_by", "abs_src_path")
    if "self._content" in _source(File):
        return (*names, "_content")
    say_once("file-content", "survey: MkDocs' File holds no _content; generated files "
             "take more memory")
    return names


# -- Material's search plugin -------------------------------------------------------
def forget_search_index(plugins) -> None:
    """Material's search plugin merges its previous index on a dirty build,
    assuming only the rebuilt pages changed; the survey plugin assembles the
    whole index itself (see its ``on_post_build``), so the previous one is
    dropped.  A search plugin without it has nothing to forget."""
    for plugin in plugins:
        if hasattr(plugin, "search_index_prev"):
            plugin.search_index_prev = None


# -- the garbage collector ------------------------------------------------------------
def freeze_heap(full: bool) -> None:
    """Keep what earlier builds left (catalog, caches, memos) out of the garbage
    collector's passes (``gc.freeze``); ``full``: first unfreeze, so a full pass
    frees cycles frozen while still in use.  Process-wide, hence only under
    ``mkdocs serve``'s incremental rebuilds."""
    if not hasattr(gc, "freeze"):
        return
    if full:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
