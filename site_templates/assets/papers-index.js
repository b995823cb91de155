// Papers index (papers/): facets, text filter, sorting and "download what you see".
//
// The list of papers is rendered on the server (every <li data-paper="id">);
// this script reads data/index.json (written by the survey-discovery plugin)
// and hides, shows and reorders those items.  The BibTeX entries and CSL items
// (data/index-exports.json) are fetched on the first download.  No external
// request.
//
// State lives in the URL query so that it can be shared and the back button
// works:  ?topic=a&topic=b&year=2024&venue=ICLR&survey=s&code=1&arxiv=1&text=...&sort=upvotes
//   topic, year, venue, survey: any number of values; OR within a facet, AND across.
//   venue is the venue without its year ("venue_series"), "other" or "none".
//   A paper matches a topic when it is filed under it or one of its sub-topics
//   (the data lists each paper's topics with their ancestors).  year=none
//   selects papers without a year.
//   text: every word must occur in the title, authors, venue, key or arXiv id.
//   (Not "q": Material opens its search dialog for ?q=.)
//   sort: date (default, newest first), upvotes, title.
// Ticking a box pushes a history entry; typing replaces the current one.
//
// Downloads are built from the per-paper texts of the exports file, joined exactly
// like survey.bibtex.bib_file_text and survey.csl.csl_json_text (Python):
//   .bib:     "% N entries, exported by survey\n\n" + entries sorted by key,
//             joined with "\n"   ("entry" when N is 1)
//   CSL-JSON: items sorted by id, JSON.stringify(items, null, 1) + "\n"
(function () {
  "use strict";

  var FACETS = ["topic", "year", "venue", "survey"];
  var FLAGS = ["code", "arxiv"];
  var SORTS = ["date", "upvotes", "title"];

  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function emptyState() {
    return { topic: [], year: [], venue: [], survey: [], code: false, arxiv: false, text: "",
      sort: "date" };
  }

  function readQuery(search) {
    var params = new URLSearchParams(search);
    var st = emptyState();
    FACETS.forEach(function (f) {
      params.getAll(f).forEach(function (v) {
        if (v && st[f].indexOf(v) < 0) st[f].push(v);
      });
    });
    FLAGS.forEach(function (f) { st[f] = params.get(f) === "1"; });
    st.text = params.get("text") || "";
    var sort = params.get("sort");
    if (SORTS.indexOf(sort) >= 0) st.sort = sort;
    return st;
  }

  function writeQuery(st) {
    var params = new URLSearchParams();
    FACETS.forEach(function (f) { st[f].forEach(function (v) { params.append(f, v); }); });
    FLAGS.forEach(function (f) { if (st[f]) params.set(f, "1"); });
    if (st.text) params.set("text", st.text);
    if (st.sort !== "date") params.set("sort", st.sort);
    var query = params.toString();
    return query ? "?" + query : "";
  }

  function bibText(papers, exported) {
    var entries = papers.map(function (p) { return [p.key, exported[p.id].bibtex]; });
    entries.sort(function (a, b) { return cmp(a[0], b[0]); });
    var n = entries.length;
    return "% " + n + " " + (n === 1 ? "entry" : "entries") + ", exported by survey\n\n" +
      entries.map(function (e) { return e[1]; }).join("\n");
  }

  function cslText(papers, exported) {
    var items = papers.map(function (p) { return exported[p.id].csl; });
    items.sort(function (a, b) { return cmp(String(a.id), String(b.id)); });
    return JSON.stringify(items, null, 1) + "\n";
  }

  function download(name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  var COMPARE = {
    date: function (a, b) {
      return cmp(b.date, a.date) || (b.upvotes || 0) - (a.upvotes || 0) || cmp(b.id, a.id);
    },
    upvotes: function (a, b) {
      return (b.upvotes || 0) - (a.upvotes || 0) || cmp(b.date, a.date) || cmp(a.id, b.id);
    },
    title: function (a, b) { return cmp(a.sortTitle, b.sortTitle) || cmp(a.id, b.id); }
  };

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var form = root.querySelector("#survey-facets");
    var list = root.querySelector("#survey-index-list");
    var counter = root.querySelector("#survey-index-count");
    var textInput = form.querySelector("input[name=text]");
    var sortSelect = form.querySelector("select[name=sort]");
    var items = {};
    Array.prototype.forEach.call(list.querySelectorAll("li[data-paper]"), function (li) {
      items[li.getAttribute("data-paper")] = li;
    });
    var papers = [];
    var shownSort = "date";
    var visible = [];
    var timer = null;
    var exportsLoad = null;

    function loadExports() {
      if (!exportsLoad) {
        exportsLoad = fetch(root.getAttribute("data-exports-src")).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        });
        exportsLoad.catch(function () { exportsLoad = null; });  // retry on the next click
      }
      return exportsLoad;
    }

    function exportVisible(button, build, name, type) {
      var chosen = visible.slice();
      button.disabled = true;
      loadExports().then(function (exported) {
        download(name, build(chosen, exported), type);
      }).catch(function (err) {
        counter.textContent = "Download failed: " + err.message;
      }).then(function () { button.disabled = visible.length === 0; });
    }

    function matches(p, st, skip) {
      if (skip !== "topic" && st.topic.length &&
          !st.topic.some(function (t) { return p.topicSet[t]; })) return false;
      if (skip !== "year" && st.year.length && st.year.indexOf(p.yearKey) < 0) return false;
      if (skip !== "venue" && st.venue.length && st.venue.indexOf(p.venueKey) < 0) return false;
      if (skip !== "survey" && st.survey.length &&
          !st.survey.some(function (s) { return p.surveys.indexOf(s) >= 0; })) return false;
      if (skip !== "code" && st.code && !p.has_code) return false;
      if (skip !== "arxiv" && st.arxiv && !p.has_arxiv) return false;
      if (st.words.length && !st.words.every(function (w) { return p.text.indexOf(w) >= 0; })) {
        return false;
      }
      return true;
    }

    function values(p, facet) {
      if (facet === "topic") return p.topics;
      if (facet === "year") return [p.yearKey];
      if (facet === "venue") return [p.venueKey];
      if (facet === "survey") return p.surveys;
      return p["has_" + facet] ? ["1"] : [];
    }

    function updateCounts(st) {
      FACETS.concat(FLAGS).forEach(function (facet) {
        var counts = {};
        papers.forEach(function (p) {
          if (!matches(p, st, facet)) return;
          values(p, facet).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
        });
        form.querySelectorAll("input[name=" + facet + "]").forEach(function (box) {
          var n = counts[box.value] || 0;
          var label = box.closest("label");
          var span = label && label.querySelector(".survey-facet-count");
          if (span) span.textContent = String(n);
          if (label) label.classList.toggle("survey-facet-empty", n === 0 && !box.checked);
        });
      });
    }

    function apply(st) {
      st.words = fold(st.text).split(/\s+/).filter(Boolean);
      visible = [];
      papers.forEach(function (p) {
        var show = matches(p, st);
        if (show) visible.push(p);
        p.li.hidden = !show;
      });
      if (st.sort !== shownSort) {
        var order = papers.slice().sort(COMPARE[st.sort]);
        var frag = document.createDocumentFragment();
        order.forEach(function (p) { frag.appendChild(p.li); });
        list.appendChild(frag);
        shownSort = st.sort;
      }
      visible.sort(COMPARE[st.sort]);
      counter.textContent = visible.length + " of " + papers.length + " papers";
      form.querySelectorAll("button[data-action^=download]").forEach(function (b) {
        b.disabled = visible.length === 0;
      });
      updateCounts(st);
    }

    function fromControls() {
      var st = emptyState();
      FACETS.forEach(function (f) {
        form.querySelectorAll("input[name=" + f + "]:checked").forEach(function (box) {
          st[f].push(box.value);
        });
      });
      FLAGS.forEach(function (f) {
        var box = form.querySelector("input[name=" + f + "]");
        st[f] = !!(box && box.checked);
      });
      st.text = textInput.value.trim();
      st.sort = sortSelect.value;
      return st;
    }

    function toControls(st) {
      FACETS.forEach(function (f) {
        form.querySelectorAll("input[name=" + f + "]").forEach(function (box) {
          box.checked = st[f].indexOf(box.value) >= 0;
        });
      });
      FLAGS.forEach(function (f) {
        var box = form.querySelector("input[name=" + f + "]");
        if (box) box.checked = st[f];
      });
      if (textInput.value.trim() !== st.text) textInput.value = st.text;
      sortSelect.value = st.sort;
    }

    function commit(push) {
      var st = fromControls();
      var url = location.pathname + writeQuery(st) + location.hash;
      if (url !== location.pathname + location.search + location.hash) {
        history[push ? "pushState" : "replaceState"]({ surveyIndex: true }, "", url);
      }
      apply(st);
    }

    function restore() {
      var st = readQuery(location.search);
      toControls(st);
      apply(fromControls());
    }

    form.addEventListener("change", function (e) {
      if (e.target === textInput) return;
      commit(true);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    textInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { commit(false); }, 150);
    });
    form.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "reset") {
        toControls(emptyState());
        commit(true);
      } else if (action === "download-bib") {
        exportVisible(button, bibText, "papers.bib", "application/x-bibtex;charset=utf-8");
      } else if (action === "download-csl") {
        exportVisible(button, cslText, "papers.json",
                      "application/vnd.citationstyles.csl+json;charset=utf-8");
      }
    });
    window.addEventListener("popstate", restore);

    counter.textContent = "Loading the filters…";
    fetch(root.getAttribute("data-index-src"))
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var listedVenues = {};
        form.querySelectorAll("input[name=venue]").forEach(function (box) {
          listedVenues[box.value] = true;
        });
        data.papers.forEach(function (p) {
          var li = items[p.id];
          if (!li) return;
          p.li = li;
          p.topicSet = {};
          p.topics.forEach(function (t) { p.topicSet[t] = true; });
          p.yearKey = p.year ? String(p.year) : "none";
          // a series without its own box (the page lists those with enough papers) is "other"
          p.venueKey = !p.venue_series ? "none"
            : listedVenues[p.venue_series] ? p.venue_series : "other";
          p.sortTitle = fold(p.title);
          p.text = fold([p.title, p.authors, p.venue, p.key, p.arxiv_id].join(" "));
          papers.push(p);
        });
        form.hidden = false;
        restore();
      })
      .catch(function (err) {
        counter.textContent = root.getAttribute("data-total") + " papers (filters unavailable: " +
          err.message + ")";
      });
  }

  function init() {
    var root = document.querySelector(".survey-index[data-index-src]");
    if (root) setup(root);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
