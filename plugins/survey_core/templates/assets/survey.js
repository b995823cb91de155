// Sortable tables: click (or press Enter on) a header with data-sort-key.
(function () {
  "use strict";
  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim().toLowerCase();
    if (kind === "value") {
      var num = Number(raw);
      return isNaN(num) ? raw : num;
    }
    return raw;
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var kind = th.getAttribute("data-sort-key");
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    if (kind === "text" && !th.hasAttribute("aria-sort")) dir = "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
  }
  function setup() {
    document.querySelectorAll("table[data-sortable] th[data-sort-key]").forEach(function (th) {
      if (th.dataset.bound) return;
      th.dataset.bound = "1";
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(th.closest("table"), th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th.closest("table"), th); }
      });
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();

// Header search box: the site's index in _search/ (survey.search_index).
// Nothing is fetched until the box is used; then the manifest, the term shards
// of the words typed and the doc chunks of the results shown.  Terms of 3+
// characters (and the last one as it is typed) also match the words they begin;
// every term must match; ranked by summed idf x score.  The arrow keys move
// through the results, Escape closes them.
(function () {
  "use strict";
  var SHOWN = 8;
  var PREFIX_WEIGHT = 0.6;
  var PREFIX_SHARDS = 3;
  var STOP = {};
  ("a an and are as at be been but by can do for from has have in into is it its " +
   "not of on or our so than that the their then there these they this to was we " +
   "were which will with").split(" ").forEach(function (w) { STOP[w] = true; });

  function fold(text) {
    return String(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function keep(t) { return (t.length >= 2 || /^\p{N}+$/u.test(t)) && !STOP[t]; }
  function tokenise(text) {
    var out = [];
    (fold(text).match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) || []).forEach(function (word) {
      if (word.indexOf("-") >= 0) {
        var parts = word.split("-");
        parts.forEach(function (p) { if (keep(p)) out.push(p); });
        var joined = parts.join("");
        if (keep(joined)) out.push(joined);
      } else if (keep(word)) out.push(word);
    });
    return out.filter(function (t, i) { return out.indexOf(t) === i; });
  }
  function shardFile(key) {
    var name = "";
    for (var i = 0; i < key.length; i++) {
      var c = key[i];
      name += (c >= "a" && c <= "z") || (c >= "0" && c <= "9") ? c
        : "_" + c.charCodeAt(0).toString(16) + "_";
    }
    return "s/" + (name || "_") + ".json";
  }
  function idf(count, docs) { return Math.log(1 + (docs - count + 0.5) / (count + 0.5)); }
  // survey.search_index.decode_postings: a posting list's text (base-32 numbers,
  // digits of the upper half continuing a number) -> [doc, score, doc, score, ...]:
  // the score step, then per posting the doc number less the previous one and
  // the score divided by the step.
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charCodeAt(d)] = d;
  function postings(text) {
    var numbers = [], n = 0;
    for (var i = 0; i < text.length; i++) {
      var v = DIGIT[text.charCodeAt(i) & 127];
      if (v >= 32) n = n * 32 + v - 32;
      else { numbers.push(n * 32 + v); n = 0; }
    }
    var step = numbers[0], out = [], doc = 0;
    for (var j = 1; j + 1 < numbers.length; j += 2) {
      doc += numbers[j];
      out.push(doc, Math.max(1, Math.min(255, numbers[j + 1] * step)));
    }
    return out;
  }

  function setup() {
    var input = document.getElementById("survey-search-input");
    var panel = document.getElementById("survey-search-results");
    if (!input || !panel || input.dataset.bound) return;
    input.dataset.bound = "1";
    var bundle = new URL(input.getAttribute("data-bundle"), location.href);
    var base = new URL(input.getAttribute("data-base"), location.href);
    var manifest = null;
    var files = {};
    var generation = 0;
    var timer = null;

    function load() {
      if (!manifest) {
        manifest = fetch(new URL("manifest.json", bundle), { cache: "no-cache" })
          .then(function (r) {
            if (!r.ok) throw new Error("HTTP " + r.status);
            return r.json();
          }).then(function (m) { m.keySet = new Set(m.shards); return m; });
        manifest.catch(function () { manifest = null; });
      }
      return manifest;
    }
    function file(m, name) {
      var url = new URL(name, bundle).href + "?v=" + encodeURIComponent(m.version);
      if (!files[url]) {
        files[url] = fetch(url).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        });
        files[url].catch(function () { delete files[url]; });
      }
      return files[url];
    }
    function shardsFor(m, term, prefix) {
      var own = null;
      for (var n = term.length; n >= 0; n--) {
        if (m.keySet.has(term.slice(0, n))) { own = term.slice(0, n); break; }
      }
      var out = own === null ? [] : [own];
      if (prefix) {
        for (var i = 0; i < m.shards.length && out.length < PREFIX_SHARDS + (own === null ? 0 : 1); i++) {
          var k = m.shards[i];
          if (k !== own && k.length > term.length - 1 && k.slice(0, term.length) === term) out.push(k);
        }
      }
      return out;
    }
    // Doc number -> summed score of the docs matching every term.
    function match(m, terms) {
      return Promise.all(terms.map(function (q, i) {
        var prefix = q.length >= 3 || i === terms.length - 1;
        return Promise.all(shardsFor(m, q, prefix).map(function (k) { return file(m, shardFile(k)); }))
          .then(function (shards) {
            var best = new Map();
            shards.forEach(function (shard) {
              Object.keys(shard).forEach(function (term) {
                if (term !== q && !(prefix && term.slice(0, q.length) === q)) return;
                var flat = postings(shard[term]);
                var weight = idf(flat.length / 2, m.docs) * (term === q ? 1 : PREFIX_WEIGHT);
                for (var j = 0; j < flat.length; j += 2) {
                  var doc = flat[j];
                  var value = weight * flat[j + 1];
                  if (!(best.get(doc) >= value)) best.set(doc, value);
                }
              });
            });
            return best;
          });
      })).then(function (maps) {
        var summed = maps[0];
        maps.slice(1).forEach(function (best) {
          var next = new Map();
          summed.forEach(function (v, d) { if (best.has(d)) next.set(d, v + best.get(d)); });
          summed = next;
        });
        var round = function (v) { return Math.round(v * 1e6); };
        return Array.from(summed.keys()).sort(function (a, b) {
          return round(summed.get(b)) - round(summed.get(a)) || a - b;
        });
      });
    }
    function docs(m, numbers) {
      return Promise.all(numbers.map(function (n) {
        return file(m, "d/" + Math.floor(n / m.chunk) + ".json").then(function (chunk) {
          return chunk[n % m.chunk];
        });
      }));
    }

    // The excerpt as text nodes, the words the query terms begin in <mark>.
    function marked(text, terms) {
      var frag = document.createDocumentFragment();
      var re = /[\p{L}\p{N}]+/gu, last = 0, hit;
      text = String(text || "");
      while ((hit = re.exec(text)) !== null) {
        var word = fold(hit[0]);
        if (!terms.some(function (t) { return word.slice(0, t.length) === t; })) continue;
        if (hit.index > last) frag.appendChild(document.createTextNode(text.slice(last, hit.index)));
        var mark = document.createElement("mark");
        mark.textContent = hit[0];
        frag.appendChild(mark);
        last = hit.index + hit[0].length;
      }
      if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
      return frag;
    }
    function item(data, terms) {
      var li = document.createElement("li");
      li.className = "survey-search__item";
      var a = document.createElement("a");
      a.href = new URL(data.u, base).href;
      a.textContent = data.t || data.u;
      li.appendChild(a);
      var facts = [];
      if (data.a) facts.push(data.a);
      if (data.y) facts.push(String(data.y));
      if (data.p) facts.push(data.p);
      if (!facts.length && data.k !== "paper") facts.push(data.k === "topic" ? "Topic"
        : data.k === "survey" ? "Survey" : "Page");
      if (facts.length) {
        var p = document.createElement("p");
        p.className = "survey-search__meta";
        p.textContent = facts.join(" · ");
        li.appendChild(p);
      }
      if (data.e) {
        var excerpt = document.createElement("p");
        excerpt.className = "survey-search__excerpt";
        excerpt.appendChild(marked(data.e, terms));
        li.appendChild(excerpt);
      }
      return li;
    }
    function show(count, rows, terms) {
      panel.textContent = "";
      var head = document.createElement("p");
      head.className = "survey-search__count";
      head.textContent = count === 0 ? "No results" : count + (count === 1 ?
        " result" : " results") + (count > SHOWN ? ", the first " + SHOWN + " shown" : "");
      panel.appendChild(head);
      var list = document.createElement("ol");
      list.className = "survey-search__list";
      rows.forEach(function (data) { if (data) list.appendChild(item(data, terms)); });
      panel.appendChild(list);
    }

    function run() {
      var query = input.value.trim();
      var mine = ++generation;
      panel.removeAttribute("data-query");
      if (!query) {
        panel.hidden = true;
        panel.textContent = "";
        return;
      }
      panel.hidden = false;
      var terms = tokenise(query);
      load().then(function (m) {
        if (mine !== generation) return null;
        if (!terms.length) return [0, [], terms];
        return match(m, terms).then(function (found) {
          if (mine !== generation) return null;
          return docs(m, found.slice(0, SHOWN)).then(function (rows) {
            return [found.length, rows, terms];
          });
        });
      }).then(function (found) {
        if (!found || mine !== generation) return;
        show(found[0], found[1], found[2]);
        panel.setAttribute("data-query", query);
      }).catch(function (err) {
        if (mine !== generation) return;
        panel.textContent = "Search unavailable: " + err.message;
      });
    }

    function links() { return Array.prototype.slice.call(panel.querySelectorAll("a")); }

    input.addEventListener("focus", function () { load(); }, { once: true });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && links().length) {
        e.preventDefault();
        links()[0].focus();
      } else if (e.key === "Escape") {
        panel.hidden = true;
      }
    });
    panel.addEventListener("keydown", function (e) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var next = at + (e.key === "ArrowDown" ? 1 : -1);
        if (next < 0) input.focus();
        else if (next < all.length) all[next].focus();
      } else if (e.key === "Escape") {
        panel.hidden = true;
        input.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (!e.target.closest(".survey-search")) panel.hidden = true;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
