"""The previous build's site used again where it can be, the rest removed beside
the build.

A full build starts by emptying the site folder (MkDocs' ``clean_directory``), then
writes every file anew.  A survey's site holds more than two files per paper (its
page, its ``.bib``, the search shards): at 10,000 papers 24,000 files in 10,000
folders.  Deleting them takes 1.3 to 2.9 s during which nothing else is done, and
creating as many again costs the file system more than writing over them: on
ext4, a new file's inode is looked for past every inode deleted in the last minutes.

So, in ``on_pre_build`` (which MkDocs runs just before it empties the folder) the
folder's entries are moved, each by one rename, into a hidden folder within it;
MkDocs keeps hidden entries, so it finds nothing left to delete.  Once the plugin
knows the files of this build (its ``on_files``), a second process goes through the
hidden folder: what this build will not write is deleted; a file it will write is
marked (its modification time set to a value no write leaves) and, with its
folder, moved back where it was.  The build then writes over these files
(:func:`survey_core.model.safeio.write_over`) instead of creating new ones.  A
folder is moved back only where none is yet (Linux's ``renameat2`` with
``RENAME_NOREPLACE``), a file by a hard link that fails if the
build has written the file already: nothing the build writes is ever replaced.

The build waits for that process before other plugins' ``on_post_build`` (and on an
error), after the plugin's own writes: a marked file still there was not written
by this build and is deleted, with a folder it leaves empty.  When the build ends
the folder holds exactly what MkDocs' own cleaning and the build would have left.
Where no process can be forked, or folders cannot be moved without replacing
(another system), the previous site is deleted as a whole, as before.

Hidden entries (a ``.git`` of a deployment checkout) are left where they are, as
MkDocs leaves them.  An entry that cannot be moved is left for MkDocs to delete;
a folder left by a build that was killed is deleted by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import posixpath
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable

from survey_core.model import forked
from survey_core.model.forked import Forked

log = logging.getLogger("mkdocs.plugins.survey")

#: the hidden folder the previous site's entries are moved into
PREFIX = ".survey-old-"
#: the modification time (ns) of a previous file moved back: no write leaves it
MARK_NS = 1


def _remove(folders: list[str]) -> None:
    for folder in folders:
        if os.path.lexists(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _no_replace() -> Callable[[str, str], None] | None:
    """A rename that fails where the target exists (an empty folder too), or None
    where the system has none (the previous site is then deleted as a whole)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_cwd, no_replace = -100, 1  # AT_FDCWD, RENAME_NOREPLACE

    def rename(src: str, dst: str) -> None:
        if fn(at_cwd, os.fsencode(src), at_cwd, os.fsencode(dst), no_replace) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), dst)

    return rename


class _Unsupported(Exception):
    """The file system moves no folder without replacing: the rest is deleted."""


class _Reclaim:
    """(In the second process.)  Keeps of the previous site ``old`` the files of
    ``expected`` (paths relative to the site), marked, and moves them back into
    ``site``; everything else of ``old`` is deleted."""

    def __init__(self, site: str, old: str, expected: set[str],
                 rename: Callable[[str, str], None]) -> None:
        self.site, self.old, self.expected, self.rename = site, old, expected, rename
        self.folders: set[str] = set()
        for path in expected:
            folder = posixpath.dirname(path)
            while folder and folder not in self.folders:
                self.folders.add(folder)
                folder = posixpath.dirname(folder)
        #: the files marked (relative paths): moved back, or deleted with ``old``
        self.marked: list[str] = []
        self.marks = True

    def run(self) -> list[str]:
        with contextlib.suppress(_Unsupported):
            self._move("")
        _remove([self.old])
        return self.marked

    def _listing(self, rel: str) -> list[os.DirEntry]:
        try:
            with os.scandir(os.path.join(self.old, rel)) as it:
                return list(it)
        except OSError:
            return []

    def _move(self, rel: str) -> None:
        """Move back what the build writes of the folder ``old/rel`` (``site/rel``
        exists), deleting the rest: a folder of files as a whole (once pruned), a
        folder of folders folder by folder, so that the build finds the first ones
        back while the last are still pruned."""
        for entry in self._listing(rel):
            sub = f"{rel}/{entry.name}" if rel else entry.name
            dst = os.path.join(self.site, sub)
            if not entry.is_dir(follow_symlinks=False):
                if self._keep(sub, entry):
                    self._link(entry.path, dst)
                continue
            if sub not in self.folders:
                shutil.rmtree(entry.path, ignore_errors=True)
                continue
            inside = self._listing(sub)
            if any(e.is_dir(follow_symlinks=False) for e in inside):
                try:
                    os.mkdir(dst)
                except FileExistsError:  # made by the build
                    pass
                except OSError:
                    continue
                if os.path.isdir(dst) and not os.path.islink(dst):
                    self._move(sub)
                continue
            kept = [e for e in inside if self._keep(f"{sub}/{e.name}", e)]
            try:
                self.rename(entry.path, dst)
                continue
            except OSError as exc:
                if exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise _Unsupported from exc
            if os.path.isdir(dst) and not os.path.islink(dst):  # made by the build
                for e in kept:
                    self._link(e.path, os.path.join(dst, e.name))

    @staticmethod
    def _link(src: str, dst: str) -> None:
        with contextlib.suppress(OSError):  # written already: the build's stays
            os.link(src, dst, follow_symlinks=False)

    def _keep(self, rel: str, entry: os.DirEntry) -> bool:
        """Whether the file (not a folder) ``old/rel`` is kept for the build to
        write over (then marked), else deleted."""
        if self.marks and rel in self.expected and entry.is_file(follow_symlinks=False):
            try:
                os.utime(entry.path, ns=(MARK_NS, MARK_NS), follow_symlinks=False)
                if not self.marked and os.lstat(entry.path).st_mtime_ns != MARK_NS:
                    self.marks = False  # times too coarse to mark: deleted instead
                else:
                    self.marked.append(rel)
                    return True
            except OSError:
                pass
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
        return False


