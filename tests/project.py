"""Test helpers: a copy of the project in a temp folder, a real MkDocs build of it,
and a real development server over it."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import yaml

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_path(root: Path) -> str:
    """The path the dev server serves the site under (the path of site_url)."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = ""
    for line in text.splitlines():
        if line.startswith("site_url:"):
            site_url = str(yaml.safe_load(line.split(":", 1)[1]) or "")
    path = urlsplit(site_url).path or "/"
    return path if path.endswith("/") else path + "/"


@contextlib.contextmanager
def serving(root: Path, log: Path, tool: str = "mkdocs"
            ) -> Iterator[tuple[subprocess.Popen, str]]:
    """``<tool> serve`` in ``root`` on a free loopback port, its output in ``log``:
    the process and the URL the site is served at; stopped on leaving."""
    port = free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", tool, "serve", "-a", f"127.0.0.1:{port}"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            yield proc, f"http://127.0.0.1:{port}{base_path(root)}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
