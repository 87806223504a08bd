// dedup HTML report: sorting and filtering the table, and drawing a group when it is opened.
// Article text is data: it reaches the page through text nodes (el() and textContent) only. This script never
// assigns HTML as a string; the group data is read with JSON.parse from script elements of type application/json.
(function () {
  "use strict";

  var page = readJSON("page-data");
  var KINDS = page.kinds;
  var STRIP = page.strip;
  var LETTERS = page.letters;
  var cache = {};
  var state = { index: null, copy: null, para: null, finding: -1 };
  var groupRoot = document.getElementById("group");
  var overview = document.getElementById("overview");
  var table = document.getElementById("groups-table");
  var tbody = table ? table.tBodies[0] : null;

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // An element with attributes and children; strings become text nodes, never markup.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
        else node.setAttribute(key, value === true ? "" : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }

  function badge(kind, letter) {
    return el("span", { class: "badge k-" + kind, "aria-hidden": "true" }, letter);
  }

  function place(where) {
    if (!where) return "";
    var lines = where[1] === where[2] || where[2] === null || where[2] === undefined ? where[1] : where[1] + "–" + where[2];
    return lines === null || lines === undefined ? where[0] : where[0] + ":" + lines;
  }

  function percent(x) { return typeof x === "number" ? Math.round(x * 100) + "%" : ""; }

  function link(params, text, title) {
    return el("a", { href: "#" + new URLSearchParams(params).toString(), title: title }, text);
  }

  // --- theme ---------------------------------------------------------------------------------------------
  var themes = ["auto", "light", "dark"];
  var themeButton = document.getElementById("theme-button");
  function setTheme(name) {
    document.documentElement.setAttribute("data-theme", name);
    themeButton.textContent = "scheme: " + name;
    try { localStorage.setItem("dedup-theme", name); } catch (e) { /* a file opened with storage off */ }
  }
  try { var saved = localStorage.getItem("dedup-theme"); if (themes.indexOf(saved) >= 0) setTheme(saved); } catch (e) { /* idem */ }
  themeButton.addEventListener("click", function () {
    var now = document.documentElement.getAttribute("data-theme");
    setTheme(themes[(themes.indexOf(now) + 1) % themes.length]);
  });
  var help = document.getElementById("help");
  document.getElementById("help-button").addEventListener("click", function () { help.hidden = !help.hidden; });

  // --- the table of groups -------------------------------------------------------------------------------
  var rows = tbody ? Array.prototype.slice.call(tbody.rows) : [];
  var byId = {};
  rows.forEach(function (row) { byId[row.getAttribute("data-id")] = Number(row.getAttribute("data-order")); });
  var current = -1; // index into visibleRows() of the row selected with j/k in the overview

  function visibleRows() { return Array.prototype.filter.call(tbody ? tbody.rows : [], function (r) { return !r.hidden; }); }

  function sortBy(button) {
    var th = button.parentNode;
    var key = "data-" + button.getAttribute("data-key");
    var numeric = button.getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var collator = new Intl.Collator(["zh-Hans", "en"], { numeric: true });
    var sorted = rows.slice().sort(function (a, b) {
      var x = a.getAttribute(key), y = b.getAttribute(key);
      var order = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      if (order === 0) order = Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
      return ascending ? order : -order;
    });
    sorted.forEach(function (row) { tbody.appendChild(row); });
  }

  function applyFilters() {
    var text = document.getElementById("filter-text").value.trim().toLowerCase();
    var kind = document.getElementById("filter-kind").value;
    var path = document.getElementById("filter-path").value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!text || row.getAttribute("data-headline").toLowerCase().indexOf(text) >= 0 ||
                row.getAttribute("data-id").toLowerCase() === text) &&
               (kind === "" || Number(row.getAttribute("data-k" + kind)) > 0) &&
               (!path || row.getAttribute("data-paths").toLowerCase().indexOf(path) >= 0);
      row.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " groups";
  }

  if (table) {
    Array.prototype.forEach.call(table.tHead.querySelectorAll("button"), function (button) {
      button.addEventListener("click", function () { sortBy(button); });
    });
    ["filter-text", "filter-kind", "filter-path"].forEach(function (id) {
      document.getElementById(id).addEventListener("input", applyFilters);
    });
  }

  function selectRow(step) {
    var visible = visibleRows();
    if (!visible.length) return;
    if (visible[current]) visible[current].classList.remove("current");
    current = Math.max(0, Math.min(visible.length - 1, current + step));
    visible[current].classList.add("current");
    visible[current].scrollIntoView({ block: "nearest" });
  }

  // --- a group -------------------------------------------------------------------------------------------
  function group(index) {
    if (!(index in cache)) cache[index] = readJSON("g" + index);
    return cache[index];
  }

  function go(params) { location.hash = "#" + new URLSearchParams(params).toString(); }

  function neighbour(step) {
    if (page.diff) return null;
    var visible = visibleRows().map(function (r) { return Number(r.getAttribute("data-order")); });
    var at = visible.indexOf(state.index);
    var next = at < 0 ? (step > 0 ? visible[0] : visible[visible.length - 1]) : visible[at + step];
    return next === undefined ? null : group(next).id;
  }

  function witnessById(g, id) {
    for (var i = 0; i < g.witnesses.length; i++) if (g.witnesses[i].id === id) return g.witnesses[i];
    return null;
  }

  function defaultCopy(g) {
    for (var i = 0; i < g.witnesses.length; i++) if (g.witnesses[i].id !== g.reference) return g.witnesses[i];
    return g.witnesses[0];
  }

  function header(g) {
    var nav = el("nav", { class: "group-nav", "aria-label": "Groups" });
    if (!page.diff) {
      var prev = neighbour(-1), next = neighbour(1);
      append(nav, [
        el("button", { type: "button", title: "back to the overview (u)", on: { click: function () { go({}); } } }, "↑ overview"),
        el("button", { type: "button", disabled: prev === null, title: "previous group (k)", on: { click: function () { go({ group: prev }); } } }, "‹ previous"),
        el("button", { type: "button", disabled: next === null, title: "next group (j)", on: { click: function () { go({ group: next }); } } }, "next ›"),
      ]);
    }
    var reference = g.reference === "consensus" ? ["reference: the consensus of the copies"] : ["reference: ", el("b", null, g.reference)];
    if (page.diff) return nav;
    return [nav, el("h2", null, g.id + "  ", el("span", { lang: "zh-Hans" }, g.headline)),
      el("p", { class: "reason" }, reference, g.reason ? " — " + g.reason : "")];
  }

  function segments(w) {
    var out = [];
    w.segments.forEach(function (s, i) {
      if (i) out.push(el("span", { class: "jump", title: "page jump: the story continues in the next file" }, "⤵ continued in"));
      out.push(el("code", null, place(s)));
    });
    return out;
  }

  function witnessTable(g) {
    var body = el("tbody");
    g.witnesses.forEach(function (w) {
      append(body, el("tr", null,
        el("td", null, el("code", null, w.id), w.id === g.reference ? el("span", { class: "ref-mark" }, "ref") : null),
        el("td", null, segments(w)),
        el("td", null, percent(w.coverage)),
        el("td", null, typeof w.similarity === "number" ? w.similarity.toFixed(2) : ""),
        el("td", null, String(w.findings.length)),
        w.source ? el("td", null, w.source) : null));
    });
    var sources = g.witnesses.some(function (w) { return w.source; });
    return el("table", { class: "witnesses" },
      el("thead", null, el("tr", null, el("th", null, "copy"), el("th", null, "file:lines (reading order)"),
        el("th", null, "coverage"), el("th", null, "similarity"), el("th", null, "findings"),
        sources ? el("th", null, "source") : null)), body);
  }

  function legend() {
    return el("div", { class: "legend", "aria-label": "Strip legend" }, "strip:", page.legend.map(function (item) {
      return el("span", null, el("span", { class: "cell s-" + item.status, "aria-hidden": "true" }, item.letter), " " +
        (item.status === "moved" ? "reordered (second row: moved out of the reference order)" : item.status));
    }));
  }

  function strips(g) {
    var n = Math.max.apply(null, g.witnesses.map(function (w) { return w.strip.length; }).concat([0]));
    var ruler = el("div", { class: "strip-row ruler", "aria-hidden": "true" }, el("span", { class: "strip-label" }, "¶"));
    for (var p = 1; p <= n; p++) append(ruler, el("span", { class: "cell" }, p === 1 || p % 5 === 0 ? String(p) : ""));
    var out = [ruler];
    g.witnesses.forEach(function (w) {
      var row = el("div", { class: "strip-row", "data-witness": w.id });
      append(row, el("button", { type: "button", class: "strip-label", title: "show " + w.id + " side by side",
        "aria-current": w.id === state.copy ? "true" : null, on: { click: function () { go(params(g, w.id, null)); } } },
        w.id + (w.id === g.reference ? " ref" : "")));
      w.strip.forEach(function (status, i) {
        var label = "¶" + (i + 1) + " " + status;
        append(row, el("button", { type: "button", class: "cell s-" + status + (w.id === state.copy && i + 1 === state.para ? " open" : ""),
          "data-p": i + 1, title: w.id + " " + label, "aria-label": w.id + " " + label,
          on: { click: function () { go(params(g, w.id, i + 1)); } } }, STRIP[status] || "?"));
      });
      out.push(row);
      if (w.moved.length) {
        var moved = el("div", { class: "strip-row moved-row" }, el("span", { class: "strip-label" }, ""));
        for (var q = 1; q <= w.strip.length; q++) {
          var isMoved = w.moved.indexOf(q) >= 0;
          append(moved, el("span", { class: "cell", title: isMoved ? "¶" + q + " moved out of the reference order" : null }, isMoved ? LETTERS.reordered : ""));
        }
        out.push(moved);
      }
    });
    return el("div", { class: "strips", role: "group", "aria-label": "Coverage strips, one cell per reference paragraph" }, out);
  }

  function params(g, copy, para) {
    var out = { group: g.id };
    if (copy) out.copy = copy;
    if (para) out.p = para;
    return out;
  }

  function lineage(g) {
    if (!g.lineage) return null;
    var root = el("ul"), stack = [root];
    g.lineage.forEach(function (node) {
      while (stack.length > node.depth + 1) stack.pop();
      var parent = stack[stack.length - 1];
      var item = el("li", null,
        el("code", { class: node.seen ? null : "unseen" }, node.id), node.seen ? null : el("span", { class: "unseen" }, " (inferred, not in the corpus)"),
        typeof node.confidence === "number" ? [el("span", { class: "conf", title: "confidence " + node.confidence.toFixed(2) },
          el("span", { style: null })), node.confidence.toFixed(2)] : null,
        node.shared.length ? el("span", { class: "where" }, "  shares: " + node.shared.join(", ")) : null);
      var bar = item.querySelector(".conf > span");
      if (bar) bar.style.width = Math.round(node.confidence * 100) + "%";
      append(parent, item);
      var sub = el("ul");
      append(item, sub);
      stack.push(sub);
    });
    return [el("h3", null, "Lineage: who copied whom"), g.lineage_reason ? el("p", { class: "reason" }, g.lineage_reason) : null,
      el("div", { class: "lineage" }, root)];
  }

  // Text with marks: [{at, len, type, insert, flag}] sorted by position; overlapping marks are skipped.
  function marked(text, marks) {
    var out = [], cursor = 0;
    marks.slice().sort(function (a, b) { return a.at - b.at; }).forEach(function (m) {
      if (m.at < cursor || m.at > text.length) return;
      out.push(text.slice(cursor, m.at));
      var piece = text.slice(m.at, m.at + m.len);
      if (m.type === "del") out.push(el("del", { title: "not in the copy" }, piece));
      else if (m.type === "ins") out.push(el("ins", { class: m.garbled ? "garbled" : null, title: m.garbled ? "garbled in the copy" : "not in the reference" }, piece));
      else if (m.type === "lost") out.push(el("del", { class: "lost", title: "lost by the truncated copy" }, piece));
      else if (m.type === "caret") out.push(el("span", { class: "caret", title: m.title }, "⁁"));
      if (m.insert) out.push(el("ins", { title: "the copy's text here" }, m.insert));
      if (m.flag) out.push(el("span", { class: "flag", title: "a changed " + m.flag }, "⚑" + m.flag));
      cursor = m.at + m.len;
    });
    out.push(text.slice(cursor));
    return out;
  }

  function refMarks(g, f, text) {
    var marks = [];
    f.edits.forEach(function (e) {
      var copyKnown = e[3] >= 0;
      if (e[0]) marks.push({ at: e[2], len: e[0].length, type: "del", insert: copyKnown ? null : e[1], flag: copyKnown ? null : e[4] });
      else if (e[2] >= 0) marks.push({ at: e[2], len: 0, type: "caret", title: "the copy adds text here", insert: copyKnown ? null : e[1] });
    });
    if (f.lost !== undefined && f.lost_side) {
      var n = g.strings[f.lost].length;
      marks.push({ at: f.lost_side === "head" ? 0 : text.length - n, len: n, type: "lost" });
    }
    return marks;
  }

  function copyMarks(f) {
    var garbled = f.kind === "garbled";
    return f.edits.filter(function (e) { return e[3] >= 0; }).map(function (e) {
      return e[1] ? { at: e[3], len: e[1].length, type: "ins", garbled: garbled, flag: e[4] }
        : { at: e[3], len: 0, type: "caret", title: "the copy lacks the reference's text here", flag: e[4] };
    });
  }

  function refSide(g, w, p, fs) {
    if (p === null) return el("div", { class: "slot" }, "not in the reference");
    var own = null;
    fs.forEach(function (f) { if (own === null && f.whole && f.ref_text !== null && f.ref_text !== undefined) own = f; });
    var index = own ? own.ref_text : g.texts[p - 1];
    if (index === null || index === undefined) {
      return el("div", { class: "unquoted" }, "¶" + p + " kept, not quoted: the report quotes only the paragraphs a copy changed.");
    }
    var text = g.strings[index], marks = [];
    fs.forEach(function (f) { if (f.whole && f.ref_text === index) marks = marks.concat(refMarks(g, f, text)); });
    var from = own ? own.ref_at : null;
    return [el("div", { class: "text", lang: "zh-Hans" }, marked(text, marks)),
      from ? el("div", { class: "where" }, place(from)) : g.reference === "consensus" ? el("div", { class: "where" }, "consensus reading") : null];
  }

  function copySide(g, w, p, fs) {
    var status = p === null ? "added" : w.strip[p - 1];
    var blocks = [], seen = {};
    fs.forEach(function (f) {
      if (!f.copy_at || f.copy_text === null || f.copy_text === undefined) return;
      var key = place(f.copy_at) + "|" + f.copy_text;
      if (!(key in seen)) { seen[key] = { where: f.copy_at, text: f.copy_text, marks: [] }; blocks.push(seen[key]); }
      seen[key].marks = seen[key].marks.concat(copyMarks(f));
    });
    var out = [];
    if (!blocks.length && status === "dropped") out.push(el("div", { class: "slot s-dropped" }, "− dropped: this copy does not have ¶" + p));
    else if (!blocks.length) {
      var index = g.texts[p - 1];
      out.push(index === null || index === undefined ? el("div", { class: "unquoted" }, "kept: the same text as the reference")
        : el("div", { class: "text same", lang: "zh-Hans", title: "kept: the same text as the reference" }, g.strings[index]));
    }
    blocks.forEach(function (b) {
      var segment = w.segments.length > 1 ? w.segments.map(function (s) { return s[0]; }).indexOf(b.where[0]) : -1;
      out.push(el("div", { class: "copy-block" },
        el("div", { class: "text", lang: "zh-Hans" }, marked(g.strings[b.text], b.marks)),
        el("div", { class: "where" }, place(b.where) + (segment >= 0 ? "  (part " + (segment + 1) + " of " + w.segments.length + ", across a page jump)" : ""))));
    });
    var notes = el("ul", { class: "notes" });
    fs.forEach(function (f) { if (f.kind !== "dropped" || blocks.length) append(notes, note(g, w, p, f)); });
    if (notes.childNodes.length) out.push(notes);
    return out;
  }

  function note(g, w, p, f) {
    var what = [];
    if (f.kind === "reordered") {
      what.push("moved: in the copy it stands ");
      what.push(f.after ? link(params(g, w.id, f.after), "after ¶" + f.after, "go to the paragraph it follows in the copy") : "first");
    } else if (f.kind === "duplicated" || f.kind === "split") {
      what.push((f.kind === "split" ? "split, in " : "stands ") + (f.occurrences || []).length + (f.kind === "split" ? " copy paragraphs: " : " times: "));
      what.push((f.occurrences || []).map(place).join(", "));
    } else if (f.kind === "merged") {
      what.push("merged: ");
      f.paras.forEach(function (q, i) { what.push(i ? ", " : ""); what.push(q === p ? "¶" + q : link(params(g, w.id, q), "¶" + q)); });
      what.push(" in one copy paragraph");
    } else if (f.kind === "truncated") {
      what.push(f.lost_side ? "truncated: the " + f.lost_side + " is lost" : "truncated, lost: ");
      if (!f.lost_side && f.lost !== undefined) what.push(el("del", { class: "lost" }, g.strings[f.lost]));
    } else if (f.kind === "substituted" || f.kind === "garbled") {
      what.push(f.kind + ": " + f.edits.length + " edit" + (f.edits.length === 1 ? "" : "s"));
      var flags = f.edits.filter(function (e) { return e[4]; }).map(function (e) { return "⚑" + e[4]; });
      if (flags.length) what.push(el("span", { class: "flag" }, " " + flags.join(" ")));
    } else if (f.kind === "added") {
      what.push("added: not in the reference");
    } else {
      what.push(f.kind);
    }
    if (f.direction === "unknown") what.push(el("span", { class: "where", title: "two copies: which one changed cannot be told" }, "  (direction unknown)"));
    return el("li", { "data-finding": w.findings.indexOf(f), title: f.detail || null }, badge(f.kind, LETTERS[f.kind] || "?"), " ", what);
  }

  function sideBySide(g, w) {
    var picker = el("select", { id: "copy-select", "aria-label": "copy shown side by side",
      on: { change: function (ev) { go(params(g, ev.target.value, null)); } } });
    g.witnesses.forEach(function (x) {
      if (x.id === g.reference && g.witnesses.length > 1) return;
      append(picker, el("option", { value: x.id, selected: x.id === w.id }, x.id + "  " + x.findings.length + " findings  " + place(x.segments[0])));
    });
    var body = el("div", { class: "sbs", "data-witness": w.id });
    var run = []; // kept paragraphs the payload does not quote, drawn as one row
    function flush() {
      if (!run.length) return;
      var first = run[0], last = run[run.length - 1];
      var span = first === last ? "¶" + first : "¶" + first + "–" + last;
      append(body, el("div", { class: "sbs-row unquoted-run", id: "row-" + first, "data-p": first, "data-to": last, "data-status": "kept" },
        el("div", { class: "gutter" }, link(params(g, w.id, first), span, "link to these paragraphs"), el("span", { class: "badge s-kept" }, STRIP.kept + " kept")),
        el("div", { class: "unquoted" }, span + " kept, not quoted: the report quotes only the paragraphs a copy changed."),
        el("div", { class: "unquoted copy-side" }, "kept: the same text as the reference")));
      run = [];
    }
    w.rows.forEach(function (row, r) {
      var p = row[0], fs = row[1].map(function (i) { return w.findings[i]; });
      var status = p === null ? "added" : w.strip[p - 1];
      if (p !== null && !fs.length && (status === "kept" || status === "reordered") && (g.texts[p - 1] === null || g.texts[p - 1] === undefined)) {
        run.push(p);
        return;
      }
      flush();
      var letter = p === null ? LETTERS.added : STRIP[status] || "?";
      var gutter = el("div", { class: "gutter" },
        p === null ? "+" : link(params(g, w.id, p), "¶" + p, "link to this paragraph"),
        el("span", { class: "badge s-" + status, title: status }, letter + " " + status),
        w.moved.indexOf(p) >= 0 ? el("span", { class: "badge s-moved", title: "moved out of the reference order" }, LETTERS.reordered + " moved") : null);
      append(body, el("div", { class: "sbs-row", id: p === null ? "row-added-" + r : "row-" + p, "data-p": p === null ? "" : p, "data-status": status, "data-findings": fs.length || null },
        gutter, el("div", { class: "ref-side" }, refSide(g, w, p, fs)), el("div", { class: "copy-side" }, copySide(g, w, p, fs))));
    });
    flush();
    var refName = page.diff ? "reference" : g.reference === "consensus" ? "reference: consensus" : "reference: " + g.reference;
    return [el("h3", null, "Side by side"),
      el("div", { class: "copy-picker" }, el("label", { for: "copy-select" }, "copy"), picker, segments(w)),
      el("div", { class: "sbs-head" }, el("span", null, "¶"), el("span", null, refName), el("span", { class: "copy-side" }, "copy: " + w.id)),
      body];
  }

  function findings(g) {
    var present = {};
    g.witnesses.forEach(function (w) { w.findings.forEach(function (f) { present[f.kind] = (present[f.kind] || 0) + 1; }); });
    var lists = el("div", { class: "findings" });
    var filter = el("div", { class: "findings-filter", role: "group", "aria-label": "Show findings of these kinds" });
    KINDS.forEach(function (kind) {
      if (!present[kind]) return;
      append(filter, el("label", null, el("input", { type: "checkbox", checked: true, value: kind, on: { change: function (ev) {
        Array.prototype.forEach.call(lists.querySelectorAll('.finding-item[data-kind="' + kind + '"]'), function (item) { item.hidden = !ev.target.checked; });
      } } }), " ", badge(kind, LETTERS[kind]), " " + kind + " (" + present[kind] + ")"));
    });
    g.witnesses.forEach(function (w) {
      if (!w.findings.length) return;
      var list = el("ol");
      w.findings.forEach(function (f, i) {
        var text = f.copy_text !== undefined && f.copy_text !== null ? g.strings[f.copy_text] : f.ref_text !== undefined && f.ref_text !== null ? g.strings[f.ref_text] : "";
        var open = function () { go(params(g, w.id, f.para || null)); };
        append(list, el("li", { class: "finding-item", tabindex: "0", "data-kind": f.kind, "data-witness": w.id, "data-index": i,
          on: { click: open, keydown: function (ev) { if (ev.key === "Enter") open(); } } },
          el("span", null, badge(f.kind, LETTERS[f.kind] || "?"), " " + f.kind),
          el("span", null, f.para ? "¶" + f.para : "—"),
          el("span", { class: "excerpt", lang: "zh-Hans" }, (f.copy_at ? place(f.copy_at) + "  " : "") + text.slice(0, 80))));
      });
      append(lists, [el("h4", null, w.id + ": " + w.findings.length + " finding" + (w.findings.length === 1 ? "" : "s")), list]);
    });
    if (!lists.childNodes.length) return [el("h3", null, "Findings"), el("p", { class: "note" }, "No findings: every copy keeps the reference as it is.")];
    return [el("h3", null, "Findings by copy"), filter, lists];
  }

  function showGroup(index, copy, para) {
    var g = group(index);
    var w = witnessById(g, copy) || defaultCopy(g);
    state = { index: index, copy: w.id, para: para, finding: -1 };
    groupRoot.replaceChildren(el("div", { "data-group": g.id },
      header(g), page.diff ? null : [el("h3", null, "Copies"), witnessTable(g)], el("h3", null, "Coverage strips"), legend(), strips(g),
      lineage(g), sideBySide(g, w), findings(g)));
    overview.hidden = !page.diff;
    groupRoot.hidden = false;
    document.title = (page.diff ? "dedup diff" : g.id + " " + g.headline) + " · dedup";
    var target = para ? rowOf(para) : null;
    if (target) {
      target.classList.add("open");
      target.scrollIntoView({ block: "start" });
    } else {
      window.scrollTo(0, 0);
    }
  }

  // The side-by-side row that shows reference paragraph p (a run of unquoted kept paragraphs shares one row).
  function rowOf(p) {
    return document.getElementById("row-" + p) || Array.prototype.find.call(groupRoot.querySelectorAll(".sbs-row[data-to]"),
      function (row) { return Number(row.getAttribute("data-p")) <= p && p <= Number(row.getAttribute("data-to")); }) || null;
  }

  function showOverview() {
    state = { index: null, copy: null, para: null, finding: -1 };
    groupRoot.hidden = true;
    groupRoot.replaceChildren();
    overview.hidden = false;
  }

  function route() {
    var query = new URLSearchParams(location.hash.replace(/^#/, ""));
    var id = query.get("group");
    if (page.diff) { if (page.compared) showGroup(0, query.get("copy"), Number(query.get("p")) || null); return; }
    if (id === null || !(id in byId)) { showOverview(); return; }
    showGroup(byId[id], query.get("copy"), Number(query.get("p")) || null);
  }

  // n / p: the next or previous row with a finding of the copy shown side by side, opened in place.
  function stepFinding(step) {
    var items = Array.prototype.slice.call(groupRoot.querySelectorAll(".sbs-row[data-findings]"));
    if (!items.length) return;
    var at = items.findIndex(function (row) { return row.classList.contains("open"); });
    Array.prototype.forEach.call(groupRoot.querySelectorAll(".sbs-row.open"), function (r) { r.classList.remove("open"); });
    var next = items[Math.max(0, Math.min(items.length - 1, at < 0 ? (step > 0 ? 0 : items.length - 1) : at + step))];
    next.classList.add("open");
    next.scrollIntoView({ block: "center" });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName);
    if (typing) { if (ev.key === "Escape") ev.target.blur(); return; }
    var inGroup = !groupRoot.hidden;
    if (ev.key === "?") help.hidden = !help.hidden;
    else if (ev.key === "/" && !page.diff) { showOverview(); if (location.hash) go({}); document.getElementById("filter-text").focus(); }
    else if ((ev.key === "u" || ev.key === "Escape") && inGroup && !page.diff) go({});
    else if ((ev.key === "j" || ev.key === "k") && inGroup) { var id = neighbour(ev.key === "j" ? 1 : -1); if (id !== null) go({ group: id }); }
    else if (ev.key === "j" || ev.key === "k") selectRow(ev.key === "j" ? 1 : -1);
    else if (ev.key === "Enter" && !inGroup && visibleRows()[current]) go({ group: visibleRows()[current].getAttribute("data-id") });
    else if ((ev.key === "n" || ev.key === "p") && inGroup) stepFinding(ev.key === "n" ? 1 : -1);
    else return;
    ev.preventDefault();
  });

  window.addEventListener("hashchange", route);
  route();
  document.documentElement.setAttribute("data-ready", "true");
  performance.mark("dedup-ready"); // read by benchmarks/bench_html.py: the table is sortable, the keys bound
})();
