"""A full build deletes the previous site beside the build (``survey_mkdocs.sitedir``):
when the build ends, and when other plugins' ``on_post_build`` runs, the site folder
holds exactly what MkDocs' own cleaning would have left."""

from __future__ import annotations

import json
import os
import re
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
    moved = re.search(r"survey: (\d+) entries of the previous site set aside, deleted beside",
                      result.stderr)
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
