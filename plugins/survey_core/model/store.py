"""Writing records all-or-nothing, one writer at a time.

Every command that creates or changes records (``survey ingest``, ``survey new``,
and whatever else adds records) goes through :func:`write_records`:

* :func:`content_lock` is an exclusive ``fcntl`` lock on
  ``.survey-cache/content.lock``; a writer holds it from reading the records to
  writing them, so two runs never interleave (the second waits, then reads what
  the first wrote);
* the new ``content/papers/`` is staged next to the old one as
  ``content/.papers-staged``: unchanged files are hard links, changed files are
  written there, and the two folders are swapped with one ``renameat2(...,
  RENAME_EXCHANGE)`` call.  A run killed at any point leaves the catalog
  exactly as before or exactly as after; what a killed run staged is removed
  by the next writer.

Where the kernel or file system cannot exchange two folders, the swap is two
renames, and a writer that finds ``content/papers`` missing next to a complete
staged folder finishes the swap first.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from survey_core.model.diagnostics import WARNING, Diagnostic
from survey_core.model.model import Paper
from survey_core.model.records import dump_record, paper_from_mapping, parse_yaml
from survey_core.model.taxonomy import Taxonomy

LOCK_FILE = ".survey-cache/content.lock"
STAGED = ".papers-staged"
OLD = ".papers-old"
#: Written last into a staged folder: the folder is complete.
COMPLETE = ".complete"


class LockTimeout(RuntimeError):
    pass


@contextlib.contextmanager
def content_lock(root: Path, timeout: float = 600.0) -> Iterator[None]:
    """Hold the exclusive write lock of ``root/content`` (waiting up to ``timeout``)."""
    path = root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    gitignore = path.parent / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"another survey command has been writing content/ for "
                                      f"over {timeout:.0f} s (lock {LOCK_FILE})") from None
                time.sleep(0.05)
        recover(root)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(root: Path) -> None:
    """Finish or drop what a killed writer left (call with the lock held)."""
    content = root / "content"
    papers, staged, old = content / "papers", content / STAGED, content / OLD
    if not papers.exists() and (staged / COMPLETE).exists():
        os.rename(staged, papers)  # the two-rename swap stopped half-way: finish it
    if staged.exists():
        shutil.rmtree(staged)
    if old.exists():
        shutil.rmtree(old)
    with contextlib.suppress(FileNotFoundError):
        (papers / COMPLETE).unlink()


def write_records(root: Path, papers: list[Paper], texts: dict[str, str] | None = None
                  ) -> list[str]:
    """Write the records of ``papers`` (``content/papers/<id>.yml``) in one step:
    all of them, or, if the run dies, none.  Returns the ids whose file changed.
    ``texts``: record texts by paper id, when already made.  Call with
    :func:`content_lock` held."""
    papers_dir = root / "content" / "papers"
    made = texts or {}
    texts = {}
    for paper in papers:
        text = made.get(paper.id) or dump_record(paper)
        target = papers_dir / f"{paper.id}.yml"
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
            pass
        texts[f"{paper.id}.yml"] = text
    if not texts:
        return []
    if not papers_dir.exists():
        papers_dir.mkdir(parents=True)
    staged = papers_dir.parent / STAGED
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir()
    try:
        with os.scandir(papers_dir) as entries:
            for entry in entries:
                if entry.name in texts:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.copytree(entry.path, staged / entry.name, symlinks=True,
                                    copy_function=os.link)
                else:
                    os.link(entry.path, staged / entry.name, follow_symlinks=False)
        for name, text in texts.items():
            with open(staged / name, "w", encoding="utf-8") as fh:
                fh.write(text)
        _sync(staged)  # one flush of the file system, rather than one per file
        (staged / COMPLETE).touch()
        _swap(staged, papers_dir)
    except BaseException:
        if staged.exists() and not (staged / COMPLETE).exists():
            shutil.rmtree(staged, ignore_errors=True)
        raise
    # ``staged`` now holds the old records
    shutil.rmtree(staged, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (papers_dir / COMPLETE).unlink()
    return [name[:-4] for name in texts]


def _sync(path: Path) -> None:
    """Flush the file system holding ``path`` to disk (``syncfs``; ``sync`` elsewhere)."""
    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        syncfs(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _swap(staged: Path, papers: Path) -> None:
    """Exchange two folders atomically (``staged`` then holds the old content)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(staged), _AT_FDCWD, os.fsencode(papers),
                     _RENAME_EXCHANGE) == 0:
            _fsync_dir(papers.parent)
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(papers))
    old = papers.parent / OLD
    os.rename(papers, old)
    os.rename(staged, papers)  # a kill between the two renames is finished by recover()
    os.rename(old, staged)
    _fsync_dir(papers.parent)


def exchange_folders(staged: Path, target: Path) -> None:
    """Swap two existing folders as one step where the kernel can (``staged`` then
    holds what ``target`` held); used for any folder written all at once."""
    _swap(staged, target)


def rejected_records(root: Path, changed: list[Paper], unchanged: list[Paper],
                     taxonomy: Taxonomy | None, texts: dict[str, str] | None = None,
                     warnings: list[tuple[Paper, Diagnostic]] | None = None
                     ) -> list[tuple[Paper, Diagnostic]]:
    """The errors ``survey check`` would report on the records of ``changed``,
    were they written next to ``unchanged``: each record's own text (as written;
    ``texts`` by paper id when already made) and what is checked across records
    (ids, keys, titles, topics).  The warnings across records that concern a
    changed record (a near-identical title) are added to ``warnings`` if given."""
    from survey_core.model.catalog import Catalog, _index

    out: list[tuple[Paper, Diagnostic]] = []
    parsed: list[Paper] = []
    by_path: dict[str, Paper] = {}
    for paper in changed:
        relpath = f"content/papers/{paper.id}.yml"
        text = texts.get(paper.id) if texts else None
        data, lines, problems = parse_yaml(text or dump_record(paper), relpath)
        checked = None
        if not problems:
            checked, problems = paper_from_mapping(data, relpath, lines, file_id=paper.id)
        out.extend((paper, d) for d in problems if d.is_error)
        if checked is not None:
            parsed.append(checked)
            by_path[relpath] = paper
    if not parsed:
        return out
    catalog = Catalog(root=root, taxonomy=taxonomy or Taxonomy({}), papers=unchanged + parsed,
                      surveys={})
    diags: list[Diagnostic] = []
    _index(catalog, diags)
    out.extend((by_path[d.file], d) for d in diags if d.is_error and d.file in by_path)
    if warnings is not None:
        for d in diags:
            if d.severity != WARNING:
                continue
            other = re.search(r" as (\S+\.yml) \(", d.message)
            if d.file in by_path:
                warnings.append((by_path[d.file], d))
            elif other and other.group(1) in by_path:
                warnings.append((by_path[other.group(1)], d))
    return out
