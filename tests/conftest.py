"""The one full build of the project's own site that the tests share.

Building the 315-paper site takes several seconds; the tests that only read
the built site (pages, exports, search index, browser) share this one build
instead of each making their own.  They must not change it: a test that edits
content or configuration builds its own copy (``project.copy_project``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from project import copy_project, run_build

from survey_core.model.catalog import Catalog, load_catalog


@dataclass(frozen=True)
class BuiltSite:
    #: the project folder: mkdocs.yml, content/, site_templates/
    root: Path
    #: the built site, ``root / "site"``
    site: Path
    #: the catalog the site was built from
    catalog: Catalog
    #: the build's log (stderr)
    log: str


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    root = copy_project(tmp_path_factory.mktemp("built-site") / "project")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return BuiltSite(root, root / "site", load_catalog(root, persist_cache=False),
                     result.stderr)
