"""Where ``survey sync`` finds candidate papers: Hugging Face Daily Papers and arXiv listings.

* Hugging Face through its official client, ``huggingface_hub``
  (``HfApi.list_daily_papers``), one request per page; the server is the
  client's own setting (``HF_ENDPOINT``).  A window is asked for by whole months,
  whole ISO weeks and single days.
* arXiv through :class:`survey_core.importers.arxiv.ArxivClient` (one request every 3 s): the new
  submissions of the configured categories, a day at a time, optionally only
  those mentioning one of the configured search terms.

Both give :class:`Candidate` objects, the facts a seed listing holds about a
paper.  A network failure raises :class:`SyncOffline` (one line); an answer that
cannot be read raises :class:`SyncError` naming the request and the entry.
A unit (day, week, month) that has ended is kept in ``.survey-cache/sync/`` once
fetched, so a run that was interrupted continues where it stopped.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from survey_core.importers.arxiv import ArxivClient, ArxivError, ArxivOffline, parse_feed, split_id

Progress = Callable[[int, int, str], None]
#: Entries asked for per Daily Papers page.
HF_PAGE = 100
#: Entries asked for per arXiv listing page.
ARXIV_PAGE = 200
#: Pages read at most per unit (a guard against a server that ignores paging).
MAX_PAGES = 100
CACHE_DIR = ".survey-cache/sync"


class SyncError(Exception):
    """An answer that cannot be read; ``str(exc)`` names where and what."""


class SyncOffline(SyncError):
    """A source could not be reached; ``str(exc)`` is one line for the user."""


@dataclass
class Candidate:
    """One paper as a source lists it on one day."""

    source: str  # "hf" or "arxiv"
    day: str  # YYYY-MM-DD the source listed it
    arxiv_id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # YYYY-MM-DD of the first arXiv version
    upvotes: int | None = None
    organisation: str | None = None
    code: str | None = None
    project: str | None = None
    primary_class: str | None = None
    category: str | None = None  # arXiv listing the paper was found in
    #: values the source gave that cannot be kept: [field, value, why] (reported by ingest)
    dropped: list[list[Any]] = field(default_factory=list)


# -- windows -------------------------------------------------------------------


def days_between(since: _dt.date, until: _dt.date) -> list[_dt.date]:
    return [since + _dt.timedelta(days=n) for n in range((until - since).days + 1)]


def hf_units(since: _dt.date, until: _dt.date) -> list[tuple[str, str, _dt.date]]:
    """The requests covering a window: ``(kind, value, last day)`` with kind
    ``month`` (YYYY-MM), ``week`` (YYYY-Www) or ``date`` (YYYY-MM-DD)."""
    units: list[tuple[str, str, _dt.date]] = []
    day = since
    while day <= until:
        next_month = (day.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
        month_end = next_month - _dt.timedelta(days=1)
        week_end = day + _dt.timedelta(days=6)
        if day.day == 1 and month_end <= until:
            units.append(("month", day.strftime("%Y-%m"), month_end))
            day = next_month
        elif day.isoweekday() == 1 and week_end <= until:
            year, week, _ = day.isocalendar()
            units.append(("week", f"{year}-W{week:02d}", week_end))
            day = week_end + _dt.timedelta(days=1)
        else:
            units.append(("date", day.isoformat(), day))
            day += _dt.timedelta(days=1)
    return units


# -- cache ---------------------------------------------------------------------


class UnitCache:
    """Candidates of finished units, one JSON file each (nothing in a dry run)."""

    def __init__(self, root: Path, enabled: bool):
        self.folder = root / CACHE_DIR
        self.enabled = enabled

    def _path(self, source: str, unit: str) -> Path:
        return self.folder / f"{source}-{unit.replace('/', '_')}.json"

    def get(self, source: str, unit: str) -> list[Candidate] | None:
        path = self._path(source, unit)
        if not self.enabled or not path.exists():
            return None
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [Candidate(**row) for row in rows]
        except (ValueError, TypeError, OSError):
            return None  # a damaged cache file is fetched again

    def put(self, source: str, unit: str, candidates: list[Candidate]) -> None:
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(source, unit)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(c) for c in candidates], sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, path)


# -- Hugging Face ----------------------------------------------------------------


def _http_url(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value:
        return value
    return None


def _kept_url(value: Any, name: str, dropped: list[list[Any]]) -> str | None:
    """An http(s) address, or None; anything else given is noted in ``dropped``."""
    url = _http_url(value)
    note = [f"{name} link", value if isinstance(value, str) else repr(value),
            "is not an http(s) address"]
    if url is None and value not in (None, "") and note not in dropped:
        dropped.append(note)
    return url


def _day(value: Any) -> str | None:
    return value.date().isoformat() if isinstance(value, _dt.datetime) else None


def _collapse(text: Any) -> str:
    return " ".join(text.split()) if isinstance(text, str) else ""


def hf_candidate(info: Any, fallback_day: str) -> Candidate:
    """Map one ``huggingface_hub`` ``PaperInfo`` to a candidate; ``ValueError`` says what is
    wrong with it."""
    try:
        arxiv_id = split_id(str(info.id or ""))[0]
    except ValueError:
        raise ValueError(f"'id' {info.id!r} is not an arXiv id") from None
    title = _collapse(info.title)
    if not title:
        raise ValueError("it has no title")
    if info.upvotes is not None and (isinstance(info.upvotes, bool)
                                     or not isinstance(info.upvotes, int)):
        raise ValueError(f"'upvotes' {info.upvotes!r} is not a number")
    if info.summary is not None and not isinstance(info.summary, str):
        raise ValueError("'summary' is not text")
    authors = []
    dropped: list[list[Any]] = []
    blank = 0
    for author in info.authors or []:
        name = getattr(author, "name", None)
        if not isinstance(name, str):
            raise ValueError("an author has no name")
        if name.strip():
            authors.append(_collapse(name))
        else:
            blank += 1
    if blank:
        dropped.append(["authors", f"{blank} blank name{'s' if blank > 1 else ''}",
                        "are not names (the list is kept without them)"])
    if info.published_at is not None and _day(info.published_at) is None:
        dropped.append(["published", str(info.published_at), "is not a date"])
    org = info.organization
    organisation = _collapse(getattr(org, "fullname", None) or getattr(org, "name", None))
    return Candidate(
        source="hf", day=_day(info.submitted_at) or fallback_day, arxiv_id=arxiv_id,
        title=title, abstract=_collapse(info.summary), authors=authors,
        published=_day(info.published_at), upvotes=info.upvotes,
        organisation=organisation or None, code=_kept_url(info.github_repo, "code", dropped),
        project=_kept_url(info.project_page, "project", dropped), dropped=dropped)


def _describe_failure(exc: Exception, where: str) -> SyncError:
    from huggingface_hub.errors import HfHubHTTPError

    names = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        return SyncOffline(f"the Hugging Face API answered HTTP {status} for {where}; "
                           "try again later")
    if isinstance(exc, OSError) or names & {"TransportError", "RequestError",
                                             "OfflineModeIsEnabled"}:
        from huggingface_hub import constants

        reason = " ".join(str(exc).split()) or type(exc).__name__
        return SyncOffline(f"cannot reach the Hugging Face API ({constants.ENDPOINT}): "
                           f"{reason}; check your network connection and try again")
    if isinstance(exc, ValueError):
        return SyncError(f"the Hugging Face API answer for {where} is not a JSON list of "
                         f"papers ({' '.join(str(exc).split())[:120]})")
    return SyncError(f"the Hugging Face API answer for {where} cannot be read: "
                     f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}")


def _hf_pages(api: Any, kind: str, value: str) -> Iterator[tuple[int, int, Any]]:
    """(page, entry number, PaperInfo) for every entry of one unit, page after page."""
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        where = f"{kind}={value} (page {page})"
        entries = iter(api.list_daily_papers(**{kind: value}, p=page, limit=HF_PAGE))
        count = fresh = 0
        while True:
            try:
                info = next(entries)
            except StopIteration:
                break
            except (TypeError, AttributeError, KeyError) as exc:
                raise SyncError(f"the Hugging Face API answer for {where}: entry {count + 1} "
                                f"is malformed ({' '.join(str(exc).split())[:120]})") from None
            except Exception as exc:
                raise _describe_failure(exc, where) from None
            count += 1
            key = str(getattr(info, "id", ""))
            fresh += key not in seen
            seen.add(key)
            yield page, count, info
        if count < HF_PAGE or not fresh:
            return


def fetch_hf(since: _dt.date, until: _dt.date, today: _dt.date, cache: UnitCache,
             progress: Progress | None = None, api: Any = None) -> list[Candidate]:
    """Every Daily Papers entry listed from ``since`` to ``until`` (inclusive)."""
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    units = hf_units(since, until)
    out: list[Candidate] = []
    for n, (kind, value, last) in enumerate(units, start=1):
        cached = cache.get("hf", value)
        if cached is None:
            cached = []
            for page, count, info in _hf_pages(api, kind, value):
                if progress and count % HF_PAGE == 0:
                    progress(n - 1, len(units), f"Daily Papers requests "
                             f"({len(out) + len(cached)} entries)")
                try:
                    cached.append(hf_candidate(info, value if kind == "date" else last.isoformat()))
                except ValueError as exc:
                    raise SyncError(f"the Hugging Face API answer for {kind}={value} (page "
                                    f"{page}): entry {count} ({getattr(info, 'id', '?')}) "
                                    f"{exc}") from None
            if last < today:
                cache.put("hf", value, cached)
        out.extend(c for c in cached if since.isoformat() <= c.day <= until.isoformat())
        if progress:
            progress(n, len(units), f"Daily Papers requests ({len(out)} entries)")
    return out


def hf_links(api: Any = None) -> Callable[[Candidate], None]:
    """A completer filling a Daily Papers candidate's code and project links from
    ``HfApi.paper_info`` (the daily listing's ``PaperInfo`` leaves out the links the API
    nests under ``paper``).  Called only for papers about to be proposed; a paper the Hub
    does not know (HTTP 404) keeps its links as they are."""
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()

    def complete(c: Candidate) -> None:
        if c.source != "hf" or (c.code and c.project):
            return
        from huggingface_hub.errors import HfHubHTTPError

        try:
            info = api.paper_info(c.arxiv_id)
        except HfHubHTTPError as exc:
            if getattr(getattr(exc, "response", None), "status_code", None) == 404:
                return
            raise _describe_failure(exc, f"paper {c.arxiv_id}") from None
        except Exception as exc:
            raise _describe_failure(exc, f"paper {c.arxiv_id}") from None
        c.code = c.code or _kept_url(getattr(info, "github_repo", None), "code", c.dropped)
        c.project = c.project or _kept_url(getattr(info, "project_page", None), "project",
                                           c.dropped)

    return complete


# -- arXiv -------------------------------------------------------------------------


def arxiv_query(categories: list[str], day: _dt.date, terms: list[str]) -> str:
    """The ``search_query`` for one day's submissions in the categories."""
    stamp = day.strftime("%Y%m%d")
    cats = " OR ".join(f"cat:{c}" for c in categories)
    query = f"({cats}) AND submittedDate:[{stamp}0000 TO {stamp}2359]"
    if terms:
        words = " OR ".join(f'ti:"{t}" OR abs:"{t}"' for t in terms)
        query += f" AND ({words})"
    return query


