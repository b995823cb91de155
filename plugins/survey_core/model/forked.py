"""A value computed in a second process while the build goes on.  No MkDocs import.

The build is single-threaded Python; on a machine with more than one core, work
that only reads the catalog can run beside it.  :class:`Forked` forks the
process (the child sees the loaded catalog without copying or pickling it),
computes the value there and sends it back through a pipe; :meth:`Forked.result`
waits for it.  Where ``fork`` is not available, or the child fails, the result
is ``None`` and the caller computes the value itself: the outcome is the same,
only slower.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable
from typing import Any


def available() -> bool:
    return os.name == "posix" and "fork" in multiprocessing.get_all_start_methods()


#: a value whose pickle is larger than this goes through a temporary file
SPOOL_BYTES = 1 << 20


class _Spooled:
    """Where a large value was pickled (see :func:`_spooled`)."""

    def __init__(self, path: str) -> None:
        self.path = path


def _spooled(value: Any) -> Any:
    """``value``, or, when its pickle is large, the temporary file holding it: the
    parent then unpickles it from the file as it reads (a pipe's message is read
    whole first: 100 MB more at the peak for the related papers' weights of
    50,000 papers)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) <= SPOOL_BYTES:
        return value
    try:
        fd, path = tempfile.mkstemp(prefix="survey-forked-", suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError:
        return value
    return _Spooled(path)


def _unspooled(value: Any) -> Any:
    if not isinstance(value, _Spooled):
        return value
    try:
        with open(value.path, "rb") as fh:
            return pickle.load(fh)
    finally:
        with contextlib.suppress(OSError):
            os.remove(value.path)


class Forked:
    """``make()`` run in a forked child; :meth:`result` is its value (or None)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._proc = None
        self._conn = None
        if not available():
            return
        ctx = multiprocessing.get_context("fork")
        reader, writer = ctx.Pipe(duplex=False)

        def work() -> None:
            try:
                value = make()
            except BaseException:  # the parent computes it itself
                value = None
            try:
                writer.send(_spooled(value))
            finally:
                writer.close()

        try:
            proc = ctx.Process(target=work, name="survey-forked", daemon=True)
            proc.start()
        except OSError:  # no process left to fork: compute in this one
            reader.close()
            writer.close()
            return
        writer.close()
        self._proc, self._conn = proc, reader

    @property
    def started(self) -> bool:
        """Whether a child computes the value (else :meth:`result` is None)."""
        return self._conn is not None

    def result(self) -> Any:
        """The child's value (waits for it); None if it failed or never ran."""
        if self._conn is None:
            return None
        try:
            return _unspooled(self._conn.recv())
        except (EOFError, OSError, pickle.UnpicklingError):
            return None
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the child (if still running) and release it."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # a spooled value never read: its file goes
                if self._conn.poll():
                    _unspooled(self._conn.recv())
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None
