"""Reading and writing paper records (``content/papers/<id>.yml``).

Reading validates every field and reports problems with the line they are on;
writing is deterministic, so that writing an unchanged record changes no byte.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from survey_core.model.diagnostics import ERROR, WARNING, Diagnostic
from survey_core.model.model import (
    DATE_PRECISIONS,
    FIELD_ORDER,
    LINK_KINDS,
    REQUIRED_FIELDS,
    Lines,
    Paper,
    Source,
)
from survey_core.model.safeio import CONTROL_RE, decode, file_problem, nesting_problem, read_bounded
from survey_core.model.text import normalise_title

SCHEMA_COMMENT = "# yaml-language-server: $schema=../paper.schema.json\n"

#: Longest abstract accepted (characters); real abstracts are under 3,000.
MAX_ABSTRACT = 20_000
MAX_TITLE = 500
#: Longest ``short_name`` (characters): a method name shown at a figure's leaf.
MAX_SHORT_NAME = 40
#: Largest record file read (bytes); a real record is a few kilobytes.
MAX_RECORD_BYTES = 256 * 1024

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[A-Za-z0-9]+$")
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})$")
#: A DOI: "10.", a registrant code, "/", a suffix without spaces (stored lowercase,
#: as DOIs are case-insensitive).
DOI_RE = re.compile(r"^10\.\d{4,9}/[^\s\x00-\x1f]+$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_BaseLoader):
    """A safe loader that keeps dates as strings (records store ISO text)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _str_representer(dumper: yaml.Dumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """libyaml's emitter when available (eight times faster; the same text for every
    record of the repository)."""


_Dumper.add_representer(str, _str_representer)


def dump_record(paper: Paper) -> str:
    """The exact text of a record file."""
    body = yaml.dump(
        paper.to_record(),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return SCHEMA_COMMENT + body


def write_record(path: Path, paper: Paper) -> bool:
    """Write a record if its text changed; returns True when the file was written."""
    text = dump_record(paper)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True


#: Alias uses (``*name``) allowed in one YAML document; each may stand for a
#: large subtree, so a few nested aliases would otherwise expand exponentially.
MAX_ALIASES = 20
#: Nodes a YAML document may expand to once its aliases are followed.
MAX_NODES = 200_000


def _node_problem(root: yaml.Node) -> tuple[yaml.Node, str, str] | None:
    """The first alias overuse or duplicate mapping key in a composed document
    (at any depth): (node, message, hint).  Shared nodes are visited once."""
    seen: set[int] = set()
    aliases = 0
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            children = _children(node)
            size[id(node)] = 1 + sum(size.get(id(c), 1) for c in children)
            if size[id(node)] > MAX_NODES:
                return node, (f"YAML document expands to over {MAX_NODES:,} values through "
                              "aliases"), "write the values out instead of using &anchors/*aliases"
            continue
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                return node, f"YAML document uses more than {MAX_ALIASES} aliases", (
                    "write the values out instead of using &anchors/*aliases")
            if id(node) not in size:  # an alias to a node that contains it
                return node, "YAML alias refers to a value that contains it", (
                    "remove the recursive &anchor/*alias")
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key_node, _value in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in first:
                        return _given_twice(key_node, first[key_node.value])
                    first[key_node.value] = key_node
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(_children(node)))
    return None


def _duplicate_key(root: yaml.Node) -> tuple[yaml.Node, str, str] | None:
    """The first duplicate mapping key at any depth, for a document without
    anchors (so without aliases): what :func:`_node_problem` finds there, at a
    fraction of its cost (a record has a few dozen nodes, a catalog 10,000s of
    records)."""
    mapping, sequence, scalar = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
    stack = [root]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is mapping:
            first: dict[str, yaml.Node] = {}
            for key_node, value in node.value:
                if type(key_node) is scalar:
                    if key_node.value in first:
                        return _given_twice(key_node, first[key_node.value])
                    first[key_node.value] = key_node
                else:
                    stack.append(key_node)
                if type(value) is not scalar:
                    stack.append(value)
        elif kind is sequence:
            stack.extend(c for c in node.value if type(c) is not scalar)
    return None


def _given_twice(key_node: yaml.Node, first: yaml.Node) -> tuple[yaml.Node, str, str]:
    """The problem of a mapping key given a second time (``first``: its first)."""
    return key_node, (f"field {_shown(key_node.value)} is given twice "
                      f"(first on line {first.start_mark.line + 1})"), (
        "keep one of the two; YAML would silently use the last")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _shown(name: str) -> str:
    """A key as quoted in a message (control characters and line breaks escaped)."""
    return repr(name) if not name.isprintable() or "'" in name else f"'{name}'"


def parse_yaml(text: str, relpath: str) -> tuple[Any, dict[str, int], list[Diagnostic]]:
    """Parse YAML text, returning the data, the line of each top-level key, and
    a syntax diagnostic when it does not parse.  Duplicate keys (at any depth)
    and alias bombs are refused before any value is built, and so is text nested
    deeper than any record (the parser would crash on it)."""
    deep = nesting_problem(text, relpath, yaml=True)
    if deep is not None:
        return None, {}, [deep]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        # Without "&" there is no anchor, so no alias to follow or count.
        check = _node_problem if "&" in text else _duplicate_key
        problem = check(node) if node is not None else None
        if problem is not None:
            bad, message, hint = problem
            return None, {}, [Diagnostic(relpath, bad.start_mark.line + 1, message, hint,
                                         column=bad.start_mark.column + 1)]
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        bad_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if "\t" in bad_line[: max(col, 1)] or "\t" in bad_line.lstrip(" ")[:1]:
            problem = ("found character '\\t' that cannot start any token: a tab is used for "
                       "indentation; YAML needs spaces")
        return None, {}, [
            Diagnostic(
                relpath,
                line,
                f"YAML syntax error: {problem}",
                "check indentation and quoting near this line; text containing ': ' or "
                "starting with a quote or bracket must be quoted",
                column=col,
            )
        ]
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
    return data, lines, []


def _is_url(value: Any) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def valid_date(value: str) -> str | None:
    """Return the precision of an ISO date string, or None when it is not a date."""
    m = DATE_RE.match(value)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day:
            _dt.date(int(year), int(month), int(day))
            return "day"
        if month:
            _dt.date(int(year), int(month), 1)
            return "month"
    except ValueError:
        return None
    return "year"


def paper_from_mapping(
    data: Any, relpath: str, lines: dict[str, int], file_id: str | None = None
) -> tuple[Paper | None, list[Diagnostic]]:
    """Validate a parsed record and build a :class:`Paper`.

    Every problem is reported; the paper is returned whenever it is usable
    (required fields present with the right types), even with warnings.
    """
    diags: list[Diagnostic] = []

    def err(field: str | None, message: str, hint: str = "", severity: str = ERROR) -> None:
        line = lines.get(field, 1) if field else 1
        diags.append(Diagnostic(relpath, line, message, hint, severity))

    if data is None:
        err(None, "the record is empty", "a record is a YAML mapping; copy an existing record "
            "in content/papers/ or run `survey new --title ...`")
        return None, diags
    if not isinstance(data, dict):
        err(None, f"a record must be a mapping of fields, not a {type(data).__name__}",
            "write `field: value` lines (title: ..., topics: [...]) rather than a list")
        return None, diags

    for name, value in data.items():
        bad = _control_value(value)
        if bad is not None:
            err(str(name), f"'{_printable(name)}' holds control character U+{ord(bad):04X}",
                "remove it (an escape such as \\e or \\0 in a quoted value writes one)")
    for name in data:
        if name not in FIELD_ORDER:
            close = [f for f in FIELD_ORDER if _similar(str(name), f)]
            err(str(name), f"unknown field '{name}'",
                f"did you mean '{close[0]}'?" if close else
                "allowed fields: " + ", ".join(FIELD_ORDER))
    for name in REQUIRED_FIELDS:
        if name not in data or data[name] in (None, ""):
            err(None, f"missing required field '{name}'",
                "see the record schema in README.md (Record schema)")

    def typed(name: str, types: tuple[type, ...], label: str) -> Any:
        value = data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) and bool not in types:
            err(name, f"'{name}' must be {label}, not a boolean", f"write {name}: <{label}>")
            return None
        if not isinstance(value, types):
            err(name, f"'{name}' must be {label}, not {type(value).__name__} {value!r:.60}",
                f"write {name}: <{label}>")
            return None
        return value

    pid = typed("id", (str,), "a text slug")
    if pid is not None and not ID_RE.match(pid):
        err("id", f"id '{pid}' is not a slug", "ids use lowercase letters, digits and single "
            "hyphens, e.g. 'scaling-laws-for-neural-language-models'")
        pid = None
    if pid is not None and file_id is not None and pid != file_id:
        err("id", f"id '{pid}' does not match the file name '{file_id}.yml'",
            f"rename the file to content/papers/{pid}.yml, or set id: {file_id}")
    key = typed("key", (str,), "a citation key")
    if key is not None and not KEY_RE.match(key):
        err("key", f"key '{key}' must be letters and digits only",
            "keys look like 'vaswani2017attention'; never change a published key")
        key = None
    title = typed("title", (str,), "text")
    if title is not None:
        if not title.strip():
            err("title", "title is empty", "write the paper's title")
        elif "\n" in title.strip():
            err("title", "title spans several lines", "write the title on one line")
        elif not normalise_title(title):
            err("title", f"title {title.strip()!r:.60} has no letters or digits",
                "write the paper's title; a title made of punctuation cannot be told apart "
                "from another")
        elif len(title) > MAX_TITLE:
            err("title", f"title is {len(title):,} characters (limit {MAX_TITLE})",
                "a title is one line of at most 500 characters")
    short_name = typed("short_name", (str,), "text")
    if short_name is not None:
        if not short_name.strip():
            err("short_name", "short_name is empty", "write the method's name, e.g. "
                "short_name: ZeroQuant-FP, or leave the field out")
            short_name = None
        elif "\n" in short_name:
            err("short_name", "short_name spans several lines", "write it on one line")
            short_name = None
        elif len(short_name) > MAX_SHORT_NAME:
            err("short_name", f"short_name is {len(short_name)} characters (limit "
                f"{MAX_SHORT_NAME})", "a short name is the method's name: a word or two")
            short_name = None
        else:
            short_name = short_name.strip()
    abstract = typed("abstract", (str,), "text") or ""
    if len(abstract) > MAX_ABSTRACT:
        err("abstract", f"abstract is {len(abstract):,} characters (limit {MAX_ABSTRACT:,})",
            "paste only the paper's abstract")
        abstract = abstract[:MAX_ABSTRACT]
    authors = typed("authors", (list,), "a list of names") or []
    if any(not isinstance(a, str) or not a.strip() for a in authors):
        err("authors", "every author must be a non-empty name", "write authors: [First Last, ...]")
        authors = [a for a in authors if isinstance(a, str) and a.strip()]
    complete = typed("authors_complete", (bool,), "true or false") or False
    count = typed("author_count", (int,), "a whole number")
    if count is not None and count < 0:
        err("author_count", "author_count must not be negative")
        count = None
    year = typed("year", (int,), "a four-digit year")
    if year is not None and not 1900 <= year <= 2100:
        err("year", f"year {year} is out of range", "write the year of first publication")
        year = None
    month = typed("month", (int,), "a month number 1-12")
    if month is not None and not 1 <= month <= 12:
        err("month", f"month {month} is not 1-12", "write the month number, e.g. month: 8")
        month = None
    date = data.get("date")
    if isinstance(date, int) and not isinstance(date, bool):
        date = str(date)
    if date is not None and (not isinstance(date, str) or valid_date(date) is None):
        err("date", f"date {date!r} is not a valid date",
            "write YYYY-MM-DD, YYYY-MM or YYYY (e.g. date: '2024-08-23')")
        date = None
    precision = typed("date_precision", (str,), "day, month or year")
    if precision is not None and precision not in DATE_PRECISIONS:
        err("date_precision", f"date_precision '{precision}' is not day, month or year")
        precision = None
    if date and precision and valid_date(date) != precision:
        err("date_precision", f"date_precision '{precision}' does not match date '{date}'",
            "day for YYYY-MM-DD, month for YYYY-MM, year for YYYY")
    upvotes = typed("upvotes", (int,), "a whole number")
    if upvotes is not None and upvotes < 0:
        err("upvotes", f"upvotes must not be negative ({upvotes})", "write the count shown "
            "on the listing, e.g. upvotes: 12")
        upvotes = None
    organisation = typed("organisation", (str,), "text")
    venue = typed("venue", (str,), "text")
    arxiv_id = data.get("arxiv_id")
    if isinstance(arxiv_id, float):
        err("arxiv_id", f"arxiv_id {arxiv_id!r} was read as a number",
            "quote it: arxiv_id: '2401.01234' (a number loses trailing zeros)")
        arxiv_id = None
    elif arxiv_id is not None and (not isinstance(arxiv_id, str) or not ARXIV_RE.match(arxiv_id)):
        err("arxiv_id", f"arxiv_id {arxiv_id!r} is not an arXiv identifier",
            "write the id without version or URL, quoted: arxiv_id: '2401.01234'")
        arxiv_id = None
    primary_class = typed("primary_class", (str,), "an arXiv category such as cs.CL")
    doi = typed("doi", (str,), "a DOI such as 10.18653/v1/2023.acl-long.1")
    if doi is not None and (not DOI_RE.match(doi) or doi != doi.lower()):
        err("doi", f"doi {doi!r:.80} is not a DOI in lowercase",
            "write the DOI alone, lowercase: doi: 10.18653/v1/2023.acl-long.1")
        doi = None
    links_raw = typed("links", (dict,), "a mapping of link kinds to URLs") or {}
    links: dict[str, str] = {}
    for kind, url in links_raw.items():
        if kind not in LINK_KINDS:
            err("links", f"unknown link kind '{kind}'", "link kinds: " + ", ".join(LINK_KINDS))
        elif not _is_url(url):
            err("links", f"links.{kind} {url!r:.80} is not an http(s) URL",
                "links must start with https:// or http://")
        else:
            links[kind] = url
    topics = typed("topics", (list,), "a list of topic ids") or []
    if any(not isinstance(t, str) for t in topics):
        err("topics", "topics must be topic ids (text)", "write topics: [quantization, pruning]")
        topics = [t for t in topics if isinstance(t, str)]
    if len(set(topics)) != len(topics):
        err("topics", "a topic is listed twice", "list each topic once", WARNING)
        topics = list(dict.fromkeys(topics))
    sources: list[Source] = []
    for item in typed("sources", (list,), "a list of {file, line}") or []:
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            line = item.get("line")
            entry = item.get("entry")
            section = item.get("section")
            sources.append(Source(sys.intern(item["file"]),
                                  line if isinstance(line, int) else None,
                                  entry if isinstance(entry, str) else None,
                                  section if isinstance(section, str) else None))
        else:
            err("sources", f"source {item!r:.60} must be a mapping with a 'file'",
                "write sources: [{file: my-list.txt, line: 3}]")
    provenance = typed("provenance", (dict,), "a mapping of field groups to sources") or {}
    added = data.get("added")
    if added is not None and (not isinstance(added, str) or valid_date(added) != "day"):
        err("added", f"added {added!r} is not a date YYYY-MM-DD", "write added: '2026-01-31'")
        added = None

    if not pid or not key or not title:
        return None, diags
    paper = Paper(
        id=pid, key=key, title=title.strip(), short_name=short_name, abstract=abstract,
        authors=list(authors),
        authors_complete=bool(complete), author_count=count, year=year, month=month,
        date=date, date_precision=precision or (valid_date(date) if date else None),
        upvotes=upvotes, organisation=organisation, venue=venue, arxiv_id=arxiv_id,
        primary_class=primary_class, doi=doi, links=links, topics=list(topics), sources=sources,
        # provenance values repeat (one source names several fields): one string each
        provenance={sys.intern(str(k)): sys.intern(str(v)) for k, v in provenance.items()},
        added=added, path=relpath, lines=Lines(lines),
    )
    return paper, diags


