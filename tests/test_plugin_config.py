"""The ``survey`` plugin's configuration: sections, no order to know, and the
removed plugin names."""

from __future__ import annotations

import gzip

import pytest
import yaml
from project import copy_project, run_build


def write_config(root, change) -> None:
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    change(config)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@pytest.mark.slow
def test_the_position_of_survey_and_search_does_not_matter(tmp_path):
    # The site searches with its own index (_search/); with Material's search plugin added, in
    # either position, the site is the same.
    roots = []
    for name, order in (("a", ["search", "survey"]), ("b", ["survey", "search"])):
        root = copy_project(tmp_path / name)
        write_config(root, lambda c, order=order: c.update(plugins=order))
        result = run_build(root)
        assert result.returncode == 0, result.stderr
        roots.append(root)
    site, fresh = roots[0] / "site", roots[1] / "site"
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert len(names) > 600
    assert names == sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*")
                           if p.is_file())
    differ = []
    for name in names:
        a, b = (site / name).read_bytes(), (fresh / name).read_bytes()
        if name.endswith(".gz"):
            a, b = gzip.decompress(a), gzip.decompress(b)
        if a != b:
            differ.append(name)
    assert differ == []


def test_options_live_in_sections(tmp_path):
    root = copy_project(tmp_path / "project")
    write_config(root, lambda c: c.update(plugins=["search", {"survey": {
        "discovery": {"related": -1}}}]))
    result = run_build(root)
    assert result.returncode == 1
    assert "discovery: 'related' must be 0 or more" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("old,section", [("survey-catalog", "catalog"),
                                         ("survey-discovery", "discovery")])
def test_a_removed_plugin_name_says_what_to_write(tmp_path, old, section):
    root = copy_project(tmp_path / "project")
    write_config(root, lambda c: c.update(plugins=[old, "search"]))
    result = run_build(root)
    assert result.returncode == 1
    assert f"the '{old}' plugin was replaced by the single 'survey' plugin" in result.stderr
    assert f"under its '{section}:' section" in result.stderr
    assert "Traceback" not in result.stderr
