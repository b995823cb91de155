"""Test helpers: a copy of the project in a temp folder, and a real MkDocs build of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_project(dest: Path, content: Path | None = None) -> Path:
    """``dest`` holding mkdocs.yml, site_templates/ and ``content`` (default: the
    repository's own content/)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(REPO / "site_templates", dest / "site_templates")
    shutil.copytree(content or REPO / "content", dest / "content",
                    ignore=shutil.ignore_patterns(".survey-cache"))
    return dest


def run_build(project: Path, *args: str, tool: str = "mkdocs", timeout: int = 600
              ) -> subprocess.CompletedProcess:
    """``python -m <tool> build --strict <args>`` in ``project``."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", tool, "build", "--strict", *args],
                          cwd=project, env=env, capture_output=True, text=True,
                          timeout=timeout)