def read_record(path: Path, relpath: str, raw: bytes | None = None
                ) -> tuple[Paper | None, list[Diagnostic]]:
    """Read and validate one record file (``raw``: its bytes, when already read
    through :func:`read_record_bytes`)."""
    if raw is None:
        raw, problem = read_record_bytes(path, relpath)
        if problem:
            return None, [problem]
    text, problem = decode(raw, relpath)
    if problem:
        return None, [problem]
    data, lines, diags = parse_yaml(text, relpath)
    if diags:
        return None, diags
    return paper_from_mapping(data, relpath, lines, file_id=path.stem)


def read_record_bytes(path: Path, relpath: str) -> tuple[bytes, Diagnostic | None]:
    """The bytes of a record file, or why it is refused (a link, a folder, a device,
    over :data:`MAX_RECORD_BYTES`), checked before reading."""
    _st, problem = file_problem(path, relpath, MAX_RECORD_BYTES, "record file")
    if problem:
        return b"", problem
    try:
        raw = read_bounded(path, MAX_RECORD_BYTES + 1)
    except OSError as exc:
        return b"", Diagnostic(relpath, 1, f"cannot read record file: {exc.strerror or exc}")
    if len(raw) > MAX_RECORD_BYTES:
        return b"", Diagnostic(relpath, 1, f"record file is over {MAX_RECORD_BYTES:,} bytes")
    return raw, None


def _control_value(value: Any) -> str | None:
    """The first control character in a parsed value (strings at any depth)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            m = CONTROL_RE.search(item)
            if m:
                return m.group()
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _printable(name: Any) -> str:
    text = str(name)
    return text if text.isprintable() else repr(text)[1:-1]


def _similar(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.75
