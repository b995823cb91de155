"""When a build's process exits, the objects the build leaves alive are left to the
operating system (``survey_mkdocs.plugin._leave_heap_at_exit``): every ``atexit``
function still runs, and the build's output is complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from project import copy_project

SCRIPT = r'''
import atexit, gc, json, sys
seen, path = {}, sys.argv[1]
def last():
    # registered before the plugin's: runs after it
    seen["frozen"] = gc.get_freeze_count()
    with open(path, "w") as fh:
        json.dump(seen, fh)
atexit.register(last)
sys.argv = ["mkdocs", "build", "--strict", "-q"]
from mkdocs.__main__ import cli
cli()
'''


def test_the_heap_is_left_at_exit_after_every_atexit_function(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    out = tmp_path / "seen.json"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], cwd=root,
                            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(out.read_text(encoding="utf-8"))
    # the plugin froze the heap (tens of thousands of objects of the catalog) as
    # the process exited, and the functions registered before it still ran
    assert seen["frozen"] > 10_000
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "bib" / "all.bib").stat().st_size > 0
