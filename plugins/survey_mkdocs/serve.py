"""``mkdocs serve``: incremental rebuilds and native file events.

Both reach into MkDocs through :mod:`.compat` only, and fall back (full
rebuilds, polling) when what they need is not there."""

from __future__ import annotations

import logging
import os

from . import compat

#: Rebuilds between two full garbage collections under ``mkdocs serve``.
FULL_COLLECTION_EVERY = 8


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


def incremental_builder(builder, plugin):
    """Wrap the rebuild function of ``mkdocs serve`` so that rebuilds keep the
    site folder (MkDocs' dirty build) and the survey plugin decides what to
    render again.  Returns ``builder`` itself (full rebuilds, said once in the
    log) when an internal it needs is missing (see :mod:`.compat`)."""
    missing = compat.incremental_support(builder)
    if missing is not None:
        compat.say_once("incremental", "survey: every rebuild under `mkdocs serve` is a full "
                        f"one: this MkDocs lacks {missing}")
        return builder
    namespace, build = compat.serve_build(builder)

    def dirty_build(config, *, serve_url=None, dirty=False):
        return build(config, serve_url=serve_url, dirty=True)

    rebuilds = 0

    def rebuild(config=None):
        nonlocal rebuilds
        plugin.dirty = True
        if config is None and plugin.config.serve.patch and plugin.patcher.run():
            return  # the edit is patched into the site (see .patch)
        # What the last build left (catalog, caches, memos) lives on: keep it out of
        # the garbage collector's passes, which would otherwise walk it all (a third
        # of a second at 10,000 papers).  Every few rebuilds a full pass frees the
        # cycles of earlier builds that were frozen while still in use.
        rebuilds += 1
        compat.freeze_heap(full=rebuilds % FULL_COLLECTION_EVERY == 0)
        quiet = _DropDirtyWarning()
        build_log = logging.getLogger(build.__module__)
        build_log.addFilter(quiet)
        restore = compat.swap_build(namespace, build, dirty_build)
        try:
            builder(config)
        finally:
            restore()
            build_log.removeFilter(quiet)

    return rebuild


def native_watch(server, folders: list[str], noted=None):
    """Watch ``folders`` through the operating system's file events (inotify on
    Linux) instead of MkDocs' polling, which re-reads the state of every record
    twice a second (about 80 ms of work each time at 10,000 records) and notices
    a save a quarter of a second later on average.  ``noted(path)``, if given, is
    told every path an event names before the rebuild is asked for.  Returns the
    started observer, or None where native events are not available (the caller
    then polls)."""
    trigger = compat.rebuild_trigger(server)
    if trigger is None:
        compat.say_once("watch", "survey: this server has no rebuild flag to set; "
                        "watching content/ by polling")
        return None
    try:
        from watchdog.events import (
            EVENT_TYPE_CLOSED,
            EVENT_TYPE_CREATED,
            EVENT_TYPE_DELETED,
            EVENT_TYPE_MODIFIED,
            EVENT_TYPE_MOVED,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None
    if Observer is PollingObserver:
        return None
    changes = {EVENT_TYPE_CLOSED, EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED,
               EVENT_TYPE_MOVED}
    seen: dict[str, tuple[int, int] | None] = {}

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event) -> None:
            if event.is_directory or event.event_type not in changes:
                return
            path = os.fsdecode(event.src_path)
            try:
                st = os.stat(path)
                state = (st.st_mtime_ns, st.st_size)
            except OSError:
                state = None
            # Reading a record (the build does) can change its access time, which
            # is reported as a modification: only a new mtime or size counts.
            if event.event_type in (EVENT_TYPE_MODIFIED, EVENT_TYPE_CLOSED) and \
                    path in seen and seen[path] == state:
                return
            seen[path] = state
            if noted is not None:
                noted(path)
                dest = getattr(event, "dest_path", None)
                if dest:
                    noted(os.fsdecode(dest))
            trigger()

    observer = Observer()
    try:
        for folder in folders:
            observer.schedule(Handler(), folder, recursive=True)
        observer.start()
    except OSError:  # e.g. the limit of inotify watches is reached
        observer.stop()
        return None
    return observer
