"""Tests of the arXiv API client (offline: a recorded response through a fake transport)."""

from __future__ import annotations

import http.server
import socket
import threading
import urllib.error
import urllib.parse
from pathlib import Path

import pytest

from survey_core.importers.arxiv import (
    API_URL,
    ArxivClient,
    ArxivError,
    ArxivOffline,
    normalise_id,
    normalise_title,
    parse_feed,
    split_id,
)

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv-api" / "id_list-1111.2011v2.xml"

EMPTY_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/x</id>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>
"""

ERROR_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://arxiv.org/api/abc</id>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.1234v</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.1234v</summary>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
"""


class FakeTransport:
    """Returns canned text and records the URLs it was asked for."""

    def __init__(self, text: str | None = None, error: BaseException | None = None):
        self.text = text
        self.error = error
        self.urls: list[str] = []

    def __call__(self, url: str) -> str:
        self.urls.append(url)
        if self.error is not None:
            raise self.error
        assert self.text is not None
        return self.text


class FakeClock:
    def __init__(self, start: float = 1000.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fixture_client() -> tuple[ArxivClient, FakeTransport]:
    transport = FakeTransport(FIXTURE.read_text(encoding="utf-8"))
    clock = FakeClock()
    return ArxivClient(transport=transport, clock=clock, sleep=clock.sleep), transport


def query_of(url: str) -> dict[str, list[str]]:
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == API_URL
    return urllib.parse.parse_qs(parts.query)


# -- the recorded response, through the client -------------------------------------


def test_by_ids_parses_recorded_response():
    client, transport = fixture_client()
    entries = client.by_ids(["1111.2011v2"])

    assert len(entries) == 1
    e = entries[0]
    assert e.arxiv_id == "1111.2011"
    assert e.version == "v2"
    assert e.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large "
        "Connectivity Limit"
    )
    assert e.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert e.doi == "10.1103/PhysRevB.85.115117"
    assert e.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert e.comment == "8 pages, 3 figures. Published version"
    assert e.primary_class == "cond-mat.str-el"
    assert e.categories == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert e.published == "2011-11-08"
    assert (e.year, e.month) == (2011, 11)
    assert e.abstract.startswith("Theoretical description of anisotropic systems, such as layered "
                                 "superconductors")
    assert e.abstract.endswith("describing a single node.")
    assert "\n" not in e.abstract and "  " not in e.abstract
    assert e.abs_url == "http://arxiv.org/abs/1111.2011v2"
    assert e.pdf_url == "http://arxiv.org/pdf/1111.2011v2"

    # The request the client made.
    assert len(transport.urls) == 1
    url = transport.urls[0]
    assert url.startswith(API_URL + "?")
    assert "id_list=1111.2011v2" in url
    assert query_of(url) == {"id_list": ["1111.2011v2"], "start": ["0"], "max_results": ["1"]}


def test_by_ids_batches_at_most_50_and_dedupes():
    transport = FakeTransport(EMPTY_FEED)
    clock = FakeClock()
    client = ArxivClient(transport=transport, clock=clock, sleep=clock.sleep)
    ids = [f"2401.{n:05d}" for n in range(120)] + ["arXiv:2401.00000"]
    assert client.by_ids(ids) == []
    batches = [query_of(u)["id_list"][0].split(",") for u in transport.urls]
    assert [len(b) for b in batches] == [50, 50, 20]
    assert [query_of(u)["max_results"] for u in transport.urls] == [["50"], ["50"], ["20"]]
    assert [i for b in batches for i in b] == [f"2401.{n:05d}" for n in range(120)]
    assert client.requests == transport.urls


def test_search_title_query_is_url_encoded():
    client, transport = fixture_client()
    client.search_title('Attention Is "All" You Need: Schrödinger & co.', max_results=3)
    url = transport.urls[0]
    assert "search_query=ti:%22Attention%20Is%20All%20You%20Need%20Schrodinger%20co%22" in url
    assert " " not in url and '"' not in url and "&co" not in url
    assert query_of(url) == {
        "search_query": ['ti:"Attention Is All You Need Schrodinger co"'],
        "start": ["0"],
        "max_results": ["3"],
    }


