"""The sync settings (``content/sync.yml``): where ``survey sync`` looks and what it keeps.

One flat YAML mapping, validated here (``survey check`` reports its problems with
file and line)::

    sources: [hf, arxiv]      # what `survey sync --source all` reads
    days: 3                   # window of a run without --date/--since: the last N days
    categories: [cs.CL, cs.LG]  # arXiv categories whose new submissions are read
    terms: []                 # optional: arXiv submissions must mention one of these
    scope: []                 # topic ids (with their sub-topics); [] = every topic except
                              # the taxonomy's fallback and the out-of-scope topic
    out_of_scope: other       # the topic for papers outside the survey
    threshold: null           # score a paper needs on an in-scope topic (null: the
                              # topic's own match.min_score)
    borderline: 1             # a paper below the threshold scoring at least this on an
                              # in-scope topic, and naming the field (field_terms) or
                              # filed in one of field_categories, is listed for the
                              # curator as borderline (null: none)
    field_terms: [...]        # patterns (as match rules) that name the survey's field
                              # (default: none)
    field_categories: [cs.CL] # arXiv categories of the field (primary, or the listing)
    neighbours:               # a paper whose text is this close (TF-IDF cosine) to papers
      min_similarity: 0.15    # of the catalog filed in scope is listed as borderline,
      count: 3                # naming up to `count` of them and their topics (null or
                              # left out: none)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey_core.model.diagnostics import Diagnostic
from survey_core.model.records import parse_yaml
from survey_core.model.taxonomy import Taxonomy, compile_rule

CONFIG = "content/sync.yml"
SOURCES = ("hf", "arxiv")
FIELDS = ("sources", "days", "categories", "terms", "scope", "out_of_scope", "threshold",
          "borderline", "field_terms", "field_categories", "neighbours")
NEIGHBOUR_FIELDS = ("min_similarity", "count")
DEFAULT_NEIGHBOURS_COUNT = 3
MAX_NEIGHBOURS_COUNT = 10
#: What names the survey's field when ``field_terms`` is not set: nothing (each
#: survey names its own field in ``content/sync.yml``).
FIELD_TERMS: tuple[str, ...] = ()
DEFAULT_BORDERLINE = 1
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
MAX_DAYS = 62


@dataclass
class SyncConfig:
    sources: list[str] = field(default_factory=lambda: list(SOURCES))
    days: int = 3
    categories: list[str] = field(default_factory=lambda: ["cs.CL"])
    terms: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    out_of_scope: str | None = None
    threshold: int | None = None
    borderline: int | None = DEFAULT_BORDERLINE
    field_terms: list[str] = field(default_factory=lambda: list(FIELD_TERMS))
    field_categories: list[str] = field(default_factory=lambda: ["cs.CL"])
    #: least similarity of a nearest curated paper (None: no neighbour evidence)
    min_similarity: float | None = None
    neighbours_count: int = DEFAULT_NEIGHBOURS_COUNT
    path: str = CONFIG

    def __post_init__(self) -> None:
        self.field_rules = [compile_rule(t)[0] for t in self.field_terms]

    def names_field(self, title: str, abstract: str, categories: list[str]) -> list[str]:
        """Why a paper belongs to the survey's field: the field terms it names and its
        categories among ``field_categories`` (empty: no sign)."""
        text = f"{title}\n{abstract}"
        hits = [f"field /{term}/" for term, rx in zip(self.field_terms, self.field_rules,
                                                          strict=True)
                if rx is not None and rx.search(text)]
        return hits + [f"category {c}" for c in categories if c in self.field_categories]

    def scope_topics(self, taxonomy: Taxonomy) -> set[str]:
        """Every topic id in scope: the named branches with all topics below them, or by
        default every topic except the fallback and the out-of-scope branch."""
        if self.scope:
            return {t for branch in self.scope for t in taxonomy.descendants(branch)}
        outside = set(taxonomy.descendants(self.out_of_scope)) if self.out_of_scope else set()
        if taxonomy.fallback:
            outside.add(taxonomy.fallback)
        return set(taxonomy.topics) - outside


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def load_sync_config(root: Path, taxonomy: Taxonomy | None
                     ) -> tuple[SyncConfig | None, list[Diagnostic]]:
    """Read and validate ``content/sync.yml``; (None, []) when the file does not exist."""
    path = root / CONFIG
    if not path.exists():
        return None, []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Diagnostic(CONFIG, 1, "file is not UTF-8", "save the file as UTF-8")]
    data, lines, diags = parse_yaml(text, CONFIG)
    if diags:
        return None, diags
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Diagnostic(CONFIG, 1, "the sync settings must be a mapping",
                                 "see the comment at the top of content/sync.yml")]
    config = SyncConfig()

    def err(key: str, message: str, hint: str) -> None:
        diags.append(Diagnostic(CONFIG, lines.get(key, 1), message, hint))

    for key in data:
        if key not in FIELDS:
            err(str(key), f"unknown sync setting '{key}'", "settings: " + ", ".join(FIELDS))
    if "sources" in data:
        value = data["sources"]
        if not _string_list(value) or not value or any(v not in SOURCES for v in value):
            err("sources", f"sources must be a non-empty list of {', '.join(SOURCES)}",
                "write sources: [hf, arxiv]")
        else:
            config.sources = list(dict.fromkeys(value))
    if "days" in data:
        value = data["days"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
            err("days", f"days must be a whole number from 1 to {MAX_DAYS}",
                "the number of days before today a run looks at, e.g. days: 3")
        else:
            config.days = value
    if "categories" in data:
        value = data["categories"]
        bad = [v for v in value if not CATEGORY_RE.match(str(v))] if isinstance(value, list) \
            else None
        if bad is None or not _string_list(value) or bad:
            err("categories", "categories must be a list of arXiv categories"
                + (f" ({bad[0]!r} is not one)" if bad else ""), "write categories: [cs.CL, cs.LG]")
        else:
            config.categories = list(dict.fromkeys(value))
    if "terms" in data:
        value = data["terms"] or []
        if not _string_list(value) or any('"' in v for v in value):
            err("terms", "terms must be a list of words or phrases (without double quotes)",
                "write terms: [tokenizer, quantization] or terms: []")
        else:
            config.terms = [" ".join(v.split()) for v in value]
    for key in ("scope", "out_of_scope"):
        if key not in data or data[key] in (None, []):
            continue
        value = data[key]
        ids = value if key == "scope" else [value]
        if not _string_list(ids):
            err(key, f"{key} must be " + ("a list of topic ids" if key == "scope" else
                                          "a topic id"), "ids from content/taxonomy.yml")
            continue
        unknown = [v for v in ids if taxonomy is not None and v not in taxonomy]
        if unknown:
            err(key, f"{key}: unknown topic '{unknown[0]}'", "use ids from content/taxonomy.yml")
            continue
        if key == "scope":
            config.scope = list(dict.fromkeys(value))
        else:
            config.out_of_scope = value
    if data.get("threshold") is not None:
        value = data["threshold"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            err("threshold", "threshold must be a whole number of at least 1, or null",
                "null uses each topic's own match.min_score")
        else:
            config.threshold = value
    if "borderline" in data:
        value = data["borderline"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            err("borderline", "borderline must be a whole number (0 or more), or null",
                "the least rule score that lists a paper below the threshold for the curator; "
                "null lists none")
        else:
            config.borderline = value
    if "field_terms" in data:
        value = data["field_terms"] or []
        problems = [compile_rule(v)[1] for v in value] if isinstance(value, list) else ["x"]
        if not isinstance(value, list) or any(problems):
            err("field_terms", "field_terms must be a list of patterns"
                + (f": {next(p for p in problems if p)}" if isinstance(value, list) else ""),
                "quote each pattern with single quotes, e.g. field_terms: ['\\bLLMs?\\b']")
        else:
            config.field_terms = list(value)
    if "field_categories" in data:
        value = data["field_categories"] or []
        if not _string_list(value) or not all(CATEGORY_RE.match(v) for v in value):
            err("field_categories", "field_categories must be a list of arXiv categories",
                "write field_categories: [cs.CL]")
        else:
            config.field_categories = list(value)
    if data.get("neighbours") is not None:
        _neighbours(data["neighbours"], config, err)
    if diags:
        return None, diags
    config.__post_init__()
    return config, []


def _neighbours(value: object, config: SyncConfig, err) -> None:
    """``neighbours: {min_similarity: 0.15, count: 3}`` (validated into ``config``)."""
    hint = ("write neighbours: {min_similarity: 0.15, count: 3} (count optional), or "
            "neighbours: null for none")
    if not isinstance(value, dict):
        err("neighbours", "neighbours must be a mapping with min_similarity, or null", hint)
        return
    unknown = [k for k in value if k not in NEIGHBOUR_FIELDS]
    if unknown:
        err("neighbours", f"unknown neighbours setting '{unknown[0]}'",
            "settings: " + ", ".join(NEIGHBOUR_FIELDS))
        return
    similarity = value.get("min_similarity")
    if isinstance(similarity, bool) or not isinstance(similarity, (int, float)) \
            or not 0 < similarity <= 1:
        err("neighbours", "neighbours.min_similarity must be a number above 0 and at most 1",
            hint)
        return
    count = value.get("count", DEFAULT_NEIGHBOURS_COUNT)
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= MAX_NEIGHBOURS_COUNT:
        err("neighbours", f"neighbours.count must be a whole number from 1 to "
            f"{MAX_NEIGHBOURS_COUNT}", "how many nearest curated papers are named, e.g. 3")
        return
    config.min_similarity = float(similarity)
    config.neighbours_count = count
