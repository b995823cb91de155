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

// Header search box: Pagefind (pagefind/pagefind.js, loaded on the first use).
// A search downloads only the index chunks of its words and the fragments of
// the results shown.  Results: title, authors, year and topics of papers, and
// an excerpt; the arrow keys move through them, Escape closes them.
(function () {
  "use strict";
  var SHOWN = 8;

  function setup() {
    var input = document.getElementById("survey-search-input");
    var panel = document.getElementById("survey-search-results");
    if (!input || !panel || input.dataset.bound) return;
    input.dataset.bound = "1";
    var engine = null;
    var generation = 0;

    function load() {
      if (!engine) {
        var bundle = new URL(input.getAttribute("data-bundle"), location.href);
        var base = new URL(input.getAttribute("data-base"), location.href);
        engine = import(bundle.href + "pagefind.js").then(function (pf) {
          return pf.options({ baseUrl: base.pathname }).then(function () { return pf; });
        });
        engine.catch(function () { engine = null; });
      }
      return engine;
    }

    function item(data) {
      var li = document.createElement("li");
      li.className = "survey-search__item";
      var a = document.createElement("a");
      a.href = data.url;
      a.textContent = (data.meta && data.meta.title) || data.url;
      li.appendChild(a);
      var facts = [];
      if (data.meta && data.meta.authors) facts.push(data.meta.authors);
      if (data.meta && data.meta.year) facts.push(data.meta.year);
      if (data.meta && data.meta.topics) facts.push(data.meta.topics);
      if (facts.length) {
        var p = document.createElement("p");
        p.className = "survey-search__meta";
        p.textContent = facts.join(" · ");
        li.appendChild(p);
      }
      var excerpt = document.createElement("p");
      excerpt.className = "survey-search__excerpt";
      // Pagefind's excerpt is page text it escaped, with <mark> around the hits.
      excerpt.innerHTML = String(data.excerpt || "").replace(/<(?!\/?mark>)/g, "&lt;");
      li.appendChild(excerpt);
      return li;
    }

    function run() {
      var query = input.value.trim();
      var mine = ++generation;
      if (!query) {
        panel.hidden = true;
        panel.textContent = "";
        return;
      }
      panel.hidden = false;
      load().then(function (pf) {
        return pf.debouncedSearch(query, {}, 150);
      }).then(function (search) {
        if (mine !== generation || !search) return null;
        return Promise.all(search.results.slice(0, SHOWN).map(function (r) { return r.data(); }))
          .then(function (rows) { return [search.results.length, rows]; });
      }).then(function (found) {
        if (!found || mine !== generation) return;
        panel.textContent = "";
        var head = document.createElement("p");
        head.className = "survey-search__count";
        head.textContent = found[0] === 0 ? "No results" : found[0] + (found[0] === 1 ?
          " result" : " results") + (found[0] > SHOWN ? ", the first " + SHOWN + " shown" : "");
        panel.appendChild(head);
        var list = document.createElement("ol");
        list.className = "survey-search__list";
        found[1].forEach(function (data) { list.appendChild(item(data)); });
        panel.appendChild(list);
      }).catch(function (err) {
        if (mine !== generation) return;
        panel.textContent = "Search unavailable: " + err.message;
      });
    }

    function links() { return Array.prototype.slice.call(panel.querySelectorAll("a")); }

    input.addEventListener("focus", function () { load(); }, { once: true });
    input.addEventListener("input", run);
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
