"""Reading content files that anyone may have written.

A content file is read only when it is a regular file (not a symbolic link, a
folder, a device or a pipe) no larger than its limit: the size is checked with
``lstat`` before anything is read, and the read itself is bounded, so
``ln -s /dev/zero content/papers/z.yml`` or a 5 GB file costs nothing.  Text
must be UTF-8 without control characters (other than tab and line breaks);
every refusal is a :class:`Diagnostic` naming the line and column.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from survey_core.model.diagnostics import Diagnostic

#: Control characters refused in content: C0 except tab/newline/carriage return, DEL, C1.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bytes read to locate the longest line of an oversized file (to name its line).
_LOCATE_LIMIT = 32 * 1024 * 1024


def file_problem(path: Path, relpath: str, limit: int, what: str = "file"
                 ) -> tuple[os.stat_result | None, Diagnostic | None]:
    """``lstat`` a content file: (its stat, None) when it may be read, else (stat, problem)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, Diagnostic(relpath, 1, f"cannot read {what}: {exc.strerror}")
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path) if hasattr(os, "readlink") else "?"
        return st, Diagnostic(relpath, 1, f"{what} is a symbolic link (to {target!r}); "
                              "content files must be regular files",
                              "replace the link with a copy of the file, or delete it (editors "
                              "leave links named .#<name> while a file is open)")
    if stat.S_ISDIR(st.st_mode):
        return st, Diagnostic(relpath, 1, f"{what} name is taken by a folder",
                              "rename or remove the folder")
    if not stat.S_ISREG(st.st_mode):
        return st, Diagnostic(relpath, 1, f"{what} is not a regular file (a device, pipe or "
                              "socket)", "content files must be regular files")
    if st.st_size > limit:
        return st, _too_big(path, relpath, st.st_size, limit, what)
    return st, None


def _too_big(path: Path, relpath: str, size: int, limit: int, what: str) -> Diagnostic:
    line, longest = 1, 0
    if size <= _LOCATE_LIMIT:
        raw = read_bounded(path, _LOCATE_LIMIT)
        line, part = max(enumerate(raw.split(b"\n"), start=1), key=lambda item: len(item[1]))
        longest = len(part)
    detail = f"; line {line} alone has {longest:,} bytes" if longest else ""
    return Diagnostic(relpath, line, f"{what} is {size:,} bytes (limit {limit:,}){detail}",
                      "remove what was pasted by mistake")


def read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a file, refusing to follow a symbolic link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(raw: bytes, relpath: str, what: str = "file") -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text without control characters, or the problem with its line and column.
    A leading byte-order mark is dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Diagnostic(relpath, line, f"{what} is not UTF-8 (byte {exc.start})",
                                "save the file as UTF-8 in your editor", column=column)
    text = text.removeprefix("\ufeff")
    problem = control_problem(text, relpath)
    if problem:
        return None, problem
    return text, None


def control_problem(text: str, relpath: str, line_offset: int = 0) -> Diagnostic | None:
    """A control character (NUL, ESC, ...) in text, reported where it is."""
    m = CONTROL_RE.search(text)
    if not m:
        return None
    line = text.count("\n", 0, m.start()) + 1 + line_offset
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return Diagnostic(relpath, line, f"control character U+{ord(m.group()):04X} in the text",
                      "delete it (it is invisible in most editors; it may come from a "
                      "copy-paste)", column=column)


def read_text(path: Path, relpath: str, limit: int, what: str = "file"
              ) -> tuple[str | None, Diagnostic | None]:
    """The text of a content file, or why it cannot be used."""
    _st, problem = file_problem(path, relpath, limit, what)
    if problem:
        return None, problem
    try:
        raw = read_bounded(path, limit + 1)
    except OSError as exc:
        return None, Diagnostic(relpath, 1, f"cannot read {what}: {exc.strerror or exc}")
    if len(raw) > limit:  # grew since lstat
        return None, Diagnostic(relpath, 1, f"{what} is over {limit:,} bytes")
    return decode(raw, relpath, what)


#: Deepest nesting of brackets read in JSON or YAML text: a record or a reference
#: nests a few levels; a parser recursing 100,000 levels deep would crash first.
MAX_NESTING = 500
_BRACKETS = re.compile(r"[\[\]{}]")
#: A line opening more than MAX_NESTING YAML blocks at once ("- - - - ... x", or that
#: deep an indentation): the only way block style nests that deep in a file of this size.
_YAML_BLOCKS = re.compile(rf"^(?:[ \t]|[-?:][ \t]){{{MAX_NESTING + 1},}}", re.MULTILINE)


def nesting_problem(text: str, relpath: str, limit: int = MAX_NESTING, yaml: bool = False
                    ) -> Diagnostic | None:
    """A problem naming the line where brackets (``[`` ``{``) nest deeper than
    ``limit``; None when they do not.  Brackets inside strings count too, which
    only makes the check stricter than needed (never by a lot in real text).  With
    ``yaml``, a line starting with more than :data:`MAX_NESTING` spaces and block
    indicators (``- `` ``? `` ``: ``) counts as nesting that deep too."""
    if yaml and len(text) > MAX_NESTING:
        m = _YAML_BLOCKS.search(text)
        if m:
            return Diagnostic(relpath, text.count("\n", 0, m.start()) + 1,
                              f"blocks nest more than {MAX_NESTING} levels deep here; no "
                              "record does", "the file is damaged or not what it seems")
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for m in _BRACKETS.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > limit:
            line = text.count("\n", 0, m.start()) + 1
            return Diagnostic(relpath, line, f"brackets nest more than {limit} levels deep "
                              "here; no reference or record does",
                              "the file is damaged or not what it seems: export it again")
    return None


def load_json(text: str) -> tuple[object, str]:
    """``json.loads`` that never raises: (data, '') or (None, what is wrong)."""
    import json

    if nesting_problem(text, ""):
        return None, f"brackets nest more than {MAX_NESTING} levels deep"
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, exc.msg
    except (ValueError, RecursionError) as exc:
        return None, " ".join(str(exc).split())[:120] or type(exc).__name__


def prefetch(paths: Iterable[str]) -> None:
    """Ask the system to start reading these files, all of them at once, where it
    can (``POSIX_FADV_WILLNEED``): reading them one by one afterwards finds them
    in memory.  On a disk that answers requests in parallel this is much faster
    than one read after the other (10,000 records not in memory: 0.2 s against
    1.3 s).  Only regular files are opened, never blocking (a named pipe put in
    their place waits for no writer); a file that cannot be opened is skipped."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    for path in paths:
        try:
            fd = os.open(path, flags)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


#: the write of a file over an old one ends on a multiple of this (a page)
_BLOCK = 4096


def write_over(path: str | Path, data: bytes) -> None:
    """Write ``data`` as the content of the file at ``path``, over the file there
    if any (as a static site generator writes its output): neither a new file
    moved over it nor a truncation to nothing first, either of which makes the
    file system write the blocks out at once, which costs more than the write.

    Over an old file the write ends on a block boundary (zeros past the content,
    cut off by the truncation that follows): a write ending within a block whose
    old content is not in memory makes the file system read that block from the
    disk first (at 10,000 files not in memory, 1.3 s against 0.2 s)."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        return
    try:
        pad = -len(data) % _BLOCK
        view = memoryview(data + bytes(pad) if pad else data)
        while view:
            view = view[os.write(fd, view):]
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)
