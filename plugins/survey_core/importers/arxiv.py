"""A small client for the arXiv API (the Atom feed at ``export.arxiv.org/api/query``).

Plain Python, standard library only (``urllib`` and ``xml.etree``).  The network
is reached through a *transport*, a callable ``(url) -> response text``, so that
tests can feed recorded responses through exactly the code path used online.

* :func:`parse_feed` turns an Atom response into :class:`ArxivEntry` records and
  raises :class:`ArxivError` for the API's error entries.
* :class:`ArxivClient` builds queries (by id, by title), keeps to arXiv's rate
  limit (one request every 3 seconds) and turns network failures into
  :class:`ArxivOffline` with a one-line message.
* :func:`normalise_title` is the title normaliser used to compare titles (here
  and for duplicate detection elsewhere).
"""

from __future__ import annotations

import http.client
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from survey_core.model.text import normalise_title  # noqa: F401  (re-exported for callers)

API_URL = "http://export.arxiv.org/api/query"
USER_AGENT = (
    "mkdocs-survey/1.0 (arXiv metadata for a curated survey of research papers; "
    "Python urllib)"
)
TIMEOUT = 30.0
#: Most ids sent in one ``id_list`` request.
BATCH_SIZE = 50
#: Seconds between two requests, as the arXiv API terms of use ask.
MIN_INTERVAL = 3.0

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

Transport = Callable[[str], str]

#: A new-style id (0704.0001 onwards) or an old-style one (hep-th/9901001),
#: with an optional version.
_ID_RE = re.compile(
    r"^(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})(?P<version>v\d+)?$"
)
_NEW_STYLE_RE = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_ID_PREFIX_RE = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)


class ArxivError(Exception):
    """The arXiv API answered with an error, or with something that is not a feed."""


class ArxivOffline(ArxivError):
    """The arXiv API could not be reached (network down, timeout, HTTP error).

    ``str(exc)`` is one line meant to be shown as is to the user."""


@dataclass
class ArxivEntry:
    """One paper as the arXiv API describes it."""

    arxiv_id: str  # without version: "1111.2011", "hep-th/9901001"
    version: str | None  # "v2", or None when the feed gives none
    title: str  # whitespace and line breaks collapsed
    abstract: str  # the summary, whitespace collapsed
    authors: list[str] = field(default_factory=list)  # in the paper's order
    published: str = ""  # YYYY-MM-DD of the first version
    year: int | None = None
    month: int | None = None
    primary_class: str | None = None
    categories: list[str] = field(default_factory=list)
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    abs_url: str = ""
    pdf_url: str = ""


# -- ids and titles ------------------------------------------------------------


def split_id(text: str) -> tuple[str, str | None]:
    """Split an arXiv identifier into ``(id, version)``.

    Accepts ``1111.2011``, ``1111.2011v2``, ``arXiv:1111.2011``,
    ``https://arxiv.org/abs/1111.2011v2``, ``https://arxiv.org/pdf/1111.2011v2.pdf``
    and old-style ids such as ``hep-th/9901001v1``.  Raises :class:`ValueError`
    for anything else.
    """
    raw = text.strip()
    value = _ID_PREFIX_RE.sub("", raw)
    if value.lower().endswith(".pdf"):
        value = value[:-4]
    m = _ID_RE.match(value)
    if not m:
        raise ValueError(f"{raw!r} is not an arXiv identifier (expected e.g. 2401.01234)")
    return m.group("id"), m.group("version")


def normalise_id(text: str) -> str:
    """An arXiv identifier without prefix, URL or version (``ValueError`` if invalid)."""
    return split_id(text)[0]


