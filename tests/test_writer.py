"""Generated files are written by a second thread during the build
(``survey_mkdocs.files.Writer``): every file arrives, in order, and a file that
cannot be written fails the build with its path."""

from __future__ import annotations

import pytest
from mkdocs.exceptions import PluginError

from survey_mkdocs.files import Ledger, Writer


def test_every_file_is_written_and_the_last_write_wins(tmp_path):
    writer = Writer(depth=4)
    writer.start()
    for i in range(200):
        writer.write(str(tmp_path / f"d{i % 7}" / f"{i}.txt"), f"{i}\n".encode())
    writer.write(str(tmp_path / "d0" / "0.txt"), b"again\n")
    assert writer.finish() == []
    assert sorted(p.name for p in tmp_path.rglob("*.txt")) == sorted(f"{i}.txt"
                                                                      for i in range(200))
    assert (tmp_path / "d3" / "10.txt").read_text() == "10\n"
    assert (tmp_path / "d0" / "0.txt").read_text() == "again\n"
    # Without start(), a write is done at once.
    writer.write(str(tmp_path / "now" / "x.txt"), b"x")
    assert (tmp_path / "now" / "x.txt").read_bytes() == b"x"


def test_a_file_that_cannot_be_written_fails_the_build_with_its_path(tmp_path):
    (tmp_path / "papers").write_text("a file where a folder should be")
    ledger = Ledger()
    ledger.start(dirty=False)
    bad = str(tmp_path / "papers" / "x" / "index.html")
    good = str(tmp_path / "ok" / "index.html")
    for path in (bad, good):
        ledger.writer.write(path, b"<p>x</p>")
        ledger.wrote(path, "key")
    with pytest.raises(PluginError, match=r"could not write .*papers/x/index\.html"):
        ledger.finish()
    assert bad not in ledger.keys and ledger.keys[good] == "key"  # written again next time
    assert (tmp_path / "ok" / "index.html").read_bytes() == b"<p>x</p>"
