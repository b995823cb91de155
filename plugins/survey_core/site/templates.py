"""Packaged defaults, project overrides: where a template or asset comes from.

The generator ships every page template, asset and theme override in the
package (``survey_core/templates/``).  A project overrides them one file at a
time: a file of the same relative path in the project's template folder
(``site_templates/`` by default) wins, as Material's ``custom_dir`` does for the
theme.  Nothing else decides where a template is read from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2

from survey_core.model.memo import Digest

#: The generator's own templates, assets (``assets/``) and theme overrides
#: (``overrides/``), shipped as package data.
PACKAGED = Path(__file__).resolve().parents[1] / "templates"


class TemplateSet:
    """The folders templates are looked up in, the project's first."""

    def __init__(self, project: Path | None = None, packaged: Path = PACKAGED) -> None:
        self.project = project
        self.packaged = packaged

    @property
    def folders(self) -> list[Path]:
        out = []
        if self.project is not None and self.project.is_dir():
            out.append(self.project)
        out.append(self.packaged)
        return out

    def find(self, relative: str) -> Path:
        """The file used for ``relative`` (e.g. ``assets/survey.css``)."""
        for folder in self.folders:
            path = folder / relative
            if path.is_file():
                return path
        raise FileNotFoundError(f"no template {relative!r} in {', '.join(map(str, self.folders))}")

    def overridden(self) -> list[str]:
        """Relative paths the project overrides (for the build log)."""
        if self.project is None or not self.project.is_dir():
            return []
        return sorted(p.relative_to(self.project).as_posix() for p in self.project.rglob("*")
                      if p.is_file() and (self.packaged / p.relative_to(self.project)).is_file())

    def loader(self) -> jinja2.BaseLoader:
        return jinja2.FileSystemLoader([str(f) for f in self.folders])

    def overrides_dirs(self) -> list[Path]:
        """Theme override folders, the project's first (``overrides/``)."""
        return [f / "overrides" for f in self.folders if (f / "overrides").is_dir()]

    def page_templates(self) -> Iterator[tuple[str, Path]]:
        """(name, path) of every top-level page template in effect."""
        seen: set[str] = set()
        for folder in self.folders:
            for path in sorted([*folder.glob("*.html"), *folder.glob("*.md")]):
                if path.name not in seen:
                    seen.add(path.name)
                    yield path.name, path

    def digest(self) -> str:
        """A digest of the page templates in effect (which file, and its bytes)."""
        digest = Digest()
        for name, path in sorted(self.page_templates()):
            digest.add(name, path.read_bytes())
        return digest.hex()
