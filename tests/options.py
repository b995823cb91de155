"""The plugin's options as ``plugins/survey_mkdocs/config.py`` declares them, read from
its source (``ast``): section, name, default and the ``#:`` comment above each.

``python tests/options.py`` prints the README's "Plugin options" tables."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "plugins" / "survey_mkdocs" / "config.py"


@dataclass
class Option:
    section: str
    name: str
    default: str
    doc: str


def options(path: Path = CONFIG) -> list[Option]:
    src = path.read_text(encoding="utf-8")
    lines = src.splitlines()
    tree = ast.parse(src)
    sections = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "SurveyConfig":
            for item in node.body:
                if isinstance(item, ast.Assign):
                    sections[ast.unparse(item.value.args[0])] = item.targets[0].id
    out = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name not in sections:
            continue
        for item in node.body:
            if not isinstance(item, ast.Assign):
                continue
            doc, i = [], item.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#:"):
                doc.insert(0, lines[i].strip()[2:].strip())
                i -= 1
            default = "none"
            for kw in ast.walk(item.value):
                if isinstance(kw, ast.keyword) and kw.arg == "default":
                    default = ast.unparse(kw.value)
            default = {"True": "true", "False": "false"}.get(default, default)
            out.append(Option(sections[node.name], item.targets[0].id, default, " ".join(doc)))
    return out


def markdown() -> str:
    rows = []
    section = None
    for opt in options():
        if opt.section != section:
            section = opt.section
            rows += ["", f"`{section}:`", "", "| option | default | what it does |",
                     "| --- | --- | --- |"]
        doc = re.sub(r"``([^`]+)``", r"`\1`", opt.doc).replace("|", "\\|")
        rows.append(f"| `{opt.name}` | `{opt.default}` | {doc} |")
    return "\n".join(rows[1:]) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
