"""Tests of ``survey enrich`` logic: fill-only-empty merge, title matching, state, offline."""

from __future__ import annotations

import copy
import json
import urllib.error
from pathlib import Path

import pytest

from survey_core.importers.arxiv import ArxivClient, ArxivEntry, ArxivOffline, parse_feed
from survey_core.importers.enrich import (
    CONFLICT,
    NO_MATCH,
    NOT_FOUND,
    UNCHANGED,
    UPDATED,
    Change,
    apply_arxiv_entry,
    enrich_papers,
    needs_lookup,
    replay,
)
from survey_core.model.model import Paper

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv-api" / "id_list-1111.2011v2.xml"
FEED = FIXTURE.read_text(encoding="utf-8")
TITLE = (
    "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
)
AUTHORS = ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
LABEL = "arxiv-api 2026-01-31"
EMPTY_FEED = '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id></feed>'


def feed_for(arxiv_id: str, title: str = TITLE) -> str:
    """The recorded response, rewritten to describe another id/title."""
    return FEED.replace("1111.2011", arxiv_id).replace(
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large\n"
        "  Connectivity Limit",
        title,
    )


class Transport:
    """Answers by URL: ``routes`` maps a substring of the URL to a response."""

    def __init__(self, routes: dict[str, str] | None = None, default: str = EMPTY_FEED):
        self.routes = routes or {}
        self.default = default
        self.urls: list[str] = []
        self.fail_after: int | None = None

    def __call__(self, url: str) -> str:
        if self.fail_after is not None and len(self.urls) >= self.fail_after:
            raise urllib.error.URLError(OSError(101, "Network is unreachable"))
        self.urls.append(url)
        for key, text in self.routes.items():
            if key in url:
                return text
        return self.default


def make_client(transport: Transport) -> ArxivClient:
    return ArxivClient(transport=transport, min_interval=0.0, sleep=lambda s: None)


def paper(pid: str, title: str = TITLE, **fields) -> Paper:
    return Paper(id=pid, key=pid.replace("-", ""), title=title, topics=["x"], **fields)


def the_entry() -> ArxivEntry:
    (entry,) = parse_feed(FEED)
    return entry


# -- the merge -------------------------------------------------------------------------


def test_apply_fills_empty_fields_with_provenance():
    p = paper("quantum-criticality")
    changes = apply_arxiv_entry(p, the_entry(), LABEL)
    assert p.arxiv_id == "1111.2011"
    assert p.authors == AUTHORS and p.authors_complete is True
    assert (p.year, p.month) == (2011, 11)
    assert p.primary_class == "cond-mat.str-el"
    assert p.abstract.startswith("Theoretical description")
    assert p.links == {
        "arxiv": "https://arxiv.org/abs/1111.2011",
        "pdf": "https://arxiv.org/pdf/1111.2011",
    }
    assert p.provenance == {g: LABEL for g in ("arxiv", "authors", "year", "abstract", "links")}
    fields = [c.field for c in changes]
    assert fields[:9] == ["arxiv_id", "authors", "authors_complete", "year", "month",
                          "primary_class", "abstract", "links.arxiv", "links.pdf"]
    assert Change("year", None, 2011) in changes
    assert "provenance.links" in fields


def test_replay_fills_the_record_as_it_is_when_written():
    """What a lookup found is laid onto the record as it is at write time: a value a
    curator (or an ingest) set meanwhile stays, and so does its provenance."""
    looked_up = paper("quantum-criticality")
    changes = apply_arxiv_entry(looked_up, the_entry(), LABEL)
    now = paper("quantum-criticality", abstract="Written by hand meanwhile.",
                links={"pdf": "https://example.org/q.pdf"},
                provenance={"abstract": "a curator"})
    assert replay(now, changes) is True
    assert now.abstract == "Written by hand meanwhile."
    assert now.provenance["abstract"] == "a curator"
    assert now.links == {"pdf": "https://example.org/q.pdf",
                         "arxiv": "https://arxiv.org/abs/1111.2011"}
    assert now.authors == AUTHORS and now.authors_complete is True
    assert (now.year, now.month, now.arxiv_id) == (2011, 11, "1111.2011")
    assert {now.provenance[g] for g in ("arxiv", "authors", "year", "links")} == {LABEL}
    # replayed again (a second run found the same): nothing left to fill
    assert replay(now, changes) is False


