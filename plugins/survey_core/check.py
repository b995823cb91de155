"""``survey check``: every problem a pull request can introduce, reported at once."""

from __future__ import annotations

from pathlib import Path

from survey_core.importers.ingest import MANIFEST, drop_diagnostics, read_manifest, read_source
from survey_core.model.catalog import load_catalog
from survey_core.model.diagnostics import Diagnostic
from survey_core.model.taxonomy import Taxonomy


def check_sources(root: Path) -> list[Diagnostic]:
    """Parse every source file the way ``survey ingest`` would (writing nothing)."""
    sources = root / "content" / "sources"
    if not sources.is_dir():
        return []
    manifest, diags = read_manifest(sources)
    for path in sorted(sources.iterdir()):
        if (path.is_dir() and not path.is_symlink()) or path.name in (MANIFEST, "README.md") \
                or path.name.startswith("."):
            continue
        read = read_source(path, root, manifest)
        rel = f"content/sources/{path.name}"
        # values ingest would drop (named as ingest names them), besides what cannot be read
        problems = read.diagnostics + drop_diagnostics(
            read.items, {item.source.file: rel for item in read.items}, False)
        diags.extend(Diagnostic(rel, d.line, d.message, d.hint, d.severity, d.column)
                     for d in problems)
        if path.name not in manifest:
            diags.append(Diagnostic(rel, 1, f"source '{path.name}' is not in {MANIFEST}",
                                    f"add it to content/sources/{MANIFEST} with its capture "
                                    "date", "warning"))
    return diags


def check_sync(root: Path, taxonomy: Taxonomy) -> list[Diagnostic]:
    """The sync settings (``content/sync.yml``) and the sync ledger."""
    from survey_core.importers.sync import load_ledger
    from survey_core.importers.sync_config import load_sync_config

    _config, diags = load_sync_config(root, taxonomy if taxonomy.topics else None)
    _ledger, problems = load_ledger(root)
    return diags + problems


def run_check(root: Path) -> list[Diagnostic]:
    catalog = load_catalog(root, persist_cache=False)
    diags = catalog.diagnostics + check_sources(root) + check_sync(root, catalog.taxonomy)
    return sorted(diags, key=lambda d: (d.file, d.line, d.column, d.message))
