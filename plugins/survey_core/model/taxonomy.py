"""The topic tree (``content/taxonomy.yml``) and rule-based topic suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import re2

try:  # the parser behind re.compile (Python 3.11+), used to inspect rules
    from re import _constants as re_constants
    from re import _parser as re_parser
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as re_constants
    import sre_parse as re_parser

from survey_core.model.diagnostics import WARNING, Diagnostic
from survey_core.model.records import ID_RE, parse_yaml
from survey_core.model.safeio import read_text

#: Largest taxonomy file read (bytes).
MAX_TAXONOMY_BYTES = 2 * 1024 * 1024
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False

TOPIC_FIELDS = {"id", "name", "parent", "description", "match"}
MATCH_FIELDS = {"title", "abstract", "min_score"}
TITLE_SCORE = 3
DEFAULT_MIN_SCORE = 3


@dataclass
class Topic:
    id: str
    name: str
    description: str = ""
    parent: str | None = None
    title_rules: list = field(default_factory=list)
    abstract_rules: list = field(default_factory=list)
    min_score: int = DEFAULT_MIN_SCORE
    children: list[str] = field(default_factory=list)
    line: int = 1

    def score(self, title: str, abstract: str) -> int:
        score = sum(TITLE_SCORE for rx in self.title_rules if rx.search(title))
        score += sum(1 for rx in self.abstract_rules if rx.search(abstract))
        return score


@dataclass
class Taxonomy:
    topics: dict[str, Topic]
    path: str = "content/taxonomy.yml"
    fallback: str | None = None

    @property
    def roots(self) -> list[Topic]:
        return [t for t in self.topics.values() if t.parent is None]

    def __contains__(self, topic_id: str) -> bool:
        return topic_id in self.topics

    def __getitem__(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def ancestors(self, topic_id: str) -> list[str]:
        """Parent, grandparent, ... of a topic (nearest first)."""
        out: list[str] = []
        cur = self.topics[topic_id].parent if topic_id in self.topics else None
        while cur and cur in self.topics and cur not in out:
            out.append(cur)
            cur = self.topics[cur].parent
        return out

    def lineage(self, topic_ids: Iterable[str]) -> set[str]:
        """The topics of ``topic_ids`` that the taxonomy has, and every topic above
        them: those whose pages list a paper filed under ``topic_ids``."""
        return {a for t in topic_ids if t in self.topics for a in (t, *self.ancestors(t))}

    def descendants(self, topic_id: str) -> list[str]:
        """The topic and all topics below it, in tree order."""
        out: list[str] = []
        stack = [topic_id]
        while stack:
            cur = stack.pop()
            if cur in out or cur not in self.topics:
                continue
            out.append(cur)
            stack.extend(reversed(self.topics[cur].children))
        return out

    def root_of(self, topic_id: str) -> str:
        chain = self.ancestors(topic_id)
        return chain[-1] if chain else topic_id

    def walk(self) -> list[tuple[Topic, int]]:
        """Every topic with its depth, in tree order."""
        out: list[tuple[Topic, int]] = []

        def visit(tid: str, depth: int) -> None:
            out.append((self.topics[tid], depth))
            for child in self.topics[tid].children:
                visit(child, depth + 1)

        for root in self.roots:
            visit(root.id, 0)
        return out

    def suggest(self, title: str, abstract: str, limit: int = 3) -> list[str]:
        """Topics whose rules match a paper, best first; the most specific win:
        a parent is dropped when one of its children matched."""
        scored = []
        for topic in self.topics.values():
            score = topic.score(title, abstract)
            if score >= topic.min_score:
                scored.append((score, len(self.ancestors(topic.id)), topic.id))
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        chosen: list[str] = []
        for _score, _depth, tid in scored:
            if any(tid in self.ancestors(c) for c in chosen):
                continue
            chosen = [c for c in chosen if c not in self.ancestors(tid)]
            chosen.append(tid)
        chosen = chosen[:limit]
        if not chosen and self.fallback:
            chosen = [self.fallback]
        return chosen


def load_taxonomy(path: Path, relpath: str = "content/taxonomy.yml"
                  ) -> tuple[Taxonomy, list[Diagnostic]]:
    """Load and validate the taxonomy; problems come back as diagnostics."""
    diags: list[Diagnostic] = []
    if not path.exists():
        return Taxonomy({}, relpath), [Diagnostic(
            relpath, 1, "taxonomy file is missing",
            "create content/taxonomy.yml with a topics: list")]
    text, problem = read_text(path, relpath, MAX_TAXONOMY_BYTES, "taxonomy file")
    if problem:
        return Taxonomy({}, relpath), [problem]
    data, top_lines, diags = parse_yaml(text, relpath)
    if diags:
        return Taxonomy({}, relpath), diags
    node_lines = _item_lines(text)
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        return Taxonomy({}, relpath), [Diagnostic(relpath, 1, "the taxonomy must be a mapping "
                                                  "with a 'topics:' list",
                                                  "see the comment at the top of taxonomy.yml")]
    if not data["topics"]:
        return Taxonomy({}, relpath), [Diagnostic(relpath, top_lines.get("topics", 1),
                                                  "the taxonomy has no topics",
                                                  "every record is filed under topics of this "
                                                  "list; add at least one")]
    topics: dict[str, Topic] = {}
    for index, item in enumerate(data["topics"]):
        line = node_lines[index] if index < len(node_lines) else 1

        def err(msg: str, hint: str = "", line: int = line, severity: str = "error") -> None:
            diags.append(Diagnostic(relpath, line, msg, hint, severity))

        if not isinstance(item, dict):
            err(f"topic #{index + 1} must be a mapping with id, name, description",
                "write '- id: my-topic' followed by name: and description:")
            continue
        for key in item:
            if key not in TOPIC_FIELDS:
                err(f"unknown topic field '{key}'",
                    "topic fields: " + ", ".join(sorted(TOPIC_FIELDS)))
        tid = item.get("id")
        if not isinstance(tid, str) or not ID_RE.match(tid):
            err(f"topic id {tid!r} is not a slug", "ids use lowercase letters, digits, hyphens")
            continue
        if tid in topics:
            err(f"duplicate topic id '{tid}' (first defined on line {topics[tid].line})",
                "give each topic a unique id")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            err(f"topic '{tid}' has no name", "add name: Human readable name")
            name = tid
        desc = item.get("description") or ""
        if not isinstance(desc, str):
            err(f"topic '{tid}': description must be text")
            desc = ""
        elif not desc.strip():
            err(f"topic '{tid}' has no description", "add a one-paragraph description",
                severity=WARNING)
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            err(f"topic '{tid}': parent must be a topic id")
            parent = None
        topic = Topic(id=tid, name=name.strip(), description=" ".join(desc.split()),
                      parent=parent, line=line)
        match = item.get("match") or {}
        if not isinstance(match, dict):
            err(f"topic '{tid}': match must be a mapping with title/abstract lists")
            match = {}
        for key in match:
            if key not in MATCH_FIELDS:
                err(f"topic '{tid}': unknown match field '{key}'", "use title, abstract, min_score")
        for kind in ("title", "abstract"):
            rules = match.get(kind) or []
            if not isinstance(rules, list):
                err(f"topic '{tid}': match.{kind} must be a list of patterns")
                continue
            for rule in rules:
                compiled, problem = compile_rule(rule)
                if problem:
                    err(f"topic '{tid}': {problem}",
                        "quote patterns with single quotes so backslashes survive")
                    continue
                (topic.title_rules if kind == "title" else topic.abstract_rules).append(compiled)
        min_score = match.get("min_score")
        if isinstance(min_score, int) and not isinstance(min_score, bool):
            topic.min_score = min_score
        elif min_score is not None:
            err(f"topic '{tid}': match.min_score must be a whole number")
        topics[tid] = topic
    for topic in topics.values():
        if topic.parent is not None and topic.parent not in topics:
            diags.append(Diagnostic(relpath, topic.line, f"topic '{topic.id}' has unknown parent "
                                    f"'{topic.parent}'", "parent must be the id of another topic"))
            topic.parent = None
    for topic in topics.values():
        seen = [topic.id]
        cur = topic.parent
        while cur is not None:
            if cur in seen:
                diags.append(Diagnostic(relpath, topic.line, "topic cycle: " + " -> ".join(
                    seen + [cur]), "a topic cannot be its own ancestor; fix one parent"))
                topic.parent = None
                break
            seen.append(cur)
            cur = topics[cur].parent
    for topic in topics.values():
        if topic.parent:
            topics[topic.parent].children.append(topic.id)
    fallback = data.get("fallback")
    if fallback is not None and not isinstance(fallback, str):
        diags.append(Diagnostic(relpath, top_lines.get("fallback", 1),
                                f"fallback must be one topic id, not {type(fallback).__name__} "
                                f"{fallback!r:.40}", "write fallback: <topic-id>"))
        fallback = None
    elif fallback is not None and fallback not in topics:
        diags.append(Diagnostic(relpath, top_lines.get("fallback", 1),
                                f"fallback topic '{fallback}' is not defined",
                                "set fallback: to the id of a topic"))
        fallback = None
    return Taxonomy(topics, relpath, fallback), diags


def compile_rule(rule: object) -> tuple[object | None, str]:
    """A match rule compiled, or why it is refused.  Rules are Python ``re``
    syntax and never take more than linear time, in one of two ways:

    * a rule RE2 can run is compiled for RE2, whose matching is linear in the text;
    * a rule RE2 cannot run (lookaround or backreferences, which the taxonomy uses
      to exclude words) runs under Python's ``re`` only when no repeat holds
      another repeat or an alternation, the shapes that backtrack exponentially
      (``(a+)+``, ``(a|aa)*``); other such rules are refused.
    """
    if not isinstance(rule, str) or not rule:
        return None, f"pattern {rule!r:.40} must be non-empty text (quote it)"
    try:
        compiled = re.compile(rule, re.IGNORECASE)
    except re.error as exc:
        return None, f"pattern {rule!r:.80} is not a valid regular expression: {exc}"
    try:
        return re2.compile(rule, _RE2_OPTIONS), ""
    except re2.error:
        pass
    shape = _backtracking_shape(re_parser.parse(rule))
    if shape:
        return None, (f"pattern {rule!r:.80} can take exponential time ({shape}); write it "
                      "without a repeat around a repeat or an alternation")
    return compiled, ""


_REPEATS = {re_constants.MAX_REPEAT, re_constants.MIN_REPEAT,
            getattr(re_constants, "POSSESSIVE_REPEAT", re_constants.MAX_REPEAT)}


def _backtracking_shape(pattern, repeated: bool = False) -> str:
    """A repeat nested in a repeat, or an alternation under a repeat, if any."""
    for op, av in pattern:
        if op in _REPEATS:
            _lo, hi, sub = av
            many = hi > 1
            if many and repeated:
                return "a repeat inside a repeat"
            found = _backtracking_shape(sub, repeated or many)
        elif op is re_constants.BRANCH:
            if repeated:
                return "an alternation inside a repeat"
            found = next((f for f in (_backtracking_shape(p, repeated) for p in av[1]) if f), "")
        elif op is re_constants.SUBPATTERN:
            found = _backtracking_shape(av[-1], repeated)
        elif op in (re_constants.ASSERT, re_constants.ASSERT_NOT):
            found = _backtracking_shape(av[1], repeated)
        else:
            found = ""
        if found:
            return found
    return ""


def _item_lines(text: str) -> list[int]:
    """Line of each item of the top-level ``topics:`` list."""
    import yaml

    from survey_core.model.records import _Loader

    node = yaml.compose(text, Loader=_Loader)
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "topics" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
