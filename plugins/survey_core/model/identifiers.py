"""arXiv ids, DOIs and links as the imported formats write them.  No MkDocs import.

Every reader (BibTeX, CSL-JSON, RIS, awesome lists) sorts the identifiers and
links it finds with these functions, so that a paper gets the same arXiv id,
DOI and named links whichever format it came in:

* an arxiv.org ``abs``/``pdf`` link gives the arXiv id (and the ``arxiv`` link);
* a DOI, as ``10.x/y``, ``doi:10.x/y`` or a doi.org link, is kept lowercase
  (DOIs are case-insensitive); arXiv's own DOIs (``10.48550/arXiv.<id>``) give
  the arXiv id instead;
* GitHub, GitLab, Bitbucket, Codeberg and Hugging Face Spaces are ``code``;
  ``*.github.io`` sites are ``project`` pages; another link to a PDF file is
  ``pdf``; any other http(s) link is the ``paper``'s landing page.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

from survey_core.model.records import ARXIV_RE, DOI_RE

ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))"
    r"(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
ARXIV_ID_TEXT = re.compile(
    r"(?<![\w.])(?:arxiv\s*:\s*)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?![\w.])",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")


def arxiv_id_of(text: str | None) -> str | None:
    """The arXiv id in an arxiv.org link, an ``arXiv:ID`` / bare id text, or an
    arXiv DOI; None when there is none."""
    s = str(text or "").strip()
    if not s:
        return None
    m = ARXIV_URL.search(s)
    if m:
        return m.group(1)
    m = _ARXIV_DOI.match(_DOI_PREFIX.sub("", s))
    if m and ARXIV_RE.match(m.group(1)):
        return m.group(1)
    m = ARXIV_ID_TEXT.search(s) if "arxiv" in s.lower() else ARXIV_ID_TEXT.fullmatch(s)
    if m and ARXIV_RE.match(m.group(1)):
        return m.group(1)
    return None


def normalise_doi(value: str | None) -> str | None:
    """A DOI from ``10.x/y``, ``doi:10.x/y`` or a doi.org link: lowercase, percent
    escapes undone; None when it is not a DOI or is arXiv's own (see module doc)."""
    s = unquote(str(value or "").strip())
    s = _DOI_PREFIX.sub("", s).strip().rstrip(".,;").lower()
    if not s or _ARXIV_DOI.match(s) or not DOI_RE.match(s):
        return None
    return s


def link_kind(url: str) -> str | None:
    """``arxiv``, ``code``, ``project``, ``pdf``, ``paper``, ``doi`` (a doi.org link)
    or None for a URL that is not http(s)."""
    parsed = urlparse(url.strip())
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    host = parsed.netloc.lower().split("@")[-1].split(":")[0]
    host = host.removeprefix("www.")
    if ARXIV_URL.search(url) or host in ("arxiv.org", "export.arxiv.org"):
        return "arxiv"
    if host in ("doi.org", "dx.doi.org"):
        return "doi"
    if host in _CODE_HOSTS or (host == "huggingface.co" and parsed.path.startswith("/spaces/")):
        return "code"
    if host.endswith(".github.io") or host.endswith(".gitlab.io"):
        return "project"
    if parsed.path.lower().endswith(".pdf"):
        return "pdf"
    return "paper"


_NOT_PAPER_HOSTS = ("medium.com", "substack.com", "blogspot.com", "wordpress.com", "hashnode.dev",
                    "dev.to", "youtube.com", "youtu.be", "vimeo.com", "twitter.com", "x.com",
                    "linkedin.com", "reddit.com", "news.ycombinator.com", "wikipedia.org",
                    "readthedocs.io", "readthedocs.org", "notion.site", "discord.gg",
                    "discord.com", "t.me", "pypi.org", "npmjs.com")


def not_a_paper(url: str) -> str | None:
    """What a link is when it cannot be a paper (``docs``, ``blog``, ``video``,
    ``social`` page, ``package``); None when it may be one.  Awesome lists put
    such links beside papers ("see the [docs](...)", a blog post)."""
    parsed = urlparse(url.strip())
    host = parsed.netloc.lower().split("@")[-1].split(":")[0].removeprefix("www.")
    path = parsed.path.lower()
    if host.startswith("docs.") or "readthedocs" in host or path.startswith("/docs/"):
        return "docs"
    if (host.startswith("blog.") or path.startswith(("/blog/", "/posts/"))
            or any(host == h or host.endswith("." + h) for h in
                   ("medium.com", "substack.com", "blogspot.com", "wordpress.com",
                    "hashnode.dev", "dev.to"))):
        return "blog"
    if any(host == h or host.endswith("." + h) for h in ("youtube.com", "youtu.be",
                                                         "vimeo.com")):
        return "video"
    if any(host == h or host.endswith("." + h) for h in ("pypi.org", "npmjs.com")):
        return "package"
    if any(host == h or host.endswith("." + h) for h in _NOT_PAPER_HOSTS):
        return "social"
    return None


def sort_links(urls: list[str]) -> tuple[dict[str, str], str | None, str | None]:
    """Named links, arXiv id and DOI from a list of URLs (the first of each kind wins)."""
    links: dict[str, str] = {}
    arxiv_id: str | None = None
    doi: str | None = None
    for url in urls:
        kind = link_kind(url)
        if kind is None:
            continue
        if kind == "arxiv":
            found = arxiv_id_of(url)
            if found:
                arxiv_id = arxiv_id or found
                links.setdefault("arxiv", f"https://arxiv.org/abs/{found}")
            continue
        if kind == "doi":
            doi = doi or normalise_doi(url)
            found = arxiv_id_of(url)
            arxiv_id = arxiv_id or found
            continue
        links.setdefault(kind, url.strip())
    return links, arxiv_id, doi