def _sweep(site: str, marked: Iterable[str]) -> int:
    """Delete the marked files no write reached, and the folders they leave empty."""
    emptied: set[str] = set()
    removed = 0
    for rel in marked:
        path = os.path.join(site, rel)
        try:
            st = os.lstat(path)
            if st.st_mtime_ns != MARK_NS or not stat.S_ISREG(st.st_mode):
                continue
            os.unlink(path)
        except OSError:
            continue
        removed += 1
        emptied.add(posixpath.dirname(rel))
    for rel in sorted(emptied, key=len, reverse=True):
        while rel:
            try:
                os.rmdir(os.path.join(site, rel))
            except OSError:  # not empty (or gone already)
                break
            rel = posixpath.dirname(rel)
    return removed


def _marked_anywhere(site: str) -> list[str]:
    """Every marked file of the site (where the second process gave no list)."""
    found = []
    for folder, dirs, files in os.walk(site):
        dirs[:] = [d for d in dirs if not (folder == site and d.startswith("."))]
        for name in files:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if os.lstat(path).st_mtime_ns == MARK_NS:
                    found.append(os.path.relpath(path, site))
    return found


class OldSite:
    """Moves a site folder's entries aside, then uses again in a second process the
    files this build writes and deletes the rest."""

    def __init__(self) -> None:
        self._job: Forked | None = None
        #: folders deleted when the build ends (what no second process deleted)
        self._folders: list[str] = []
        #: the site folder and the hidden folder of its previous entries, until
        #: :meth:`reclaim`
        self._aside: tuple[str, str] | None = None
        #: the site folder whose previous files may have been moved back (marked)
        self._reclaimed: str | None = None

    def set_aside(self, site_dir: str) -> int:
        """Move the entries MkDocs would delete from ``site_dir`` into a hidden
        folder; returns how many were moved.  :meth:`reclaim` starts using them
        again (or deleting them)."""
        self.finish()
        try:
            names = os.listdir(site_dir)
        except OSError:  # no site yet (or none that can be read: MkDocs says so)
            return 0
        stale = [os.path.join(site_dir, n) for n in names if n.startswith(PREFIX)]
        entries = [n for n in names if not n.startswith(".")]
        moved = 0
        folder = None
        if entries:
            with contextlib.suppress(OSError):
                folder = tempfile.mkdtemp(prefix=PREFIX, dir=site_dir)
            if folder is not None:
                for name in entries:
                    with contextlib.suppress(OSError):  # left for MkDocs to delete
                        os.rename(os.path.join(site_dir, name), os.path.join(folder, name))
                        moved += 1
        if folder is not None:
            self._aside = (site_dir, folder)
        self._folders = stale + ([folder] if folder is not None else [])
        log.debug(f"survey: {moved} entries of the previous site set aside")
        return moved

    def reclaim(self, expected: Iterable[str]) -> None:
        """The files this build writes (paths relative to the site, ``/``-separated):
        those of the previous site are moved back to be written over, and the rest
        of it is deleted, in a second process."""
        aside, self._aside = self._aside, None
        folders = list(self._folders)  # with those a killed build left
        if not folders:
            return
        rename = _no_replace() if forked.available() and aside is not None else None
        if rename is None:
            self._job = Forked(lambda: _remove(folders))
            log.debug("survey: the previous site is deleted beside the build")
            return
        site, old = aside
        keep = set(expected)

        def work() -> list[str]:
            _remove([f for f in folders if f != old])
            return _Reclaim(site, old, keep, rename).run()

        self._job = Forked(work)
        if self._job.started:
            self._reclaimed = site
            log.debug("survey: the previous site's files that this build writes are used "
                      "again, the rest deleted beside the build")

    def finish(self) -> None:
        """Wait for the second process; delete what it left (or never started on),
        then the previous files moved back that no write reached.  Called once the
        build's own files are written."""
        job, self._job = self._job, None
        marked = job.result() if job is not None else None
        folders, self._folders = self._folders, []
        self._aside = None
        _remove(folders)
        site, self._reclaimed = self._reclaimed, None
        if site is not None:
            if not isinstance(marked, list):  # the second process failed
                marked = _marked_anywhere(site)
            removed = _sweep(site, marked)
            log.debug(f"survey: {len(marked) - removed} files of the previous site written "
                      f"over, {removed} not written by this build deleted")
