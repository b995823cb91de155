"""The shape of the code: no import cycle in ``plugins/``, and private MkDocs
names only in ``survey_mkdocs/compat.py``.

Both are read from the source (``ast``), not by importing it.  An import
inside a function counts as much as one at the top: a cycle hidden in a
function is still a cycle.  A private MkDocs name is one MkDocs' own source
defines with a leading underscore (a function, class, method or attribute such
as ``_populate_page`` or ``server._want_rebuild``)."""

from __future__ import annotations

import ast
from pathlib import Path

import mkdocs

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
ADAPTER = PLUGINS / "survey_mkdocs"
COMPAT = ADAPTER / "compat.py"


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PLUGINS.rglob("*.py")):
        parts = list(path.relative_to(PLUGINS).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            # the longest known module the name is or is inside of
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_in_plugins():
    known = modules()
    assert "survey_mkdocs.compat" in known and "survey_core.model.catalog" in known
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert "survey_mkdocs.compat" in graph["survey_mkdocs.serve"]  # the graph is read
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def mkdocs_private_names() -> set[str]:
    names = set()
    for path in Path(mkdocs.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                name = node.attr
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                name = node.target.id
            else:
                continue
            if name.startswith("_") and not name.startswith("__"):
                names.add(name)
    return names


def private_uses(path: Path, private: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mkdocs"):
            found += [f"{path.name}:{node.lineno} import {a.name}" for a in node.names
                      if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant)):
            name = node.args[1].value
        if isinstance(name, str) and name in private:
            found.append(f"{path.name}:{node.lineno} {name}")
    return found


def test_private_mkdocs_names_only_in_compat():
    private = mkdocs_private_names()
    assert {"_populate_page", "_title_from_render", "_want_rebuild", "_content"} <= private
    assert private_uses(COMPAT, private)  # the scan sees them where they are
    found = [hit for path in sorted(ADAPTER.glob("*.py")) if path != COMPAT
             for hit in private_uses(path, private)]
    assert found == []