def test_search_title_without_words_makes_no_request():
    client, transport = fixture_client()
    assert client.search_title(" -- : ") == []
    assert transport.urls == []


# -- rate limit ----------------------------------------------------------------------


def test_rate_limit_sleeps_for_the_remaining_interval():
    transport = FakeTransport(EMPTY_FEED)
    clock = FakeClock()
    client = ArxivClient(transport=transport, min_interval=3.0, clock=clock, sleep=clock.sleep)
    client.by_ids(["1111.2011"])
    assert clock.sleeps == []  # the first request does not wait
    clock.now += 1.25
    client.search_title("a title")
    assert clock.sleeps == [pytest.approx(1.75)]
    clock.now += 10
    client.search_title("another title")
    assert clock.sleeps == [pytest.approx(1.75)]  # enough time had passed already
    assert len(transport.urls) == 3


def test_rate_limit_counts_failed_requests():
    transport = FakeTransport(error=urllib.error.URLError("down"))
    clock = FakeClock()
    client = ArxivClient(transport=transport, clock=clock, sleep=clock.sleep)
    with pytest.raises(ArxivOffline):
        client.by_ids(["1111.2011"])
    transport.error = None
    transport.text = EMPTY_FEED
    client.by_ids(["1111.2011"])
    assert clock.sleeps == [pytest.approx(3.0)]


# -- failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
         "Name or service not known"),
        (urllib.error.URLError(TimeoutError("timed out")), "timed out"),
        (TimeoutError("timed out"), "timed out"),
        (ConnectionResetError(104, "Connection reset by peer"), "Connection reset by peer"),
        (urllib.error.HTTPError(API_URL, 503, "Service Unavailable", {}, None),  # type: ignore[arg-type]
         "HTTP 503 Service Unavailable"),
    ],
)
def test_network_failures_raise_arxiv_offline(error, reason):
    client = ArxivClient(transport=FakeTransport(error=error), sleep=lambda s: None)
    with pytest.raises(ArxivOffline) as info:
        client.by_ids(["1111.2011"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("cannot reach the arXiv API (export.arxiv.org): ")
    assert message.endswith("; check your network connection and try again")
    assert reason in message
    assert isinstance(info.value, ArxivError)


def test_error_entry_raises_arxiv_error():
    client = ArxivClient(transport=FakeTransport(ERROR_FEED), sleep=lambda s: None)
    with pytest.raises(ArxivError, match="incorrect id format for 1234.1234v") as info:
        client.by_ids(["1234.1234"])
    assert not isinstance(info.value, ArxivOffline)


def test_empty_feed_and_bad_documents():
    assert parse_feed(EMPTY_FEED) == []
    with pytest.raises(ArxivError, match="not XML"):
        parse_feed("<html><body>Service down")
    with pytest.raises(ArxivError, match="unexpected document"):
        parse_feed("<html><body>down</body></html>")


def test_old_style_id_takes_date_from_published():
    text = FIXTURE.read_text(encoding="utf-8").replace("1111.2011v2", "hep-th/9901001v1")
    (entry,) = parse_feed(text)
    assert (entry.arxiv_id, entry.version) == ("hep-th/9901001", "v1")
    assert (entry.year, entry.month) == (2011, 11)  # from <published>


def test_new_style_id_gives_year_and_month():
    text = FIXTURE.read_text(encoding="utf-8").replace("1111.2011v2", "2401.01234v3")
    (entry,) = parse_feed(text)
    assert (entry.arxiv_id, entry.version, entry.year, entry.month) == ("2401.01234", "v3", 2024, 1)


# -- ids and titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1111.2011", ("1111.2011", None)),
        ("1111.2011v2", ("1111.2011", "v2")),
        ("arXiv:2401.01234", ("2401.01234", None)),
        ("https://arxiv.org/abs/2401.01234v1", ("2401.01234", "v1")),
        ("http://arxiv.org/pdf/2401.01234v1.pdf", ("2401.01234", "v1")),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("math.GT/0309136v2", ("math.GT/0309136", "v2")),
    ],
)
def test_split_id(text, expected):
    assert split_id(text) == expected


