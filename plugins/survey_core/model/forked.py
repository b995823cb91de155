"""A value computed in a second process while the build goes on.  No MkDocs import.

The build is single-threaded Python; on a machine with more than one core, work
that only reads the catalog can run beside it.  :class:`Forked` forks the
process (the child sees the loaded catalog without copying or pickling it),
computes the value there and sends it back through a pipe; :meth:`Forked.result`
waits for it.  Where ``fork`` is not available, or the child fails, the result
is ``None`` and the caller computes the value itself: the outcome is the same,
only slower.

A child runs beside the build, which keeps the other core busy: its numerical
libraries (BLAS) use one thread.  Their default, a thread per core, spins for work
on the core the build is using (2.4 s of CPU more per build at 10,000 papers, for
the related papers' matrix products, on a two-core machine).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any


def available() -> bool:
    return os.name == "posix" and "fork" in multiprocessing.get_all_start_methods()


def _one_blas_thread() -> None:
    """Limit the BLAS libraries loaded in this process to one thread each."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


class Forked:
    """``make()`` run in a forked child; :meth:`result` is its value (or None).
    ``nice``: how much lower the child's scheduling priority is than this
    process's, for work nothing waits for soon: it then takes the time a core
    would stand idle rather than that of the work that is waited for."""

    def __init__(self, make: Callable[[], Any], nice: int = 0) -> None:
        self._proc = None
        self._conn = None
        if not available():
            return
        ctx = multiprocessing.get_context("fork")
        reader, writer = ctx.Pipe(duplex=False)

        def work() -> None:
            try:
                _one_blas_thread()
                if nice:
                    os.nice(nice)
                value = make()
            except BaseException:  # the parent computes it itself
                value = None
            try:
                writer.send(value)
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

    def ready(self, timeout: float = 0.0) -> bool:
        """Whether :meth:`result` would return at once (the value is sent, or the
        child failed or never ran), waiting up to ``timeout`` seconds for it."""
        if self._conn is None:
            return True
        try:
            return self._conn.poll(timeout)
        except (EOFError, OSError):
            return True

    def result(self) -> Any:
        """The child's value (waits for it); None if it failed or never ran."""
        if self._conn is None:
            return None
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            return None
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the child (if still running) and release it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None
