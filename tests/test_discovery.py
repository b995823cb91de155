"""Discovery: related papers, feeds, charts, scholar tags, index data, and the
discovery part of the ``survey`` plugin in a real build."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from survey_core.model.catalog import load_catalog, newest_first
from survey_core.model.model import Paper
from survey_core.site import charts, discovery, feed, papers_index, related, scholar, search_index

REPO = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"

TOPICS = [
    ("Speculative decoding with draft models", "We accelerate autoregressive decoding of "
     "large language models by drafting tokens with a small model and verifying them."),
    ("Quantization of weights to four bits", "Post-training quantization compresses weights "
     "to low precision integers with outlier handling and calibration data."),
    ("Structured pruning of transformer layers", "We remove attention heads and whole layers, "
     "then recover accuracy with light finetuning on instruction data."),
    ("Retrieval augmented generation for question answering", "A retriever fetches passages "
     "from a corpus and the reader conditions generation on them for open-domain QA."),
    ("Tokenizer vocabulary size and byte pair encoding", "We study how the number of merges "
     "in BPE affects compression of text and downstream accuracy across languages."),
    ("Mixture of experts routing", "Sparse expert layers route each token to a few experts; "
     "load balancing losses keep experts busy during pretraining."),
    ("Scaling laws for data and compute", "Loss follows a power law in parameters and tokens; "
     "we fit compute-optimal allocations for pretraining budgets."),
    ("Long context extension with positional interpolation", "Rotary position embeddings are "
     "rescaled so models read sequences far longer than seen in training."),
]


def make_paper(pid: str, title: str, abstract: str = "", **kw) -> Paper:
    kw.setdefault("topics", ["other"])
    kw.setdefault("added", "2024-01-01")
    return Paper(id=pid, key=kw.pop("key", pid.replace("-", "")), title=title,
                 abstract=abstract, **kw)


def corpus() -> list[Paper]:
    papers = [make_paper(f"paper-{i}", t, a) for i, (t, a) in enumerate(TOPICS)]
    papers.append(make_paper("dup-a", "Speculative decoding with tree attention drafts",
                             "Tree attention verifies many drafted continuations of a small "
                             "draft model in one forward pass, speeding up decoding."))
    papers.append(make_paper("dup-b", "Speculative Decoding with Tree-Attention Drafts",
                             "Tree attention verifies many drafted continuations of a small "
                             "draft model in a single forward pass, which speeds up decoding."))
    return papers


# ---------------------------------------------------------------------------
# related
# ---------------------------------------------------------------------------


def test_tokens_drop_stopwords_and_fold_plurals():
    assert related.tokens("The Models are using Études of LLMs, 2024!") == [
        "model", "etude", "llm"]


def test_near_duplicates_are_each_others_top_neighbour():
    found = related.related_ids(corpus(), 5)
    assert found["dup-a"][0][0] == "dup-b"
    assert found["dup-b"][0][0] == "dup-a"
    assert found["dup-a"][0][1] > 0.8
    for pid, rows in found.items():
        assert pid not in [o for o, _ in rows]
        scores = [s for _, s in rows]
        assert scores == sorted(scores, reverse=True)
        assert len(rows) <= 5


def test_sparse_and_dense_parts_match_brute_force(monkeypatch):
    """The blocked dense+postings product equals a plain dense cosine matrix."""
    rng = np.random.default_rng(7)
    vocab = [f"term{i}" for i in range(400)]
    weights = 1 / np.arange(1, 401) ** 1.1
    weights /= weights.sum()
    docs = []
    for _ in range(300):
        words = rng.choice(400, size=int(rng.integers(5, 60)), p=weights)
        counts: dict[str, float] = {}
        for w in words:
            counts[vocab[w]] = counts.get(vocab[w], 0) + 1.0
        docs.append(counts)
    monkeypatch.setattr(related, "DENSE_FRACTION", 0.1)  # both paths in use
    got = related.nearest_neighbours(docs, k=4, min_score=0.0, block_rows=37)

    n = len(docs)
    index = {t: i for i, t in enumerate(vocab)}
    tf = np.zeros((n, len(vocab)))
    for i, d in enumerate(docs):
        for t, v in d.items():
            tf[i, index[t]] = v
    df = (tf > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1
    x = np.where(tf > 0, (1 + np.log(np.where(tf > 0, tf, 1))) * idf, 0)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    for i in range(n):
        expected = sorted(range(n), key=lambda j: (-sims[i, j], j))[:4]
        assert [s for _, s in got[i]] == pytest.approx([sims[i, j] for j in expected],
                                                       abs=1e-5)
        # the same papers, up to float ties
        assert {j for j, _ in got[i]} == set(expected) or all(
            abs(sims[i, j] - s) < 1e-5 for j, s in got[i])


def test_related_cache_hit_does_not_recompute(tmp_path, monkeypatch):
    papers = corpus()
    first = related.related_ids(papers, 5, root=tmp_path)
    assert sorted(p.name for p in (tmp_path / ".survey-cache").glob("related-*.json")) == [
        "related-neighbours.json", "related-terms.json"]

    calls = {"nn": 0, "tokenised": 0}
    real_nn, real_counts = related.nearest_neighbours, related.term_counts

    def counting_nn(*a, **kw):
        calls["nn"] += 1
        return real_nn(*a, **kw)

    def counting_counts(*a, **kw):
        calls["tokenised"] += 1
        return real_counts(*a, **kw)

    monkeypatch.setattr(related, "nearest_neighbours", counting_nn)
    monkeypatch.setattr(related, "term_counts", counting_counts)

    # A fresh process: only the disk cache.  Same corpus -> nothing recomputed.
    stats = related.RelatedStats()
    again = related.related_ids(papers, 5, root=tmp_path, stats=stats)
    assert again == first
    assert calls == {"nn": 0, "tokenised": 0}
    assert not stats.recomputed

    # One new paper: neighbours recomputed for everyone (IDF changed), but only
    # the new record is tokenised.
    papers.append(make_paper("dup-c", "Speculative decoding with tree attention drafts again",
                             "Tree attention verifies drafted continuations of a draft model."))
    stats = related.RelatedStats()
    grown = related.related_ids(papers, 5, root=tmp_path, stats=stats)
    assert calls == {"nn": 1, "tokenised": 1}
    assert stats.recomputed and stats.tokenised == 1
    assert "dup-c" in [o for o, _ in grown["dup-a"]]

    # Editing an abstract re-tokenises that record only; other fields do not matter.
    papers[0].abstract += " Now with a typo fixed."
    papers[1].upvotes = 99
    related.related_ids(papers, 5, root=tmp_path)
    assert calls == {"nn": 2, "tokenised": 2}

    # Different k: a different cache key.
    related.related_ids(papers, 3, root=tmp_path)
    assert calls["nn"] == 3


def test_related_cache_survives_a_broken_file(tmp_path):
    papers = corpus()
    related.related_ids(papers, 5, root=tmp_path)
    (tmp_path / ".survey-cache" / "related-neighbours.json").write_text("{not json")
    stats = related.RelatedStats()
    related.related_ids(papers, 5, root=tmp_path, stats=stats)
    assert stats.recomputed and stats.tokenised == 0


# ---------------------------------------------------------------------------
# feed
# ---------------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def feed_papers() -> list[Paper]:
    return [
        make_paper("old", "An old paper", "Old.", added="2023-05-01", year=2020,
                   authors=["Ada Lovelace"]),
        make_paper("evil", 'A "quoted" <script>alert(1)</script> & title',
                   "Abstract with <b>tags</b> & ampersands\x0b and a control char.",
                   added="2024-02-03", year=2024, month=2, authors=["Bob <b>", "Eve & Co"],
                   topics=["quantization"]),
        make_paper("noauthor", "No author known", "", added="2024-02-03", year=2023),
    ]


@pytest.mark.parametrize("site_url", ["https://example.org/survey/", None])
def test_feed_is_valid_atom(site_url):
    text = feed.atom_feed(feed_papers(), title="Survey: new papers", site_url=site_url,
                          author="Survey", size=10,
                          topic_name=lambda t: "Quantization" if t == "quantization" else None)
    root = ET.fromstring(text.encode())
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(ATOM + name) is not None, name
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Survey"
    self_link = [ln for ln in root.findall(ATOM + "link") if ln.get("rel") == "self"]
    assert len(self_link) == 1
    entries = root.findall(ATOM + "entry")
    assert [e.find(ATOM + "title").text for e in entries] == [
        'A "quoted" <script>alert(1)</script> & title', "No author known", "An old paper"]
    ids = [e.find(ATOM + "id").text for e in entries]
    assert len(set(ids)) == len(ids)
    stamps = [root.find(ATOM + "updated").text] + [e.find(ATOM + "updated").text
                                                   for e in entries]
    for stamp in stamps:
        assert RFC3339.match(stamp), stamp
        dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert stamps[0] == max(stamps[1:])
    for e in entries:
        for name in ("id", "title", "updated", "link"):
            assert e.find(ATOM + name) is not None
        assert e.find(ATOM + "link").get("href")
    evil = entries[0]
    assert [a.find(ATOM + "name").text for a in evil.findall(ATOM + "author")] == [
        "Bob <b>", "Eve & Co"]
    assert evil.find(ATOM + "summary").get("type") == "text"
    assert evil.find(ATOM + "summary").text == (
        "Abstract with <b>tags</b> & ampersands and a control char.")
    assert evil.find(ATOM + "category").get("label") == "Quantization"
    if site_url:
        assert ids[0] == "https://example.org/survey/papers/evil/"
        assert self_link[0].get("href") == "https://example.org/survey/feed.xml"
    else:
        assert all(i.startswith("tag:") for i in ids)
        assert evil.find(ATOM + "link").get("href") == "papers/evil/"


def test_feed_is_deterministic_and_limited():
    a = feed.atom_feed(feed_papers(), title="t", size=2)
    b = feed.atom_feed(list(reversed(feed_papers())), title="t", size=2)
    assert a == b
    assert len(ET.fromstring(a.encode()).findall(ATOM + "entry")) == 2


def test_survey_feed_links_are_relative_to_the_feed():
    text = feed.atom_feed(feed_papers(), title="t", feed_path="surveys/x/feed.xml",
                          home_path="surveys/x/")
    root = ET.fromstring(text.encode())
    hrefs = {ln.get("rel"): ln.get("href") for ln in root.findall(ATOM + "link")}
    assert hrefs == {"self": "feed.xml", "alternate": "./"}
    assert root.find(f"{ATOM}entry/{ATOM}link").get("href") == "../../papers/evil/"


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------


def bar_counts(svg_text: str) -> dict[str, int]:
    root = ET.fromstring(svg_text)
    out = {}
    for rect in root.iter(SVG + "rect"):
        label, count = rect.find(SVG + "title").text.split(": ")
        out[label] = int(count.split()[0])
    return out


def test_years_chart_counts_and_accessibility():
    papers = [make_paper(f"p{i}", "t", year=y) for i, y in
              enumerate([2019, 2021, 2021, 2024, 2024, 2024, None])]
    svg = charts.years_chart(papers, title='Papers "per" <year>', chart_id="Years 1")
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    assert [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")] == ids
    assert root.find(SVG + "title").text == 'Papers "per" <year>'
    assert "1 paper without a known year" in root.find(SVG + "desc").text
    assert bar_counts(svg) == {"2019": 1, "2020": 0, "2021": 2, "2022": 0, "2023": 0,
                               "2024": 3}
    # colours come from CSS / currentColor only (dark mode)
    assert not re.search(r'(fill|stroke)="(?!currentColor)', svg)
    assert "<script" not in svg


def test_years_overview_small_multiples_share_the_axis():
    papers = [make_paper(f"p{i}", "t", year=y) for i, y in enumerate([2020, 2022, 2022, 2023])]
    groups = [("a", "Topic <A>", papers[:2]), ("b", "Topic B", papers[2:])]
    block = charts.years_overview(papers, groups, link=lambda g: f"topics/{g}/")
    root = ET.fromstring(block)  # one well-formed element (a raw HTML block in Markdown)
    svgs = list(root.iter(SVG + "svg"))
    assert len(svgs) == 3
    assert [bar_counts(ET.tostring(s, encoding="unicode")) for s in svgs] == [
        {"2020": 1, "2021": 0, "2022": 2, "2023": 1},
        {"2020": 1, "2021": 0, "2022": 1, "2023": 0},
        {"2020": 0, "2021": 0, "2022": 1, "2023": 1},
    ]
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert "Topic &lt;A&gt;" in block


def test_empty_chart_is_valid():
    svg = charts.years_chart([], title="Nothing", chart_id="empty")
    assert ET.fromstring(svg).find(SVG + "desc").text == "Nothing. No data."


# ---------------------------------------------------------------------------
# scholar
# ---------------------------------------------------------------------------


class MetaParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        assert tag == "meta"
        self.tags.append((a.get("name") or a.get("property"), a["content"]))


def test_scholar_tags_are_escaped():
    title = 'Attention "is" <script>alert(1)</script> & all'
    paper = make_paper("x", title, "", authors=['O\'Brien "Bob"', "Ana <i>Li</i>"], year=2024,
                       month=3, arxiv_id="2403.01234", venue="ICLR 2024")
    text = scholar.head_tags(paper, site_url="https://example.org/s/", site_name="S & S",
                             description='Says "hi" <b>')
    assert "<script>" not in text and "<i>" not in text and "<b>" not in text
    parser = MetaParser()
    parser.feed(text)
    tags = parser.tags
    assert ("citation_title", title) in tags
    assert [v for k, v in tags if k == "citation_author"] == ['O\'Brien "Bob"', "Ana <i>Li</i>"]
    assert ("citation_publication_date", "2024/03") in tags
    assert ("citation_arxiv_id", "2403.01234") in tags
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2403.01234") in tags
    assert ("citation_conference_title", "ICLR 2024") in tags
    assert ("og:title", title) in tags
    assert ("og:type", "article") in tags
    assert ("og:description", 'Says "hi" <b>') in tags
    assert ("og:site_name", "S & S") in tags
    assert ("og:url", "https://example.org/s/papers/x/") in tags


def test_scholar_tags_without_optional_facts():
    paper = make_paper("y", "Plain", "", year=2021,
                       links={"pdf": "javascript:alert(1)"})
    parser = MetaParser()
    parser.feed(scholar.head_tags(paper))
    names = [k for k, _ in parser.tags]
    assert ("citation_publication_date", "2021") in parser.tags
    assert "citation_pdf_url" not in names and "og:url" not in names
    assert "citation_author" not in names


# ---------------------------------------------------------------------------
# index data and search documents (on the real catalog)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    cat = load_catalog(REPO, persist_cache=False)
    if not cat.papers:
        pytest.fail("no records in content/papers")
    return cat


def test_index_files_in_pieces(catalog):
    from survey_core.formats.bibtex import paper_to_entry
    from survey_core.formats.csl import paper_to_csl

    files = papers_index.index_files(catalog, lambda p: papers_index.export_item(
        p, paper_to_entry(p), paper_to_csl(p)), first=50)
    data = {k: json.loads(v) for k, v in files.items()}
    meta = data["data/index/meta.json"]
    newest = newest_first(catalog.papers)
    assert meta["total"] == len(newest) and meta["first"] == 50
    topics = [t[0] for t in meta["topics"]]
    cols = data["data/index/facets.json"]
    for i, p in enumerate(newest):
        assert [topics[t] for t in cols["topic"][i]] == [t for t in p.topics if t in topics]
        assert cols["year"][i] == (p.year or 0)
        assert bool(cols["flags"][i] & 1) == p.has_code
        shard, at = divmod(i, meta["shard"])
        assert data[f"data/index/rows/{shard}.json"][at][:3] == [p.id, p.title, p.year or 0]
        shard, at = divmod(i, meta["exportShard"])
        item = data[f"data/index/exports/{shard}.json"][at]
        assert item == {"key": p.key, "bibtex": paper_to_entry(p), "csl": paper_to_csl(p)}
        for name in p.authors:
            bucket = data[f"data/index/authors/{papers_index.bucket(name, meta['buckets'])}.json"]
            assert i in bucket[name][0]
    # An author's bucket carries the rows of the author's first view page beyond the
    # page's own rows, equal to those of the rows shards.
    carried = 0
    for b in range(meta["buckets"]):
        for ords, _co, rows in data[f"data/index/authors/{b}.json"].values():
            wanted = [i for i in ords[:meta["page"]] if i >= meta["first"]]
            assert rows == [data[f"data/index/rows/{i // meta['shard']}.json"][i % meta["shard"]]
                            for i in wanted]
            carried += len(rows)
    assert carried > 0
    order = data["data/index/title-order.json"]
    assert sorted(order) == list(range(len(newest)))
    titles = [papers_index.fold(newest[i].title) for i in order]
    assert titles == sorted(titles)
    # No piece holds the whole catalog's rows, texts or exports.
    assert sum(1 for k in files if "/rows/" in k) == -(-len(newest) // meta["shard"])
    assert sum(1 for k in files if "/exports/" in k) == -(-len(newest) // meta["exportShard"])


def test_author_bucket_matches_the_script():
    """papers-index.js implements the same FNV-1a hash (Math.imul over UTF-8 bytes)."""
    assert papers_index.bucket("", 7) == 0x811C9DC5 % 7
    assert papers_index.bucket("a", 1 << 32) == 0xE40C292C  # FNV-1a 32 of "a"


def test_browser_join_rule_matches_export(catalog):
    """The rule papers-index.js implements, written in Python, against the exporters."""
    from survey_core.formats.bibtex import export_bibtex, paper_to_entry
    from survey_core.formats.csl import csl_json_text, paper_to_csl

    for papers in (catalog.papers[:1], catalog.papers[:7], []):
        entries = sorted(((p.key, paper_to_entry(p)) for p in papers), key=lambda e: e[0])
        noun = "entry" if len(entries) == 1 else "entries"
        text = f"% {len(entries)} {noun}, exported by survey\n\n" + "\n".join(
            e for _k, e in entries)
        assert text == export_bibtex(papers)
        items = sorted((paper_to_csl(p) for p in papers), key=lambda i: i["id"])
        assert json.dumps(items, ensure_ascii=False, indent=1) + "\n" == csl_json_text(papers)


def test_search_docs_truncate_at_a_word_boundary():
    paper = make_paper("z", "T <1>", "word " * 200, authors=["A B"])
    (doc,) = discovery.search_docs([paper], 50)
    assert doc["location"] == "papers/z/"
    assert doc["title"] == "T &lt;1&gt;"
    assert doc["text"].startswith("A B — word word")
    assert doc["text"].endswith("word …") and len(doc["text"]) < 70
    assert discovery.search_docs([paper], -1)[0]["text"] == "A B"


def test_help_wanted_lists_gaps(catalog):
    hw = discovery.help_wanted(catalog, few=3)
    assert {g.paper.id for g in hw.no_year} == {p.id for p in catalog.papers if not p.year}
    assert {g.paper.id for g in hw.no_code} == {p.id for p in catalog.papers if not p.has_code}
    assert {g.paper.id for g in hw.no_authors} == {
        p.id for p in catalog.papers if not (p.authors and p.authors_complete)}
    assert {t.id for t, _ in hw.few_papers} == {
        t for t in catalog.taxonomy.topics if len(catalog.topic_papers.get(t, [])) < 3}
    assert len(hw.low_confidence) == len(catalog.low_confidence)


# ---------------------------------------------------------------------------
# the plugin, in a real build
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(built_site):
    return built_site.root, built_site.catalog


@pytest.mark.slow
def test_build_writes_discovery_files(built):
    root, cat = built
    site = root / "site"
    meta = json.loads((site / "data" / "index" / "meta.json").read_text())
    assert meta["total"] == len(cat.papers)
    rows = [r for f in sorted((site / "data" / "index" / "rows").iterdir())
            for r in json.loads(f.read_text())]
    assert {r[0] for r in rows} == {p.id for p in cat.papers}
    page = (site / "papers" / "index.html").read_text()
    listed = re.findall(r'<li data-paper="([^"]+)"', page)
    assert listed == [p.id for p in newest_first(cat.papers)][:meta["first"]]
    assert meta["first"] == min(papers_index.FIRST, len(cat.papers))
    assert '<script src="../assets/survey/papers-index.js" defer></script>' in page
    assert (site / "assets" / "survey" / "papers-index.js").exists()
    ET.fromstring((site / "feed.xml").read_bytes())
    for sid in cat.surveys:
        ET.fromstring((site / "surveys" / sid / "feed.xml").read_bytes())
    help_page = (site / "help-wanted" / "index.html").read_text()
    for fact in cat.low_confidence:
        assert html.escape(fact.title, quote=False)[:40] in help_page
    home = (site / "index.html").read_text()
    assert 'class="survey-charts"' in home and "&lt;svg" not in home
    assert (root / ".survey-cache" / "related-neighbours.json").exists()


@pytest.mark.slow
def test_paper_pages_have_related_papers_and_scholar_tags(built):
    root, cat = built
    neighbours = related.related_ids(cat.papers, 5, root=root)
    paper = next(p for p in cat.papers if p.authors and neighbours[p.id])
    page = (root / "site" / "papers" / paper.id / "index.html").read_text()
    head = page.split("</head>")[0]
    assert f'<meta name="citation_title" content="{html.escape(paper.title, quote=True)}">' in head
    assert head.count('name="citation_author"') == len(paper.authors)
    assert 'property="og:type" content="article"' in head
    section = page.split('id="related"')[1].split("</ol>")[0]
    assert re.findall(r'href="\.\./([^/"]+)/"', section) == [o for o, _ in neighbours[paper.id]]


@pytest.mark.slow
def test_search_index_has_every_paper_topic_and_survey_and_not_the_index(built):
    """_search/: one document per paper, topic, survey and ordinary page; the
    papers index and the help-wanted report are not documents."""
    root, cat = built
    folder = root / "site" / "_search"
    manifest = json.loads((folder / "manifest.json").read_text())
    docs = [d for n in range(-(-manifest["docs"] // manifest["chunk"]))
            for d in json.loads((folder / "d" / f"{n}.json").read_text())]
    assert len(docs) == manifest["docs"]
    urls = [d["u"] for d in docs]
    assert len(set(urls)) == len(urls)
    kinds = {d["u"]: d["k"] for d in docs}
    assert {u for u, k in kinds.items() if k == "paper"} == {f"papers/{p.id}/" for p in cat.papers}
    assert {u for u, k in kinds.items() if k == "topic"} == {
        f"topics/{t}/" for t in cat.taxonomy.topics}
    assert {u for u, k in kinds.items() if k == "survey"} == {f"surveys/{s}/" for s in cat.surveys}
    assert {"", "about/", "topics/", "surveys/"} <= {u for u, k in kinds.items() if k == "page"}
    assert "papers/" not in kinds and "help-wanted/" not in kinds
    for name in manifest["shards"]:
        assert (folder / search_index.shard_file(name)).is_file()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) \
        == sorted(["manifest.json"] + [search_index.shard_file(k) for k in manifest["shards"]]
                  + [f"d/{n}.json" for n in range(-(-len(docs) // manifest["chunk"]))])
