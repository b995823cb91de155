"""Writing a LaTeX project: as a folder, all at once (staged beside it, then
swapped in), or as a zip whose bytes depend only on the files (fixed dates and
order), so that rebuilding the site writes the same file."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from survey_core.model.store import exchange_folders
from survey_core.paper.latex import MARK_FILE, Project

#: The date stored for every file of a zip.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class OutputError(Exception):
    """The folder cannot be written (not one ``survey paper`` wrote, not a folder ...)."""


def write_project(project: Project, folder: Path, extra: dict[str, bytes] | None = None
                  ) -> None:
    """Write the project's files (and ``extra`` ones, such as the PDF) into
    ``folder``: a new folder, or one an earlier ``survey paper`` wrote, whose
    content is replaced as one step.  Any other existing path is refused."""
    folder = folder.absolute()
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(f"{folder} exists and is not a folder")
    if folder.exists() and any(folder.iterdir()) and not (folder / MARK_FILE).is_file():
        raise OutputError(f"{folder} holds files that survey paper did not write; "
                          "name a new or empty folder with -o")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{folder.name}-staged-", dir=folder.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o777 & ~umask)  # mkdtemp's folder is private
        for name, text in project.files.items():
            (staged / name).write_text(text, encoding="utf-8")
        for name, data in (extra or {}).items():
            (staged / name).write_bytes(data)
        if folder.exists():
            exchange_folders(staged, folder)  # staged now holds the old content
        else:
            staged.rename(folder)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def zip_bytes(project: Project, prefix: str) -> bytes:
    """The project as a zip, every file under ``prefix/``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(project.files):
            if name == MARK_FILE:
                continue
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, project.files[name].encode("utf-8"))
    return buf.getvalue()