def fetch_arxiv(since: _dt.date, until: _dt.date, today: _dt.date, categories: list[str],
                terms: list[str], cache: UnitCache, progress: Progress | None = None,
                client: ArxivClient | None = None) -> list[Candidate]:
    """New submissions in the categories, day by day, from ``since`` to ``until``."""
    if client is None:
        from survey_core.importers.newrecord import arxiv_client

        client = arxiv_client()
    days = days_between(since, until)
    out: list[Candidate] = []
    wanted = set(categories)
    for n, day in enumerate(days, start=1):
        unit = day.isoformat()
        cached = cache.get("arxiv", unit)
        if cached is None:
            cached = []
            query = arxiv_query(categories, day, terms)
            for page in range(MAX_PAGES):
                params = {"search_query": query, "sortBy": "submittedDate",
                          "sortOrder": "ascending", "start": str(page * ARXIV_PAGE),
                          "max_results": str(ARXIV_PAGE)}
                try:
                    entries = parse_feed(client.get(client.url_for(params)))
                except ArxivOffline as exc:
                    raise SyncOffline(str(exc)) from None
                except ArxivError as exc:
                    raise SyncError(f"arXiv listing of {unit} (page {page}): {exc}") from None
                for entry in entries:
                    listed = next((c for c in entry.categories if c in wanted),
                                  entry.primary_class)
                    cached.append(Candidate(
                        source="arxiv", day=unit, arxiv_id=entry.arxiv_id, title=entry.title,
                        abstract=entry.abstract, authors=list(entry.authors),
                        published=entry.published or None, primary_class=entry.primary_class,
                        category=listed))
                if len(entries) < ARXIV_PAGE:
                    break
            if day < today:
                cache.put("arxiv", unit, cached)
        out.extend(cached)
        if progress:
            progress(n, len(days), f"arXiv listing days ({len(out)} entries)")
    return out