def abs_url(arxiv_id: str) -> str:
    """The canonical abstract page of an (unversioned) arXiv id."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    """The canonical PDF of an (unversioned) arXiv id."""
    return f"https://arxiv.org/pdf/{arxiv_id}"




def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


# -- parsing -------------------------------------------------------------------


def parse_feed(xml_text: str) -> list[ArxivEntry]:
    """Parse an arXiv API Atom response into entries (in feed order).

    An empty feed gives ``[]``.  An error entry (id ``http://arxiv.org/api/errors#...``)
    raises :class:`ArxivError` with the API's message; text that is not an Atom
    feed raises :class:`ArxivError` too.  Placeholder entries without an
    ``/abs/`` id (which the API sometimes emits for unknown ids) are skipped.
    """
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise ArxivError(f"the arXiv API returned a response that is not XML ({exc})") from None
    if root.tag != f"{ATOM}feed":
        raise ArxivError(f"the arXiv API returned an unexpected document (<{root.tag}>)")
    entries: list[ArxivEntry] = []
    for node in root.findall(f"{ATOM}entry"):
        entry_id = _collapse(node.findtext(f"{ATOM}id"))
        if "/api/errors" in entry_id:
            message = _collapse(node.findtext(f"{ATOM}summary")) or entry_id
            raise ArxivError(f"the arXiv API reported an error: {message}")
        entry = _parse_entry(node, entry_id)
        if entry is not None:
            entries.append(entry)
    return entries


def _parse_entry(node: ET.Element, entry_id: str) -> ArxivEntry | None:
    _, sep, tail = entry_id.partition("/abs/")
    if not sep:
        return None
    try:
        arxiv_id, version = split_id(tail)
    except ValueError:
        return None
    title = _collapse(node.findtext(f"{ATOM}title"))
    if not title:
        return None
    authors = [
        name
        for name in (_collapse(a.findtext(f"{ATOM}name")) for a in node.findall(f"{ATOM}author"))
        if name
    ]
    published = _collapse(node.findtext(f"{ATOM}published"))[:10]
    year: int | None = None
    month: int | None = None
    m = _NEW_STYLE_RE.match(arxiv_id)
    if m and 1 <= int(m.group(2)) <= 12:
        year, month = 2000 + int(m.group(1)), int(m.group(2))
    elif re.match(r"^\d{4}-\d{2}", published):
        year, month = int(published[:4]), int(published[5:7])
    categories = [
        c.get("term", "") for c in node.findall(f"{ATOM}category") if c.get("term")
    ]
    primary = node.find(f"{ARXIV}primary_category")
    primary_class = (primary.get("term") if primary is not None else None) or (
        categories[0] if categories else None
    )
    abs_link = pdf_link = ""
    for link in node.findall(f"{ATOM}link"):
        href = link.get("href", "")
        if link.get("title") == "pdf":
            pdf_link = href
        elif link.get("rel") == "alternate" and not abs_link:
            abs_link = href
    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=_collapse(node.findtext(f"{ATOM}summary")),
        authors=authors,
        published=published,
        year=year,
        month=month,
        primary_class=primary_class,
        categories=categories,
        doi=_collapse(node.findtext(f"{ARXIV}doi")) or None,
        journal_ref=_collapse(node.findtext(f"{ARXIV}journal_ref")) or None,
        comment=_collapse(node.findtext(f"{ARXIV}comment")) or None,
        abs_url=abs_link or abs_url(arxiv_id + (version or "")),
        pdf_url=pdf_link or pdf_url(arxiv_id + (version or "")),
    )


# -- the client ----------------------------------------------------------------


def urllib_transport(url: str, timeout: float = TIMEOUT) -> str:
    """The default transport: a GET with a descriptive User-Agent.

    An HTTP 400 whose body is an Atom feed is returned as text: that is how the
    API reports a bad query, and :func:`parse_feed` turns it into an
    :class:`ArxivError`.  Other failures propagate (and :class:`ArxivClient`
    turns them into :class:`ArxivOffline`).
    """
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 400:
            try:
                body = exc.read().decode("utf-8", errors="replace")
            except (OSError, http.client.HTTPException):
                body = ""
            if "<feed" in body:
                return body
        raise


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        text = f"HTTP {exc.code} {exc.reason or ''}".strip()
    elif isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            text = "the connection timed out"
        else:
            text = str(reason) or type(reason).__name__
    elif isinstance(exc, TimeoutError):
        text = "the connection timed out"
    else:
        text = str(exc) or type(exc).__name__
    return _collapse(text) or type(exc).__name__


class ArxivClient:
    """Queries the arXiv API, at most one request every ``min_interval`` seconds.

    ``transport`` is a callable ``(url) -> text`` (default: :func:`urllib_transport`);
    ``clock`` and ``sleep`` are injectable so the rate limit can be tested
    without waiting.  ``requests`` lists every URL asked for, in order.
    """

    def __init__(
        self,
        transport: Transport | None = None,
        min_interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        base_url: str = API_URL,
    ) -> None:
        self.transport: Transport = transport or urllib_transport
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self.base_url = base_url
        self.requests: list[str] = []
        self._last: float | None = None

    # -- queries --------------------------------------------------------
    def by_ids(self, ids: Iterable[str]) -> list[ArxivEntry]:
        """Entries for arXiv ids (with or without version, ``arXiv:`` or URL form).

        Sends ``id_list`` queries of at most :data:`BATCH_SIZE` ids.  Entries come
        back in the API's order (not necessarily the order asked): index them by
        ``arxiv_id``.  Unknown ids are simply missing from the result.
        """
        wanted: list[str] = []
        for raw in ids:
            arxiv_id, version = split_id(raw)
            full = arxiv_id + (version or "")
            if full not in wanted:
                wanted.append(full)
        entries: list[ArxivEntry] = []
        for start in range(0, len(wanted), BATCH_SIZE):
            batch = wanted[start : start + BATCH_SIZE]
            entries.extend(
                self._query(
                    {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
                )
            )
        return entries

    def search_title(self, title: str, max_results: int = 5) -> list[ArxivEntry]:
        """Search titles with the phrase query ``ti:"<words of the title>"``.

        The title is reduced to its words (accents folded, punctuation dropped),
        which keeps quotes, colons and brackets out of the query syntax.  Callers
        must still check that a result is the paper they want (compare
        :func:`normalise_title`).
        """
        words = re.findall(r"\w+", _ascii_fold(title))
        if not words:
            return []
        query = 'ti:"' + " ".join(words) + '"'
        return self._query(
            {"search_query": query, "start": "0", "max_results": str(max(1, max_results))}
        )

    # -- plumbing ---------------------------------------------------------
    def url_for(self, params: dict[str, str]) -> str:
        """The request URL for query parameters (spaces as %20, ``:`` and ``,`` kept)."""
        query = urllib.parse.urlencode(params, safe=":,", quote_via=urllib.parse.quote)
        return f"{self.base_url}?{query}"

    def _query(self, params: dict[str, str]) -> list[ArxivEntry]:
        return parse_feed(self.get(self.url_for(params)))

    def get(self, url: str) -> str:
        """Fetch one URL through the transport, keeping to the rate limit."""
        if self._last is not None:
            wait = self.min_interval - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self.requests.append(url)
        try:
            return self.transport(url)
        except ArxivOffline:
            raise
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            host = urllib.parse.urlsplit(self.base_url).netloc or self.base_url
            raise ArxivOffline(
                f"cannot reach the arXiv API ({host}): {_reason(exc)}; "
                "check your network connection and try again"
            ) from exc
        finally:
            self._last = self.clock()


def _ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))