def test_apply_never_overwrites_curator_values():
    p = paper(
        "quantum-criticality",
        authors=["J. Murray", "et al."],
        year=2012,
        abstract="A curator's abstract.",
        links={"arxiv": "https://arxiv.org/abs/1111.2011v1"},
        provenance={"authors": "curator", "year": "curator"},
    )
    before = copy.deepcopy(p)
    changes = apply_arxiv_entry(p, the_entry(), LABEL)
    assert p.authors == before.authors and p.authors_complete is False
    assert p.year == 2012
    assert p.month is None  # arXiv's month belongs to 2011, not to the curator's 2012
    assert p.abstract == "A curator's abstract."
    assert p.links["arxiv"] == "https://arxiv.org/abs/1111.2011v1"
    assert p.links["pdf"] == "https://arxiv.org/pdf/1111.2011"
    assert p.provenance["authors"] == "curator" and p.provenance["year"] == "curator"
    assert p.provenance["arxiv"] == LABEL and p.provenance["links"] == LABEL
    assert {c.field for c in changes} == {
        "arxiv_id", "primary_class", "links.pdf", "provenance.arxiv", "provenance.links",
    }


def test_apply_refuses_another_papers_id():
    p = paper("other", arxiv_id="2401.01234")
    with pytest.raises(ValueError, match="2401.01234"):
        apply_arxiv_entry(p, the_entry(), LABEL)


def test_needs_lookup():
    assert needs_lookup(paper("a")) == "title"
    assert needs_lookup(paper("b", arxiv_id="1111.2011")) == "id"
    full = paper("c", arxiv_id="1111.2011", authors=["A"], year=2011, month=11,
                 primary_class="cs.CL", abstract="x")
    assert needs_lookup(full) is None


# -- enrich_papers -------------------------------------------------------------------


def test_enrich_by_id_and_by_title(tmp_path):
    transport = Transport({
        "id_list=1111.2011": FEED,
        "search_query=ti:": feed_for("2401.01234", "Scaling Laws: for Neural-Language Models"),
    })
    by_id = paper("by-id", arxiv_id="1111.2011", year=2010)
    by_title = paper("scaling-laws", title="Scaling laws for neural language models")
    done = paper("complete", arxiv_id="2001.00001", authors=["A"], year=2020, month=1,
                 primary_class="cs.CL", abstract="x")
    seen: list[tuple[int, int, str]] = []
    result = enrich_papers([by_id, by_title, done], make_client(transport), dry_run=False,
                           state_path=tmp_path / "state.json", progress=lambda *a: seen.append(a),
                           source_label=LABEL)
    assert result.complete and result.up_to_date == 1
    assert [(o.id, o.lookup, o.status) for o in result.outcomes] == [
        ("by-id", "id", UPDATED), ("scaling-laws", "title", UPDATED)]
    assert by_id.year == 2010 and by_id.authors == AUTHORS  # curator's year kept
    assert by_title.arxiv_id == "2401.01234"
    assert by_title.title == "Scaling laws for neural language models"  # title untouched
    assert by_title.links["arxiv"] == "https://arxiv.org/abs/2401.01234"
    assert by_title.provenance["arxiv"] == LABEL
    assert result.changed_papers == [by_id, by_title]
    assert seen == [(1, 2, "by-id"), (2, 2, "scaling-laws")]
    assert len(transport.urls) == 2
    assert any("by-id" in line for line in result.report_lines())


def test_title_mismatch_is_rejected(tmp_path):
    transport = Transport({"search_query": FEED})  # answers with a different paper
    p = paper("criticality", title="Quantum Criticality for Extended Nodes on a Bethe Lattice")
    before = copy.deepcopy(p)
    result = enrich_papers([p], make_client(transport), dry_run=False,
                           state_path=tmp_path / "state.json")
    (outcome,) = result.outcomes
    assert outcome.status == NO_MATCH and outcome.changes == []
    assert "closest arXiv title" in outcome.note
    assert p == before
    assert not result.changed


def test_title_match_ignores_case_punctuation_and_accents(tmp_path):
    transport = Transport({"search_query": FEED})
    p = paper("criticality", title="Quantum criticality for extended nodes on a Bethe "
                                   "lattice in the large-connectivity limit.")
    result = enrich_papers([p], make_client(transport), dry_run=False, state_path=None)
    assert result.outcomes[0].status == UPDATED
    assert p.arxiv_id == "1111.2011"


def test_title_match_on_an_id_another_record_has_is_a_conflict():
    transport = Transport({"search_query": FEED})
    owner = paper("owner", title="Something else", arxiv_id="1111.2011", authors=["A"],
                  year=2011, month=11, primary_class="x", abstract="x")
    dup = paper("duplicate")
    result = enrich_papers([owner, dup], make_client(transport), dry_run=False, state_path=None)
    assert [o.status for o in result.outcomes] == [CONFLICT]
    assert dup.arxiv_id is None


def test_unknown_id_is_not_found(tmp_path):
    transport = Transport()
    p = paper("ghost", arxiv_id="2401.99999")
    result = enrich_papers([p], make_client(transport), dry_run=False, state_path=None)
    assert result.outcomes[0].status == NOT_FOUND
    assert p.authors == []