@pytest.mark.parametrize("text", ["", "1234", "2401.012", "not an id", "2401.01234v"])
def test_split_id_rejects(text):
    with pytest.raises(ValueError):
        normalise_id(text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Attention Is All You Need", "attention is all you need"),
        ("Large-Scale  Language\nModels", "large scale language models"),
        ("Schrödinger’s Cat: A Study", "schrodingers cat a study"),
        ("Don't Stop Pretraining", "Dont stop pretraining"),
        ("Eﬃcient “Transformers” — A Survey", "efficient transformers a survey"),
        ("STRASSE", "straße"),
        ("LLaMA 2: Open Foundation", "llama 2 open foundation"),
    ],
)
def test_normalise_title_equal(a, b):
    assert normalise_title(a) == normalise_title(b)


def test_normalise_title_values():
    assert normalise_title("  GPT-4 Technical Report. ") == "gpt 4 technical report"
    assert normalise_title("Café\u00adSoft") == "cafesoft"
    assert normalise_title("!!!") == ""
    assert normalise_title("Scaling Laws") != normalise_title("Scaling Law")


def test_normalise_title_ascii_follows_the_unicode_steps():
    """ASCII titles take a shortcut; it gives what the documented steps give, for
    every ASCII character alone, between letters, and in random strings."""
    import random
    import unicodedata

    def steps(title: str) -> str:
        text = unicodedata.normalize("NFKD", title).casefold()
        out = []
        for c in text:
            if unicodedata.combining(c) or c in "'`":
                continue
            cat = unicodedata.category(c)
            out.append(" " if cat[0] in "PS" or cat == "Cc" or c.isspace() else c)
        return " ".join("".join(out).split())

    rng = random.Random(7)
    samples = [chr(i) for i in range(128)] + [f"a{chr(i)}B" for i in range(128)]
    samples += ["".join(chr(rng.randrange(128)) for _ in range(rng.randint(0, 30)))
                for _ in range(3000)]
    for title in samples:
        assert normalise_title.__wrapped__(title) == steps(title), repr(title)


# -- the default (urllib) transport, against a local server ----------------------------


@pytest.fixture
def local_api():
    """A local stand-in for export.arxiv.org; ``responses`` maps a path to (status, body)."""
    seen: list[dict[str, str]] = []
    responses: dict[str, tuple[int, str]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            seen.append({"path": self.path, "user-agent": self.headers.get("User-Agent", "")})
            status, body = responses.get(self.path.split("?")[0], (404, "not found"))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", responses, seen
    finally:
        server.shutdown()
        server.server_close()


def test_default_transport(local_api):
    base, responses, seen = local_api
    responses["/ok"] = (200, FIXTURE.read_text(encoding="utf-8"))
    responses["/bad"] = (400, ERROR_FEED)
    responses["/down"] = (503, "<html>busy</html>")

    client = ArxivClient(min_interval=0, base_url=base + "/ok")
    (entry,) = client.by_ids(["1111.2011v2"])
    assert entry.arxiv_id == "1111.2011"
    assert seen[0]["user-agent"].startswith("mkdocs-survey/")
    assert "id_list=1111.2011v2" in seen[0]["path"]

    with pytest.raises(ArxivError, match="incorrect id format") as info:
        ArxivClient(min_interval=0, base_url=base + "/bad").by_ids(["1234.1234"])
    assert not isinstance(info.value, ArxivOffline)

    with pytest.raises(ArxivOffline, match=r"\(127\.0\.0\.1:\d+\): HTTP 503 Service Unavailable;"):
        ArxivClient(min_interval=0, base_url=base + "/down").by_ids(["1234.1234"])


def test_default_transport_connection_refused():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ArxivClient(min_interval=0, base_url=f"http://127.0.0.1:{port}/api/query")
    with pytest.raises(ArxivOffline, match="Connection refused; check your network") as info:
        client.search_title("attention")
    assert "\n" not in str(info.value)
