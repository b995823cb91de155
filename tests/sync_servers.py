"""Local stand-ins for the Hugging Face Daily Papers API and the arXiv API, serving the
recorded fixtures over HTTP so that ``huggingface_hub`` and the arXiv client run their
real code paths (``HF_ENDPOINT`` and ``SURVEY_ARXIV_API`` point at them)."""

from __future__ import annotations

import contextlib
import copy
import datetime
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HF_DAY = "2025-11-03"
HF_FIXTURE = FIXTURES / "hf-api" / f"daily_papers-{HF_DAY}.json"
ARXIV_FIXTURE = FIXTURES / "arxiv-api" / "id_list-1111.2011v2.xml"
IN_SCOPE = ["2402.17764", "2404.00456", "2410.20771", "2505.09738", "2510.21909"]
OUT_OF_SCOPE = ["2306.00374", "2310.12973", "2410.16257"]

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


def hf_entries() -> list[dict]:
    return json.loads(HF_FIXTURE.read_text(encoding="utf-8"))


class Answer:
    """What a server sends for one request: (status, content type, body)."""

    def __init__(self, status: int, body: bytes, kind: str = "application/json"):
        self.status, self.body, self.kind = status, body, kind


Route = Callable[[dict[str, str]], Answer]


@contextlib.contextmanager
def serve(routes: dict[str, Route]) -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    """An HTTP server on 127.0.0.1 answering GET requests through ``routes`` (by path; a
    key ending in ``/`` takes every path below it, the rest of the path as ``query["id"]``)
    and 404 for anything else; yields its base URL and the (path, query) pairs it was asked,
    in order."""
    asked: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query))
            route = routes.get(url.path)
            for prefix, candidate in routes.items():
                if route is None and prefix.endswith("/") and url.path.startswith(prefix):
                    route, query["id"] = candidate, url.path[len(prefix):]
            if route is None:
                self.send_error(404)
                return
            asked.append((url.path, query))
            answer = route(query)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.kind)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def asked_for(asked: list[tuple[str, dict[str, str]]], path: str) -> list[dict[str, str]]:
    """The queries of the requests for ``path`` (or below it, for a path ending in ``/``)."""
    return [query for got, query in asked
            if got == path or (path.endswith("/") and got.startswith(path))]


def daily_papers(days: dict[str, list[dict]], broken: set[str] = frozenset()) -> Route:
    """Daily Papers by ``date=``, ``week=`` or ``month=``, paged by ``p``/``limit`` as the
    Hub does; requests covering a day in ``broken`` answer HTTP 500."""

    def in_unit(day: str, query: dict[str, str]) -> bool:
        if "month" in query:
            return day.startswith(query["month"] + "-")
        if "week" in query:
            year, week, _ = datetime.date.fromisoformat(day).isocalendar()
            return query["week"] == f"{year}-W{week:02d}"
        return day == query.get("date")

    def route(query: dict[str, str]) -> Answer:
        if any(in_unit(day, query) for day in broken):
            return Answer(500, b'{"error": "internal error"}')
        rows = [row for day in sorted(days) if in_unit(day, query) for row in days[day]]
        page, limit = int(query.get("p", 0)), int(query.get("limit", 50))
        return Answer(200, json.dumps(rows[page * limit:(page + 1) * limit]).encode())

    return route


def paper_pages(rows: list[dict]) -> Route:
    """``/api/papers/<id>`` as the Hub answers it: the paper's facts at the top level
    (with ``githubRepo``); 404 for a paper it does not know."""
    papers = {row["paper"]["id"]: row for row in rows}

    def route(query: dict[str, str]) -> Answer:
        row = papers.get(query.get("id", ""))
        if row is None:
            return Answer(404, b'{"error": "Paper not found"}')
        page = dict(row["paper"])
        if row.get("projectPage"):
            page["projectPage"] = row["projectPage"]
        return Answer(200, json.dumps(page).encode())

    return route


def hub(days: dict[str, list[dict]], broken: set[str] = frozenset()) -> dict[str, Route]:
    """The routes of the Hub's API a sync uses: Daily Papers and paper pages."""
    return {"/api/daily_papers": daily_papers(days, broken),
            "/api/papers/": paper_pages([row for rows in days.values() for row in rows])}


def listing_feed(papers: list[dict], category: str = "cs.CL") -> str:
    """An arXiv API answer listing ``papers`` (HF fixture entries), built on the recorded
    response: its feed header and its entry as the template of each entry."""
    for prefix, uri in (("", ATOM), ("arxiv", ARXIV), ("opensearch", OPENSEARCH)):
        ET.register_namespace(prefix, uri)
    feed = ET.fromstring(ARXIV_FIXTURE.read_text(encoding="utf-8"))
    template = feed.find(f"{{{ATOM}}}entry")
    feed.remove(template)
    feed.find(f"{{{OPENSEARCH}}}totalResults").text = str(len(papers))
    for row in papers:
        paper = row["paper"]
        entry = copy.deepcopy(template)
        arxiv_id = paper["id"]
        entry.find(f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{arxiv_id}v1"
        entry.find(f"{{{ATOM}}}published").text = paper["publishedAt"][:19] + "Z"
        entry.find(f"{{{ATOM}}}title").text = paper["title"]
        entry.find(f"{{{ATOM}}}summary").text = paper["summary"]
        for node in entry.findall(f"{{{ATOM}}}author") + [
                entry.find(f"{{{ARXIV}}}{name}") for name in ("doi", "comment", "journal_ref")]:
            entry.remove(node)
        for n, author in enumerate(paper["authors"]):
            node = ET.Element(f"{{{ATOM}}}author")
            ET.SubElement(node, f"{{{ATOM}}}name").text = author["name"]
            entry.insert(4 + n, node)
        for link in entry.findall(f"{{{ATOM}}}link"):
            if link.get("title") == "doi":
                entry.remove(link)
            elif link.get("title") == "pdf":
                link.set("href", f"http://arxiv.org/pdf/{arxiv_id}v1")
            else:
                link.set("href", f"http://arxiv.org/abs/{arxiv_id}v1")
        entry.find(f"{{{ARXIV}}}primary_category").set("term", category)
        categories = entry.findall(f"{{{ATOM}}}category")
        categories[0].set("term", category)
        categories[1].set("term", "cs.AI")
        feed.append(entry)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)


def arxiv_listing(days: dict[str, list[dict]]) -> Route:
    """The arXiv API answering a ``submittedDate:[DAY0000 TO DAY2359]`` search with the
    papers of that day, paged by ``start``/``max_results``."""

    def route(query: dict[str, str]) -> Answer:
        m = re.search(r"submittedDate:\[(\d{4})(\d{2})(\d{2})0000 TO",
                      query.get("search_query", ""))
        day = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""
        start, size = int(query.get("start", 0)), int(query.get("max_results", 10))
        rows = days.get(day, [])[start:start + size]
        return Answer(200, listing_feed(rows).encode(), "application/atom+xml")

    return route
