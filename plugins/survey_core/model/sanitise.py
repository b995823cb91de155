"""Survey prose is untrusted: the HTML it may contain, and where its links may point.

Survey Markdown gets the treatment GitHub gives user Markdown.  Two layers
share one allow-list:

* :func:`prose_problems` (``survey check``, and the build's content errors, so
  ``mkdocs build --strict`` fails) names every HTML tag, attribute or link
  target of the Markdown source that is not allowed, with its line and column;
* :func:`clean_html` (the build) passes the HTML of a survey page through the
  ``nh3`` sanitiser (ammonia) with the same allow-list, so a page built without
  ``--strict`` never carries a script, an event handler or a ``javascript:`` link.
"""

from __future__ import annotations

import html
import re

import nh3

from survey_core.model.diagnostics import Diagnostic
from survey_core.model.text import LineIndex

#: Tags survey prose may contain (those Markdown writes, and a few for layout).
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
#: Attributes allowed on every allowed tag, and per tag.
GENERIC_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
GENERIC_PREFIXES = {"data-", "aria-"}
TAG_ATTRIBUTES = {
    "a": {"href", "rel", "download"}, "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "ol": {"start", "reversed"}, "li": {"value"}, "time": {"datetime"}, "details": {"open"},
    "col": {"span"}, "colgroup": {"span"},
}
#: The only CSS property kept in a ``style`` (Markdown tables align columns with it).
STYLE_PROPERTIES = {"text-align"}
#: Link schemes allowed (relative links, with no scheme, are allowed too).
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR_RE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_INLINE_LINK_RE = re.compile(r"\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)")
_REFERENCE_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?([^\s>]+)", re.MULTILINE)
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)",
                       re.MULTILINE | re.DOTALL)
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in a link target (entities decoded, the
    whitespace and control characters browsers skip removed), or None."""
    m = _SCHEME_RE.match(_URL_NOISE_RE.sub("", html.unescape(url)))
    return m.group(1).lower() if m else None


def url_allowed(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in URL_SCHEMES


def _blank(m: re.Match) -> str:
    """A match replaced by spaces, line breaks kept (so offsets stay put)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def prose_problems(body: str, relpath: str, index: LineIndex) -> list[Diagnostic]:
    """Every HTML tag, attribute and link target of survey Markdown that is not
    allowed.  Code blocks, code spans and comments are left out (Markdown
    escapes code; comments are inert)."""
    text = _FENCE_RE.sub(_blank, body)
    text = _CODE_SPAN_RE.sub(_blank, text)
    text = _COMMENT_RE.sub(_blank, text)
    out: list[Diagnostic] = []

    def report(offset: int, message: str, hint: str) -> None:
        line, column = index.where(offset)
        out.append(Diagnostic(relpath, line, message, hint, column=column))

    link_hint = "links may be http(s), mailto or relative; see CONTRIBUTING.md (trust model)"
    for m in _TAG_RE.finditer(text):
        tag = m.group(2).lower()
        if m.group(1):  # a closing tag: its opening tag was reported
            continue
        if tag not in ALLOWED_TAGS:
            report(m.start(), f"HTML tag <{tag}> is not allowed in survey prose",
                   "allowed tags: " + ", ".join(sorted(ALLOWED_TAGS)))
            continue
        allowed = GENERIC_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, set())
        for a in _ATTR_RE.finditer(m.group(3)):
            name = a.group(1).lower()
            value = (a.group(2) or "").strip("\"'")
            where = m.start(3) + a.start()
            if name not in allowed and not name.startswith(tuple(GENERIC_PREFIXES)):
                report(where, f"attribute {name!r} is not allowed on <{tag}> in survey prose",
                       "event handlers, styles and scripts are removed from survey pages")
            elif name == "style" and not re.fullmatch(r"\s*text-align\s*:\s*[a-z]+\s*;?\s*",
                                                      value):
                report(where, f"style {value[:60]!r} is not allowed on <{tag}>",
                       "only text-align is kept in table cells")
            elif name in URL_ATTRIBUTES and not url_allowed(value):
                report(where, f"link target {value[:60]!r} is not allowed", link_hint)
    for rx in (_INLINE_LINK_RE, _REFERENCE_RE):
        for m in rx.finditer(text):
            if not url_allowed(m.group(1)):
                report(m.start(1), f"link target {m.group(1)[:60]!r} is not allowed", link_hint)
    return out


def clean_html(fragment: str) -> str:
    """A survey page's HTML with everything outside the allow-list removed.
    Comments are kept: the build's placeholders for generated blocks are comments."""
    attributes = {"*": GENERIC_ATTRIBUTES, **TAG_ATTRIBUTES}
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=attributes,
                     generic_attribute_prefixes=GENERIC_PREFIXES,
                     filter_style_properties=STYLE_PROPERTIES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"}, strip_comments=False,
                     link_rel=None)
