"""How the build writes and reads files (``survey_core.model.safeio``): a file written
over an old one holds exactly the new content, in the same file; reading ahead
touches regular files only and never waits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from survey_core.model.safeio import prefetch, write_over


@pytest.mark.parametrize("old", [None, b"", b"o" * 10, b"o" * 4096, b"o" * 9000])
@pytest.mark.parametrize("new", [b"", b"n" * 7, b"n" * 4096, b"n" * 5000, b"n" * 20000])
def test_write_over_leaves_exactly_the_new_content(tmp_path: Path, old, new) -> None:
    """A write over an old file ends on a block boundary, then is cut to its length."""
    path = tmp_path / "a" / "f.html"
    if old is not None:
        path.parent.mkdir()
        path.write_bytes(old)
        inode = path.stat().st_ino
    write_over(path, new)
    assert path.read_bytes() == new
    if old is not None:
        assert path.stat().st_ino == inode  # the same file, written over


def test_prefetch_opens_regular_files_only_and_never_waits(tmp_path: Path) -> None:
    """Reading records ahead (``safeio.prefetch``) skips what is not a regular file:
    a named pipe in a record's place is not waited on, a missing file is skipped."""
    (tmp_path / "a.yml").write_text("id: a\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yml")
    (tmp_path / "link.yml").symlink_to(tmp_path / "a.yml")
    prefetch([str(tmp_path / n) for n in ("a.yml", "pipe.yml", "link.yml", "gone.yml")])
    assert (tmp_path / "a.yml").read_text(encoding="utf-8") == "id: a\n"