def test_nothing_new_is_unchanged():
    # Only the abstract is missing, and arXiv has none to offer.
    no_summary = FEED[: FEED.index("<summary>")] + "<summary></summary>" + FEED[
        FEED.index("</summary>") + len("</summary>"):]
    transport = Transport({"id_list": no_summary})
    p = paper("x", arxiv_id="1111.2011", authors=["Me"], year=2011, month=3,
              primary_class="cs.CL", links={"arxiv": "https://a.b/c", "pdf": "https://a.b/d"})
    before = copy.deepcopy(p)
    result = enrich_papers([p], make_client(transport), dry_run=False, state_path=None)
    assert [(o.status, o.changes) for o in result.outcomes] == [(UNCHANGED, [])]
    assert p == before  # the curator's month 3 is kept although arXiv says 11


def test_batches_ids_by_50():
    transport = Transport()
    papers = [paper(f"p{n}", arxiv_id=f"2401.{n:05d}") for n in range(60)]
    result = enrich_papers(papers, make_client(transport), dry_run=True, state_path=None)
    assert len(transport.urls) == 2
    assert [o.status for o in result.outcomes] == [NOT_FOUND] * 60


def test_dry_run_changes_nothing_and_writes_no_state(tmp_path):
    state = tmp_path / "cache" / "enrich-state.json"
    transport = Transport({"id_list": FEED, "search_query": FEED})
    papers = [paper("by-id", arxiv_id="1111.2011"), paper("by-title")]
    before = copy.deepcopy(papers)
    result = enrich_papers(papers, make_client(transport), dry_run=True, state_path=state)
    assert papers == before  # the objects passed in are untouched
    assert not state.exists() and not state.parent.exists()
    assert result.dry_run
    assert [o.status for o in result.outcomes] == [UPDATED, CONFLICT]
    first = result.outcomes[0]
    assert first.paper is not papers[0] and first.paper.authors == AUTHORS
    assert Change("authors", [], AUTHORS) in first.changes
    assert result.report_lines()[-1].startswith("would update 1 of 2 papers looked up")


def test_state_file_resumes_and_restart_clears(tmp_path):
    state = tmp_path / "enrich-state.json"
    transport = Transport({"id_list": FEED})
    a = paper("a", arxiv_id="1111.2011")
    b = paper("b", title="Not on arXiv at all")
    enrich_papers([a, b], make_client(transport), dry_run=False, state_path=state)
    assert json.loads(state.read_text())["done"] == ["a", "b"]

    # A rerun skips both (b still has no arxiv_id, but was looked up already).
    transport.urls.clear()
    c = paper("c", title="A new paper")
    result = enrich_papers([a, b, c], make_client(transport), dry_run=False, state_path=state)
    assert result.skipped == ["b"] and [o.id for o in result.outcomes] == ["c"]
    assert len(transport.urls) == 1
    assert json.loads(state.read_text())["done"] == ["a", "b", "c"]

    # --restart forgets the state.
    transport.urls.clear()
    result = enrich_papers([a, b, c], make_client(transport), dry_run=False, state_path=state,
                           restart=True)
    assert result.skipped == [] and [o.id for o in result.outcomes] == ["b", "c"]
    assert json.loads(state.read_text())["done"] == ["b", "c"]


def test_offline_stops_keeps_work_and_reraises(tmp_path):
    state = tmp_path / "enrich-state.json"
    transport = Transport({"id_list": FEED, "search_query": feed_for("2401.01234", "First")})
    transport.fail_after = 2  # the third request fails
    a = paper("a", arxiv_id="1111.2011")
    b = paper("b", title="First")
    c = paper("c", title="Second")
    d = paper("d", title="Third")
    with pytest.raises(ArxivOffline) as info:
        enrich_papers([a, b, c, d], make_client(transport), dry_run=False, state_path=state)
    message = str(info.value)
    assert message == (
        "cannot reach the arXiv API (export.arxiv.org): [Errno 101] Network is unreachable; "
        "check your network connection and try again"
    )
    partial = info.value.result  # type: ignore[attr-defined]
    assert not partial.complete
    assert [o.id for o in partial.outcomes] == ["a", "b"]
    assert a.authors == AUTHORS and b.arxiv_id == "2401.01234"  # kept: caller writes them
    assert json.loads(state.read_text())["done"] == ["a", "b"]
    assert "stopped after 2 of 4" in partial.report_lines()[-1]

    # Back online: the rerun does only c and d.
    transport.fail_after = None
    transport.urls.clear()
    result = enrich_papers([a, b, c, d], make_client(transport), dry_run=False, state_path=state)
    assert [o.id for o in result.outcomes] == ["c", "d"] and result.complete
    assert result.skipped == [] and result.up_to_date == 2  # a and b are complete now
    assert len(transport.urls) == 2
