"""The README's references stay in step with the code: every plugin option of
``plugins/survey_mkdocs/config.py`` (name, default and its documentation) and every
``survey`` subcommand."""

from __future__ import annotations

from pathlib import Path

from options import markdown, options

from survey_core.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_plugin_option_is_in_the_readme():
    found = options()
    assert len(found) >= 30 and {o.section for o in found} == {
        "catalog", "exports", "discovery", "surveys", "serve"}
    assert all(o.doc for o in found), [o.name for o in found if not o.doc]
    section = README.split("### Plugin options", 1)[1]
    assert markdown() in section, "README's plugin options differ: run python tests/options.py"


def test_every_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for name in sub.choices:
        assert f"| `survey {name}" in table, name
