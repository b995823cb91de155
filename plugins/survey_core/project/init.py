"""``survey init DIR``: a new survey project that builds at once.

The project is assembled in a staging folder beside ``DIR`` from the packaged
starter (``starter/``: ``mkdocs.yml``, ``content/`` with a taxonomy holding the
fallback and out-of-scope topics and one example branch, an example survey, an
About page, ``sync.yml``; the GitHub workflows, ``CONTRIBUTING.md``,
``README.md``, ``.gitignore``, ``requirements.txt``), with the files given by
``--from`` copied into ``content/sources/`` and ingested.  Only when all of that
succeeded is it moved into ``DIR``: a failed init writes nothing.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from survey_core import __version__
from survey_core.model.contentformat import PROJECT_FILE, PROJECT_TEXT
from survey_core.model.diagnostics import Diagnostic, one_line

STARTER = Path(__file__).resolve().parent / "starter"
SCHEMA = Path(__file__).resolve().parents[1] / "model" / "paper.schema.json"
#: Packaged names of files whose real name starts with a dot (package data skips those).
DOT_NAMES = {"dot-github": ".github", "gitignore": ".gitignore"}
_URL_RE = re.compile(r"https?://[^\s\"'<>`\\]+\Z")


class InitError(Exception):
    """Why a project cannot be made; nothing was written."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass
class InitResult:
    root: Path
    files: list[str] = field(default_factory=list)
    #: papers created by ``--from``
    papers: int = 0
    #: what ingest reported without refusing (skipped lines ...)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def default_name(dest: Path) -> str:
    words = re.split(r"[-_\s]+", dest.resolve().name)
    name = " ".join(w[:1].upper() + w[1:] for w in words if w)
    return name or "Survey"


def _check_text(what: str, value: str, limit: int = 200) -> str:
    value = value.strip()
    if not value or len(value) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InitError(f"{what} must be one line of 1 to {limit} characters")
    return value


def _check_url(what: str, value: str) -> str:
    value = value.strip()
    if not _URL_RE.match(value):
        raise InitError(f"{what} must be an http(s) address (got {one_line(value)!r})")
    return value


def init_project(dest: Path, *, name: str | None = None, url: str | None = None,
                 repo: str | None = None, description: str | None = None,
                 sources: list[Path] | None = None, force: bool = False,
                 today: str | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> InitResult:
    """Make a survey project in ``dest``; raise :class:`InitError` (writing nothing)."""
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise InitError(f"{dest} exists and is not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise InitError(f"{dest} is not empty; choose an empty or new folder, or pass "
                        "--force to write the project's files into it")
    name = _check_text("the site name", name or default_name(dest))
    slug = re.sub(r"[^a-z0-9]+", "-", dest.resolve().name.lower()).strip("-") or "survey"
    url = _check_url("--url", url or f"https://example.org/{slug}/")
    if not url.endswith("/"):
        url += "/"
    repo = _check_url("--repo", repo) if repo else None
    description = _check_text("the description", description or
                              f"A curated survey of research papers: {name}.", 300)
    today = today or _dt.date.today().isoformat()
    for source in sources or []:
        if not Path(source).is_file():
            raise InitError(f"{source}: no such file")

    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name or 'survey'}.init-", dir=dest.parent))
    try:
        files = _write_starter(staging, {
            "@@SITE_NAME@@": json.dumps(name, ensure_ascii=False),
            "@@SITE_NAME_TEXT@@": _markdown_text(name),
            "@@DESCRIPTION@@": json.dumps(description, ensure_ascii=False),
            "@@DESCRIPTION_TEXT@@": _markdown_text(description),
            "@@SITE_URL@@": json.dumps(url),
            "@@REPO_LINES@@": (f"repo_url: {json.dumps(repo)}\nedit_uri: edit/main/content/pages/\n"
                               if repo else ""),
            "@@TODAY@@": today,
            "@@VERSION@@": __version__,
        })
        (staging / "content" / "papers").mkdir(parents=True, exist_ok=True)
        (staging / "content" / "papers" / ".gitkeep").write_text("", encoding="utf-8")
        shutil.copyfile(SCHEMA, staging / "content" / "paper.schema.json")
        (staging / PROJECT_FILE).write_text(PROJECT_TEXT, encoding="utf-8")
        files += [".gitkeep", "content/paper.schema.json", PROJECT_FILE]
        result = InitResult(root=dest, files=sorted(files))
        if sources:
            result.papers, result.diagnostics = _ingest(staging, sources, today, progress)
        _move_into(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _markdown_text(value: str) -> str:
    """Text for a Markdown file: no HTML, no Markdown markup."""
    return re.sub(r"([\\`*_\[\]#|!{}])", r"\\\1", html.escape(value, quote=False))


def _write_starter(staging: Path, values: dict[str, str]) -> list[str]:
    written = []
    pattern = re.compile("|".join(re.escape(k) for k in values))
    for path in sorted(STARTER.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        parts = [DOT_NAMES.get(p, p) for p in path.relative_to(STARTER).parts]
        target = staging.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        target.write_text(pattern.sub(lambda m: values[m.group()], text), encoding="utf-8")
        written.append("/".join(parts))
    return written


def _ingest(staging: Path, sources: list[Path], today: str, progress) -> tuple[int, list]:
    from survey_core.importers.ingest import ingest
    from survey_core.model.taxonomy import load_taxonomy

    copies = []
    folder = staging / "content" / "sources"
    for source in sources:
        target = folder / Path(source).name
        if target.exists():
            raise InitError(f"{source}: two sources named {target.name}")
        shutil.copyfile(source, target)
        copies.append(target)
    taxonomy, _ = load_taxonomy(staging / "content" / "taxonomy.yml")
    result = ingest(copies, staging, taxonomy, today=today, progress=progress)
    if not result.ok:
        raise InitError("the sources given with --from could not be ingested",
                        result.diagnostics)
    return len(result.created), result.diagnostics


def _move_into(staging: Path, dest: Path) -> None:
    if not dest.exists():
        os.rename(staging, dest)
        staging.mkdir()  # for the caller's clean-up
        return
    for entry in sorted(staging.iterdir()):
        target = dest / entry.name
        if entry.is_dir() and target.is_dir():
            _move_into(entry, target)
            continue
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(entry, target)
