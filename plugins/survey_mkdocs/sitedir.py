"""The previous build's site removed beside the build, not before it.

A full build starts by emptying the site folder (MkDocs' ``clean_directory``).  A
survey's site holds more than two files per paper (its page, its ``.bib`` and
CSL-JSON, the search shards): at 10,000 papers 24,000 files, whose deletion takes
1.3 to 2.9 s during which nothing else is done.  Instead, in ``on_pre_build``
(which MkDocs runs just before it empties the folder) the folder's entries are
moved, each by one rename, into a hidden folder within it; MkDocs keeps hidden
entries, so it finds nothing left to delete, and a second process deletes that
folder while the build goes on.  The build waits for it before other plugins'
``on_post_build`` (and on an error): when the build ends the folder holds exactly
what MkDocs' own cleaning would have left.

Hidden entries (a ``.git`` of a deployment checkout) are left where they are, as
MkDocs leaves them.  An entry that cannot be moved is left for MkDocs to delete;
a folder left by a build that was killed is deleted by the next one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile

from survey_core.model.forked import Forked

log = logging.getLogger("mkdocs.plugins.survey")

#: the hidden folder the previous site's entries are moved into
PREFIX = ".survey-old-"


def _remove(folders: list[str]) -> None:
    for folder in folders:
        if os.path.lexists(folder):
            shutil.rmtree(folder, ignore_errors=True)


class OldSite:
    """Moves a site folder's entries aside and deletes them in a second process."""

    def __init__(self) -> None:
        self._job: Forked | None = None
        self._folders: list[str] = []

    def set_aside(self, site_dir: str) -> int:
        """Move the entries MkDocs would delete from ``site_dir`` into a hidden
        folder and start deleting it; returns how many were moved."""
        self.finish()
        try:
            names = os.listdir(site_dir)
        except OSError:  # no site yet (or none that can be read: MkDocs says so)
            return 0
        stale = [os.path.join(site_dir, n) for n in names if n.startswith(PREFIX)]
        entries = [n for n in names if not n.startswith(".")]
        moved = 0
        if entries:
            try:
                folder = tempfile.mkdtemp(prefix=PREFIX, dir=site_dir)
            except OSError:
                folder = None
            if folder is not None:
                stale.append(folder)
                for name in entries:
                    with contextlib.suppress(OSError):  # left for MkDocs to delete
                        os.rename(os.path.join(site_dir, name), os.path.join(folder, name))
                        moved += 1
        if not stale:
            return 0
        self._folders = stale
        # (where no process can be forked, finish() deletes them)
        self._job = Forked(lambda: _remove(stale))
        log.debug(f"survey: {moved} entries of the previous site set aside, deleted beside "
                  "the build")
        return moved

    def finish(self) -> None:
        """Wait for the deletion; what it left (or never started on) is deleted here."""
        job, self._job = self._job, None
        if job is not None:
            job.result()
        folders, self._folders = self._folders, []
        _remove(folders)
