"""A full build uses the previous site's files again where it writes them, and deletes
the rest beside the build (``survey_mkdocs.sitedir``): when the build ends, and when
other plugins' ``on_post_build`` runs, the site folder holds exactly what MkDocs' own
cleaning and a build into an empty folder would have left."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from project import copy_project, run_build

from survey_core.model import forked
from survey_mkdocs import sitedir

HOOK = '''
import json, os

def on_post_build(config):
    site = config["site_dir"]
    with open(os.path.join(os.path.dirname(config["config_file_path"]), "seen.json"), "w") as fh:
        json.dump(sorted(os.listdir(site)), fh)
'''


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*")}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("sitedir") / "project")
    (root / "seen_hook.py").write_text(HOOK, encoding="utf-8")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["seen_hook.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_a_build_leaves_what_mkdocs_cleaning_leaves(project: Path) -> None:
    site = project / "site"
    first = _files(site)
    entries = [n for n in (p.name for p in site.iterdir()) if not n.startswith(".")]
    (site / "stray.html").write_text("from an older build", encoding="utf-8")
    (site / "old-folder").mkdir()
    (site / "old-folder" / "page.html").write_text("old", encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")  # hidden: MkDocs keeps it
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    killed = site / f"{sitedir.PREFIX}left-by-a-killed-build"  # the next build deletes it
    (killed / "papers").mkdir(parents=True)
    (killed / "papers" / "index.html").write_text("old", encoding="utf-8")

    result = run_build(project, "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    moved = re.search(r"survey: (\d+) entries of the previous site set aside", result.stderr)
    assert moved is not None, result.stderr
    assert int(moved.group(1)) == len(entries) + 2  # and the stray file and folder

    assert _files(site) == first | {".nojekyll", ".git", ".git/HEAD"}
    assert not list(site.glob(f"{sitedir.PREFIX}*"))
    # Another plugin's on_post_build sees the new site only.
    seen = json.loads((project / "seen.json").read_text(encoding="utf-8"))
    assert not [n for n in seen if n.startswith(sitedir.PREFIX) or n.startswith("stray")]
    assert "papers" in seen and ".git" in seen


def test_a_dirty_build_keeps_the_site(project: Path) -> None:
    site = project / "site"
    (site / "kept.html").write_text("a dirty build keeps it", encoding="utf-8")
    # (not --strict: MkDocs warns of a dirty build)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty"], cwd=project,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site / "kept.html").read_text(encoding="utf-8") == "a dirty build keeps it"
    assert not list(site.glob(f"{sitedir.PREFIX}*"))


def test_set_aside_and_finish(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    assert sitedir.OldSite().set_aside(str(site)) == 0  # no site yet
    (site / "a" / "b").mkdir(parents=True)
    (site / "a" / "b" / "c.html").write_text("c", encoding="utf-8")
    (site / "d.json").write_text("{}", encoding="utf-8")
    (site / ".hidden").write_text("kept", encoding="utf-8")
    old = sitedir.OldSite()
    assert old.set_aside(str(site)) == 2
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(sitedir.PREFIX)) \
        == [".hidden"]
    old.finish()
    assert sorted(p.name for p in site.iterdir()) == [".hidden"]

    # No second process: finish() deletes the folder itself.
    (site / "e.html").write_text("e", encoding="utf-8")

    monkeypatch.setattr(forked, "available", lambda: False)
    old = sitedir.OldSite()
    assert old.set_aside(str(site)) == 1
    assert not (site / "e.html").exists()
    old.finish()
    assert sorted(p.name for p in site.iterdir()) == [".hidden"]


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file()}


def _uncited(root: Path, n: int) -> list[dict]:
    """``n`` records no page of the project cites (safe to remove or re-key)."""
    prose = "".join(p.read_text(encoding="utf-8") for p in (root / "content").rglob("*.md"))
    found = []
    for path in sorted((root / "content" / "papers").glob("*.yml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["key"] not in prose and record["id"] not in prose:
            found.append({"path": path, **record})
        if len(found) == n:
            return found
    raise AssertionError("not enough uncited records")


def test_a_second_build_writes_over_the_previous_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    removed, rekeyed, retitled, kept = _uncited(root, 4)
    page, bib = site / "papers" / kept["id"] / "index.html", \
        site / "papers" / kept["id"] / f"{kept['key']}.bib"
    inodes = {page: page.stat().st_ino, bib: bib.stat().st_ino}
    old_bib = site / "papers" / rekeyed["id"] / f"{rekeyed['key']}.bib"
    assert old_bib.is_file()

    removed["path"].unlink()
    text = rekeyed["path"].read_text(encoding="utf-8")
    rekeyed["path"].write_text(text.replace(f"key: {rekeyed['key']}\n",
                                            f"key: {rekeyed['key']}x\n"), encoding="utf-8")
    text = retitled["path"].read_text(encoding="utf-8")
    retitled["path"].write_text(text.replace("\ntitle: ", "\ntitle: A new title, "),
                                encoding="utf-8")
    (site / "stray.html").write_text("from an older build", encoding="utf-8")

    result = run_build(root, "--verbose")
    assert result.returncode == 0, result.stdout + result.stderr
    reused = re.search(r"survey: (\d+) files of the previous site written over, (\d+) not "
                       r"written by this build deleted", result.stderr)
    assert reused is not None, result.stderr
    assert int(reused.group(1)) > 2 * 300  # every paper's page and .bib
    # An unchanged paper's files are the previous build's, written over.
    assert {p: p.stat().st_ino for p in inodes} == inodes
    # No file is left marked, and the site is what a build into an empty folder makes.
    assert not [p for p in site.rglob("*") if p.lstat().st_mtime_ns == sitedir.MARK_NS]
    fresh = tmp_path / "fresh"
    result = run_build(root, "-d", str(fresh))
    assert result.returncode == 0, result.stdout + result.stderr
    ours, theirs = _tree(site), _tree(fresh)
    assert sorted(ours) == sorted(theirs)
    assert [n for n in ours if ours[n] != theirs[n]] == []
    assert not (site / "papers" / removed["id"]).exists()
    assert not old_bib.exists()
    assert (site / "papers" / rekeyed["id"] / f"{rekeyed['key']}x.bib").is_file()
    assert "A new title" in (site / "papers" / retitled["id"] / "index.html").read_text(
        encoding="utf-8")


def _previous_site(site: Path) -> Path:
    old = site / f"{sitedir.PREFIX}test"
    for rel, text in {"a/x.html": "old x", "a/y.html": "old y", "b/z.html": "old z",
                      "c/d/w.html": "old w", "top.html": "old top", "gone/g.html": "old g",
                      "a/gone.html": "old"}.items():
        (old / rel).parent.mkdir(parents=True, exist_ok=True)
        (old / rel).write_text(text, encoding="utf-8")
    return old


EXPECTED = {"a/x.html", "a/y.html", "b/z.html", "c/d/w.html", "top.html", "new/n.html"}


@pytest.mark.skipif(sitedir._no_replace() is None, reason="moves without replacing: Linux")
def test_moving_back_never_replaces_what_the_build_wrote(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old = _previous_site(site)
    w_inode = (old / "c" / "d" / "w.html").stat().st_ino
    # Before the second process looks, the build has written a/x.html, and made the
    # folder b/ (empty).
    (site / "a").mkdir()
    (site / "a" / "x.html").write_text("new x", encoding="utf-8")
    (site / "b").mkdir()
    marked = sitedir._Reclaim(str(site), str(old), EXPECTED, sitedir._no_replace()).run()
    assert not old.exists()
    assert sorted(marked) == sorted(EXPECTED - {"new/n.html"})
    assert (site / "a" / "x.html").read_text(encoding="utf-8") == "new x"
    for rel in ("a/y.html", "b/z.html", "c/d/w.html", "top.html"):  # marked
        assert (site / rel).lstat().st_mtime_ns == sitedir.MARK_NS, rel
    assert (site / "c" / "d" / "w.html").stat().st_ino == w_inode  # the same file
    assert not (site / "gone").exists() and not (site / "a" / "gone.html").exists()
    assert sorted(sitedir._marked_anywhere(str(site))) == ["a/y.html", "b/z.html",
                                                          "c/d/w.html", "top.html"]

    # The build writes over a/y.html and c/d/w.html; b/z.html and top.html it does not
    # write (another plugin dropped them): they go, and the folder b/ with them.
    (site / "a" / "y.html").write_text("new y", encoding="utf-8")
    (site / "c" / "d" / "w.html").write_text("new w", encoding="utf-8")
    (site / "new").mkdir()
    (site / "new" / "n.html").write_text("new n", encoding="utf-8")
    assert sitedir._sweep(str(site), marked) == 2
    assert _tree(site) == {"a/x.html": b"new x", "a/y.html": b"new y",
                           "c/d/w.html": b"new w", "new/n.html": b"new n"}
    assert not (site / "b").exists()


@pytest.mark.parametrize("how", ["moved back", "no second process", "second process failed",
                                 "no move without replacing"])
def test_set_aside_reclaim_and_finish(tmp_path: Path, monkeypatch, how: str) -> None:
    site = tmp_path / "site"
    old_site = _previous_site(tmp_path / "before")
    shutil.copytree(old_site, site)
    (site / ".hidden").write_text("kept", encoding="utf-8")
    if how == "no second process":
        monkeypatch.setattr(forked, "available", lambda: False)
    elif how == "no move without replacing":
        monkeypatch.setattr(sitedir, "_no_replace", lambda: None)
    elif how == "second process failed":
        def fail(*args):
            raise OSError("failed")
        monkeypatch.setattr(sitedir._Reclaim, "_link", fail)
    old = sitedir.OldSite()
    assert old.set_aside(str(site)) == 5
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(sitedir.PREFIX)) \
        == [".hidden"]
    old.reclaim(EXPECTED)
    for rel in ("a/y.html", "c/d/w.html", "new/n.html"):  # what the build writes
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(f"new {rel}", encoding="utf-8")
    old.finish()
    assert _tree(site) == {".hidden": b"kept", **{rel: f"new {rel}".encode() for rel in
                                                   ("a/y.html", "c/d/w.html", "new/n.html")}}
    assert sorted(p.name for p in site.iterdir()) == [".hidden", "a", "c", "new"]

