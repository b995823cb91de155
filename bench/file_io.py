"""How the build writes over the previous site and reads the records, against the
plain ways, on this machine's disk (each pair in the same run).

* **Writing over files not in memory.**  ``--files`` files of ``--size`` bytes are
  written, flushed and dropped from memory (``POSIX_FADV_DONTNEED``), then written
  again, each way in turn: emptied first (``open(path, "wb")``, as MkDocs writes),
  written over and cut to length (a write that ends within a block makes the file
  system read the block first), and as :func:`survey_core.model.safeio.write_over`
  does (the write ends on a block boundary, then the file is cut to length).
* **Reading records not in memory.**  The same files are dropped from memory and
  read one after the other, plainly and after
  :func:`survey_core.model.safeio.prefetch` asked for all of them at once.

``python bench/file_io.py`` (files under ``bench/out/file_io/``, deleted after).
Printed: seconds of each way, ``--rounds`` times, alternating.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from survey_core.model.safeio import prefetch, write_over

OUT = Path(__file__).resolve().parent / "out" / "file_io"


def _drop(paths: list[str]) -> None:
    os.sync()
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _emptied(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def _over(path: str, data: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.write(data)
        fh.truncate()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--size", type=int, default=20_123, help="bytes per file")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    paths = [str(OUT / f"f{i:05d}.html") for i in range(args.files)]
    data = b"x" * args.size
    for path in paths:
        _emptied(path, data)
    writes = {"emptied first (open 'wb')": _emptied, "written over, cut to length": _over,
              "write_over (to a block boundary, cut)": write_over}
    try:
        for r in range(args.rounds):
            for name, write in writes.items():
                _drop(paths)
                start = time.perf_counter()
                for path in paths:
                    write(path, data)
                print(f"round {r + 1} write {name}: {time.perf_counter() - start:.2f} s")
            for name in ("one by one", "prefetch first"):
                _drop(paths)
                start = time.perf_counter()
                if name == "prefetch first":
                    prefetch(paths)
                for path in paths:
                    with open(path, "rb") as fh:
                        fh.read()
                print(f"round {r + 1} read {name}: {time.perf_counter() - start:.2f} s")
    finally:
        shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
