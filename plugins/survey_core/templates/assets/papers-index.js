// Papers index (papers/): facets, text filter, sorting and "download what you see".
//
// The page lists the newest papers itself (every <li data-paper="id">, in
// order: it works without JavaScript).  This script reads the data under
// data/index/ (written by survey.papers_index; its docstring describes the
// files) piece by piece, only what the view asks for: meta.json on load, the
// facet columns on the first filter, the upvotes column or the title order
// for those sorts, the author buckets of the authors asked for, the text
// shards on the first use of the text filter, the rows of papers beyond those
// in the page that are shown (an author's bucket carries the rows of the
// author's first view page), and the export shards of the papers a download
// holds.  No external request.
//
// State lives in the URL query so that it can be shared and the back button
// works:  ?topic=a&topic=b&year=2024&survey=s&venue=v&author=Name&code=1&arxiv=1&text=...&sort=upvotes
//   topic, year, survey, venue, author: any number of values; OR within a
//   facet, AND across.  venue is the venue without its year (its series),
//   "other" (a series without a box of its own) or "none".  A paper matches a topic when it is filed under it or
//   one of its sub-topics.  year=none selects papers without a year.
//   text: every word must occur in the title, authors, venue, key or arXiv id.
//   (Not "q": Material opens its search dialog for ?q=.)
//   sort: date (default, newest first), upvotes, title.
// Ticking a box pushes a history entry; typing replaces the current one.
//
// Downloads are built from the per-paper items of the export shards, joined exactly
// like survey.bibtex.bib_file_text and survey.csl.csl_json_text (Python):
//   .bib:     "% N entries, exported by survey\n\n" + entries sorted by key,
//             joined with "\n"   ("entry" when N is 1)
//   CSL-JSON: items sorted by id, JSON.stringify(items, null, 1) + "\n"
(function () {
  "use strict";

  var FACETS = ["topic", "year", "survey", "venue"];
  var FLAGS = ["code", "arxiv"];
  var LISTS = FACETS.concat(["author"]);
  var SORTS = ["date", "upvotes", "title"];

  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // survey.papers_index.bucket: FNV-1a of the UTF-8 bytes.
  function bucket(name, buckets) {
    var bytes = new TextEncoder().encode(name);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % buckets;
  }

  function emptyState() {
    return { topic: [], year: [], survey: [], venue: [], author: [], code: false,
             arxiv: false, text: "", sort: "date" };
  }

  function readQuery(search) {
    var params = new URLSearchParams(search);
    var st = emptyState();
    LISTS.forEach(function (f) {
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
    LISTS.forEach(function (f) { st[f].forEach(function (v) { params.append(f, v); }); });
    FLAGS.forEach(function (f) { if (st[f]) params.set(f, "1"); });
    if (st.text) params.set("text", st.text);
    if (st.sort !== "date") params.set("sort", st.sort);
    var query = params.toString();
    return query ? "?" + query : "";
  }

  function filtered(st) {
    return LISTS.some(function (f) { return st[f].length > 0; }) || st.code || st.arxiv ||
      !!st.text.trim();
  }

  function bibText(items) {
    var entries = items.map(function (it) { return [it.key, it.bibtex]; });
    entries.sort(function (a, b) { return cmp(a[0], b[0]); });
    var n = entries.length;
    return "% " + n + " " + (n === 1 ? "entry" : "entries") + ", exported by survey\n\n" +
      entries.map(function (e) { return e[1]; }).join("\n");
  }

  function cslText(items) {
    var csl = items.map(function (it) { return it.csl; });
    csl.sort(function (a, b) { return cmp(String(a.id), String(b.id)); });
    return JSON.stringify(csl, null, 1) + "\n";
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

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var base = root.getAttribute("data-index-src");
    var form = root.querySelector("#survey-facets");
    var list = root.querySelector("#survey-index-list");
    var counter = root.querySelector("#survey-index-count");
    var moreBox = root.querySelector(".survey-index-more");
    var moreButton = root.querySelector("#survey-index-more");
    var textInput = form.querySelector("input[name=text]");
    var sortSelect = form.querySelector("select[name=sort]");
    var authorBox = form.querySelector("fieldset[data-facet=author]");
    var pageRows = Array.prototype.slice.call(list.querySelectorAll("li[data-paper]"));
    var cache = {};
    var known = {};  // ordinal -> row, from the author buckets
    var meta = null;
    var topicNo = {};
    var ancestors = [];
    var visible = [];
    var pages = 1;
    var timer = null;
    var generation = 0;

    function load(path) {
      if (!cache[path]) {
        cache[path] = fetch(base + path).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        });
        cache[path].catch(function () { delete cache[path]; });  // retry next time
      }
      return cache[path];
    }

    function shardsOf(ordinals, size, prefix) {
      var seen = {};
      ordinals.forEach(function (i) { seen[Math.floor(i / size)] = true; });
      var keys = Object.keys(seen).map(Number);
      return Promise.all(keys.map(function (k) { return load(prefix + k + ".json"); }))
        .then(function (parts) {
          var by = {};
          keys.forEach(function (k, n) { by[k] = parts[n]; });
          return function (i) { return by[Math.floor(i / size)][i % size]; };
        });
    }

    function range(n) {
      var out = new Array(n);
      for (var i = 0; i < n; i++) out[i] = i;
      return out;
    }

    // Everything the state needs, loaded in parallel: resolves to the view data.
    function gather(st) {
      var need = {};
      var jobs = [];
      if (filtered(st)) jobs.push(load("facets.json").then(function (c) { need.cols = c; }));
      if (st.sort === "upvotes") {
        jobs.push(load("upvotes.json").then(function (u) { need.upvotes = u; }));
      }
      if (st.sort === "title") {
        jobs.push(load("title-order.json").then(function (o) { need.titleOrder = o; }));
      }
      if (st.author.length) {
        need.authors = {};
        st.author.forEach(function (name) {
          jobs.push(load("authors/" + bucket(name, meta.buckets) + ".json").then(function (b) {
            var entry = Object.prototype.hasOwnProperty.call(b, name) ? b[name] : [[], [], []];
            need.authors[name] = entry;
            // the rows of the author's first view page the page itself does not hold
            var own = entry[0].slice(0, meta.page).filter(function (i) { return i >= meta.first; });
            (entry[2] || []).forEach(function (row, k) { known[own[k]] = row; });
          }));
        });
      }
      if (st.text.trim()) {
        var parts = Math.ceil(meta.total / meta.textShard);
        var shards = [];
        for (var k = 0; k < parts; k++) shards.push(load("text/" + k + ".json"));
        jobs.push(Promise.all(shards).then(function (all) {
          need.text = [].concat.apply([], all);
        }));
      }
      return Promise.all(jobs).then(function () { return need; });
    }

    function expandTopics(cols) {
      if (cols.expanded) return;
      cols.expanded = cols.topic.map(function (filed) {
        var set = [];
        filed.forEach(function (t) {
          ancestors[t].forEach(function (a) { if (set.indexOf(a) < 0) set.push(a); });
        });
        return set;
      });
    }

    // Per paper: which groups it fails (0: none); counts of each facet value
    // over the papers that match every other group.
    function compute(st, need) {
      var n = meta.total;
      var counts = { topic: {}, year: {}, survey: {}, venue: {}, code: {}, arxiv: {} };
      if (!need.cols) return { ordinals: range(n), counts: null };
      var cols = need.cols;
      expandTopics(cols);
      var topics = st.topic.map(function (t) { return topicNo[t]; });
      var surveys = st.survey.map(function (s) { return meta.surveyNo[s]; });
      // venue: a series ordinal; "other": a series without a box; "none": no venue
      var venues = {};
      st.venue.forEach(function (v) {
        venues[v === "other" || v === "none" ? v : meta.venueNo[v]] = true;
      });
      var anyVenue = st.venue.length > 0;
      var listed = meta.venuesListed;
      var years = st.year;
      var authorSet = null;
      if (st.author.length) {
        authorSet = {};
        st.author.forEach(function (name) {
          need.authors[name][0].forEach(function (i) { authorSet[i] = true; });
        });
      }
      var words = fold(st.text).split(/\s+/).filter(Boolean);
      var out = [];
      function add(facet, values) {
        var c = counts[facet];
        for (var k = 0; k < values.length; k++) c[values[k]] = (c[values[k]] || 0) + 1;
      }
      for (var i = 0; i < n; i++) {
        if (authorSet && !authorSet[i]) continue;
        if (words.length) {
          var text = need.text[i];
          if (!words.every(function (w) { return text.indexOf(w) >= 0; })) continue;
        }
        var tp = cols.expanded[i];
        var yearKey = cols.year[i] ? String(cols.year[i]) : "none";
        var flags = cols.flags[i];
        var fails = [];
        if (topics.length && !topics.some(function (t) { return tp.indexOf(t) >= 0; })) {
          fails.push("topic");
        }
        if (years.length && years.indexOf(yearKey) < 0) fails.push("year");
        if (surveys.length && !surveys.some(function (s) { return cols.survey[i].indexOf(s) >= 0; })) {
          fails.push("survey");
        }
        var vi = cols.venue[i];
        var venueKeys = vi < 0 ? ["none"] : vi >= listed ? [vi, "other"] : [vi];
        if (anyVenue && !venueKeys.some(function (k) { return venues[k]; })) fails.push("venue");
        if (st.code && !(flags & 1)) fails.push("code");
        if (st.arxiv && !(flags & 2)) fails.push("arxiv");
        if (fails.length > 1) continue;
        if (!fails.length) out.push(i);
        var only = fails[0];
        if (!only || only === "topic") add("topic", tp);
        if (!only || only === "year") add("year", [yearKey]);
        if (!only || only === "survey") add("survey", cols.survey[i]);
        if (!only || only === "venue") add("venue", venueKeys);
        if (!only || only === "code") add("code", flags & 1 ? [1] : []);
        if (!only || only === "arxiv") add("arxiv", flags & 2 ? [1] : []);
      }
      return { ordinals: out, counts: counts };
    }

    function order(st, need, ordinals) {
      if (st.sort === "upvotes") {
        var up = need.upvotes;
        return ordinals.slice().sort(function (a, b) { return up[b] - up[a] || a - b; });
      }
      if (st.sort === "title") {
        var keep = {};
        ordinals.forEach(function (i) { keep[i] = true; });
        return need.titleOrder.filter(function (i) { return keep[i]; });
      }
      return ordinals;
    }

    function updateCounts(counts) {
      if (!counts) {
        form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          var label = box.closest("label");
          var span = label && label.querySelector(".survey-facet-count");
          if (span && span.dataset.total) span.textContent = span.dataset.total;
          if (label) label.classList.remove("survey-facet-empty");
        });
        return;
      }
      form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        var facet = box.name;
        if (!counts[facet]) return;
        var key = box.value;
        if (facet === "topic") key = topicNo[key];
        if (facet === "survey") key = meta.surveyNo[key];
        if (facet === "venue" && key !== "other" && key !== "none") key = meta.venueNo[key];
        var n = counts[facet][key] || 0;
        var label = box.closest("label");
        var span = label && label.querySelector(".survey-facet-count");
        if (span) {
          if (!span.dataset.total) span.dataset.total = span.textContent;
          span.textContent = String(n);
        }
        if (label) label.classList.toggle("survey-facet-empty", n === 0 && !box.checked);
      });
    }

    function rowItem(row) {
      var li = document.createElement("li");
      li.setAttribute("data-paper", row[0]);
      var a = document.createElement("a");
      a.href = encodeURIComponent(row[0]) + "/";
      a.textContent = row[1];
      var info = document.createElement("span");
      info.className = "survey-index-meta";
      var parts = [row[2] ? String(row[2]) : "year unknown"];
      row[3].forEach(function (t) { parts.push(meta.topics[t][1]); });
      if (row[4] >= 0) parts.push(row[4] + " upvotes");
      if (row[5]) parts.push("code");
      info.textContent = parts.join(" · ");
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(info);
      return li;
    }

    function show(ordinals) {
      var local = 0;  // leading papers whose rows the page holds: shown at no cost
      while (local < ordinals.length && ordinals[local] < meta.first) local++;
      var limit = Math.max(meta.page * pages, local);
      var shown = ordinals.slice(0, limit);
      var remote = shown.filter(function (i) { return i >= meta.first && !known[i]; });
      var ready = remote.length ? shardsOf(remote, meta.shard, "rows/")
        : Promise.resolve(null);
      return ready.then(function (rowOf) {
        var frag = document.createDocumentFragment();
        shown.forEach(function (i) {
          var li = i < meta.first ? pageRows[i] : rowItem(known[i] || rowOf(i));
          li.hidden = false;
          frag.appendChild(li);
        });
        list.textContent = "";
        list.appendChild(frag);
        moreBox.hidden = shown.length >= ordinals.length;
        return shown.length;
      });
    }

    // <li><label><input type=checkbox name value> value <span count></span></label></li>
    function checkboxItem(name, value, count) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = value;
      var span = document.createElement("span");
      span.className = "survey-facet-count";
      span.textContent = count;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + value + " "));
      label.appendChild(span);
      li.appendChild(label);
      return li;
    }

    function authorFacet(st, need) {
      var mine = authorBox.querySelector(".survey-facet-authors");
      var coList = authorBox.querySelector(".survey-coauthors");
      var coHead = authorBox.querySelector(".survey-coauthors-head");
      mine.textContent = "";
      coList.textContent = "";
      authorBox.hidden = !st.author.length;
      if (!st.author.length) return;
      var co = {};
      st.author.forEach(function (name) {
        var li = checkboxItem("author", name, String(need.authors[name][0].length));
        li.querySelector("input").checked = true;
        mine.appendChild(li);
        need.authors[name][1].forEach(function (pair) {
          if (st.author.indexOf(pair[0]) < 0) co[pair[0]] = (co[pair[0]] || 0) + pair[1];
        });
      });
      var names = Object.keys(co).sort(function (a, b) { return co[b] - co[a] || cmp(a, b); });
      coHead.hidden = !names.length;
      names.forEach(function (name) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "?author=" + encodeURIComponent(name);
        a.textContent = name;
        var count = document.createElement("span");
        count.className = "survey-facet-count";
        count.textContent = String(co[name]);
        count.setAttribute("aria-label", co[name] + " shared papers");
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(count);
        coList.appendChild(li);
      });
    }

    function ensureVenueBoxes(st) {
      var group = form.querySelector("fieldset[data-facet=venue] ul");
      if (!group) return;
      st.venue.forEach(function (v) {
        if (!Object.prototype.hasOwnProperty.call(meta.venueNo, v)) return;
        var exists = Array.prototype.some.call(group.querySelectorAll("input"),
                                                function (b) { return b.value === v; });
        if (exists) return;
        group.insertBefore(checkboxItem("venue", v, ""), group.firstChild);
      });
    }

    function apply(st) {
      var mine = ++generation;
      counter.textContent = "Loading…";
      return gather(st).then(function (need) {
        if (mine !== generation) return false;
        var result = compute(st, need);
        visible = order(st, need, result.ordinals);
        authorFacet(st, need);
        updateCounts(result.counts);
        return show(visible).then(function (shown) {
          if (mine !== generation) return false;
          counter.textContent = visible.length + " of " + meta.total + " papers" +
            (shown < visible.length ? ", the first " + shown + " shown" : "");
          form.querySelectorAll("button[data-action^=download]").forEach(function (b) {
            b.disabled = visible.length === 0;
          });
          return true;
        });
      }).catch(function (err) {
        if (mine === generation) counter.textContent = "Filters unavailable: " + err.message;
        return false;
      });
    }

    function fromControls() {
      var st = emptyState();
      LISTS.forEach(function (f) {
        form.querySelectorAll("input[name=" + f + "]:checked").forEach(function (box) {
          if (st[f].indexOf(box.value) < 0) st[f].push(box.value);
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
      ensureVenueBoxes(st);
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

    // The address changes once the view it names is shown.
    function commit(push) {
      var st = fromControls();
      pages = 1;
      return apply(st).then(function (done) {
        var url = location.pathname + writeQuery(st) + location.hash;
        if (done && url !== location.pathname + location.search + location.hash) {
          history[push ? "pushState" : "replaceState"]({ surveyIndex: true }, "", url);
        }
      });
    }

    function restore() {
      var st = readQuery(location.search);
      toControls(st);
      pages = 1;
      return apply(st);
    }

    function exportVisible(button, build, name, type) {
      var chosen = visible.slice();
      button.disabled = true;
      shardsOf(chosen, meta.exportShard, "exports/").then(function (itemOf) {
        download(name, build(chosen.map(itemOf)), type);
      }).catch(function (err) {
        counter.textContent = "Download failed: " + err.message;
      }).then(function () { button.disabled = visible.length === 0; });
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
      var link = e.target.closest(".survey-coauthors a");
      if (link) {
        e.preventDefault();
        history.pushState({ surveyIndex: true }, "", link.getAttribute("href"));
        restore();
        return;
      }
      var button = e.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "reset") {
        toControls(emptyState());
        authorBox.querySelectorAll("input[name=author]").forEach(function (box) {
          box.checked = false;
        });
        commit(true);
      } else if (action === "download-bib") {
        exportVisible(button, bibText, "papers.bib", "application/x-bibtex;charset=utf-8");
      } else if (action === "download-csl") {
        exportVisible(button, cslText, "papers.json",
                      "application/vnd.citationstyles.csl+json;charset=utf-8");
      }
    });
    moreButton.addEventListener("click", function () {
      pages += 1;
      show(visible).then(function (shown) {
        counter.textContent = visible.length + " of " + meta.total + " papers" +
          (shown < visible.length ? ", the first " + shown + " shown" : "");
      });
    });
    window.addEventListener("popstate", restore);

    counter.textContent = "Loading the filters…";
    load("meta.json").then(function (data) {
      meta = data;
      meta.surveyNo = {};
      meta.venueNo = {};
      meta.surveys.forEach(function (s, i) { meta.surveyNo[s[0]] = i; });
      meta.venues.forEach(function (v, i) { meta.venueNo[v] = i; });
      meta.topics.forEach(function (t, i) { topicNo[t[0]] = i; });
      ancestors = meta.topics.map(function (t, i) {
        var chain = [i];
        for (var p = t[2]; p >= 0; p = meta.topics[p][2]) chain.push(p);
        return chain;
      });
      form.hidden = false;
      restore();
    }).catch(function (err) {
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
