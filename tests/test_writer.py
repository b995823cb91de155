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


def test_a_made_file_is_written_piece_by_piece_and_read_back(tmp_path):
    """A collection export (``MadeFile``) is made as pieces when it is written: another
    plugin reading it before gets the joined pieces, after it the file; an unchanged
    file is not written again by an incremental build, a changed one is; a file that
    cannot be written fails the build with its path."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from survey_mkdocs.files import add_made_file

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    config = load_config(config_file=str(tmp_path / "mkdocs.yml"),
                         site_dir=str(tmp_path / "site"))
    made = []

    from mkdocs.plugins import BasePlugin

    class Maker(BasePlugin):  # files are made inside an event, as in a build
        def on_files(self, files, *, config):
            self.made = add_made_file(files, config, *self.args, ledger=ledger)
            return files

    maker = config.plugins["maker"] = Maker()

    def add(files, *args):
        maker.args = args
        config.plugins.on_files(files, config=config)
        return maker.made

    def pieces(text):
        def make():
            made.append(1)
            return iter([p.encode() for p in text])
        return make

    ledger = Ledger()
    ledger.start(dirty=False)
    files = Files([])
    file = add(files, "bib/all.bib", pieces(["% 2\n", "@a{x}\n", "@b{y}\n"]))
    assert files.src_uris["bib/all.bib"] is file
    assert file.content_string == "% 2\n@a{x}\n@b{y}\n"
    file.copy_file()
    assert ledger.finish() is None
    out = tmp_path / "site" / "bib" / "all.bib"
    assert out.read_text() == "% 2\n@a{x}\n@b{y}\n"
    calls = len(made)
    out.write_text("changed on disk")  # read back from the site from now on
    assert file.content_string == "changed on disk" and len(made) == calls
    # the next (incremental) build: the same pieces are not written, other pieces are
    out.write_text("% 2\n@a{x}\n@b{y}\n")
    ledger.start(dirty=True)
    again = add(Files([]), "bib/all.bib", pieces(["% 2\n", "@a{x}\n", "@b{y}\n"]))
    again.copy_file(dirty=True)
    assert ledger.skipped == 1 and ledger.written == 0
    changed = add(Files([]), "bib/all.bib", pieces(["% 1\n", "@a{x}\n"]))
    changed.copy_file(dirty=True)
    assert ledger.finish() is None
    assert out.read_text() == "% 1\n@a{x}\n" and ledger.written == 1
    # another plugin gives it new content after its key was taken: that is written
    ledger.start(dirty=True)
    given = add(Files([]), "bib/all.bib", pieces(["% 1\n", "@a{x}\n"]))
    given._key()
    given.content_string = "% 0\n"
    given.copy_file(dirty=True)
    assert ledger.finish() is None
    assert out.read_text() == "% 0\n" and ledger.written == 1
    # a folder where the file should be
    (tmp_path / "site" / "data").write_text("a file where a folder should be")
    bad = add(Files([]), "data/papers.json", pieces(["[]\n"]))
    bad.copy_file()
    with pytest.raises(PluginError, match=r"could not write .*data/papers\.json"):
        ledger.finish()
