/* mentorsite default theme: the colour-scheme toggle and offline search. No request leaves the
   site: the search index is a JSON file beside the pages (see docs/search.md). */
(function () {
  "use strict";
  var root = document.documentElement;

  /* ---- light / dark ------------------------------------------------------------------------ */
  var THEME_KEY = "mentorsite-theme";
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function currentScheme() {
    var set = root.getAttribute("data-theme");
    if (set === "dark" || set === "light") return set;
    return media && media.matches ? "dark" : "light";
  }
  function syncToggle() {
    var dark = currentScheme() === "dark";
    document.querySelectorAll(".theme-toggle").forEach(function (b) {
      b.setAttribute("aria-pressed", dark ? "true" : "false");
    });
  }
  document.querySelectorAll(".theme-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      var next = currentScheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* private mode: not remembered */ }
      syncToggle();
    });
  });
  if (media && media.addEventListener) media.addEventListener("change", syncToggle);
  syncToggle();

  /* remember the language a reader picked, for the root page of a multilingual site */
  document.querySelectorAll(".language-switcher a[hreflang]").forEach(function (a) {
    a.addEventListener("click", function () {
      try { localStorage.setItem("mentorsite-language", a.getAttribute("hreflang")); } catch (e) { /* ignore */ }
    });
  });

  /* ---- wide tables ------------------------------------------------------------------------- */
  /* A table wider than its column scrolls sideways inside its own box (.table-wrap). Each box is
     put in a frame (.table-box) that shows a shadow at the edge where the table is cut, and while
     it is cut the box is a labelled region the keyboard can reach (tab to it, then the arrow keys). */
  function label(wrap) {
    var table = wrap.querySelector("table");
    var field = wrap.closest(".field");
    var figure = wrap.closest("figure");
    var caption = table && table.querySelector("caption");
    var text = wrap.getAttribute("data-label") ? wrap.getAttribute("data-label")
      : caption ? caption.textContent
      : field && field.querySelector(".field-label") ? field.querySelector(".field-label").textContent
      : figure && figure.querySelector("figcaption") ? figure.querySelector("figcaption").textContent
      : "";
    for (var el = wrap.parentNode.previousElementSibling; !text && el; el = el.previousElementSibling) {
      if (/^H[2-6]$/.test(el.tagName)) text = el.textContent;
      else if (el.matches(".table-box, table, figure")) break;
    }
    if (!text && table) {  /* no heading just before it: its column headings */
      text = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); }).join(", ");
    }
    return text.replace(/\s+/g, " ").trim().slice(0, 120);
  }
  /* Regions need names of their own: the print edition holds the home page's roles and a guide's
     too, or a worksheet twice. A name already taken gets the titles around it (the worksheet, the
     part of the book), then a number. */
  function unique(name, wrap) {
    var taken = {};
    document.querySelectorAll("[role=region][aria-label]").forEach(function (el) {
      if (el !== wrap) taken[el.getAttribute("aria-label")] = true;
    });
    var el = wrap.closest("[data-title]");
    while (taken[name] && el) {
      name += " — " + el.getAttribute("data-title");
      el = el.parentElement && el.parentElement.closest("[data-title]");
    }
    for (var n = 2, base = name; taken[name]; n++) name = base + " (" + n + ")";
    return name;
  }
  function frame(wrap) {
    if (wrap.parentNode.classList.contains("table-box")) return wrap.parentNode;
    var box = document.createElement("div");
    box.className = "table-box";
    wrap.parentNode.insertBefore(box, wrap);
    box.appendChild(wrap);
    wrap.addEventListener("scroll", function () { cut(wrap); }, { passive: true });
    /* a field tabbed to is shown whole, not half under the box's edge */
    wrap.addEventListener("focusin", function (e) {
      if (e.target === wrap) return;
      var r = e.target.getBoundingClientRect(), w = wrap.getBoundingClientRect();
      if (r.right > w.right) wrap.scrollLeft += Math.min(r.right - w.right + 16, r.left - w.left);
      else if (r.left < w.left) wrap.scrollLeft -= w.left - r.left + 16;
    });
    return box;
  }
  function cut(wrap) {
    var box = wrap.parentNode;
    var room = wrap.scrollWidth - wrap.clientWidth;
    var edges = [];
    if (room > 1 && wrap.scrollLeft > 1) edges.push("left");
    if (room > 1 && wrap.scrollLeft < room - 1) edges.push("right");
    box.setAttribute("data-cut", edges.join(" "));
    if (room > 1) {
      if (!wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", unique(label(wrap), wrap));
      }
    } else if (wrap.getAttribute("role") === "region") {
      wrap.removeAttribute("tabindex"); wrap.removeAttribute("role"); wrap.removeAttribute("aria-label");
    }
  }
  function scrollables() {
    /* a Markdown table gets the same box as the theme's own tables */
    document.querySelectorAll(".prose table").forEach(function (table) {
      if (table.parentNode.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    document.querySelectorAll(".table-wrap, .timeline-wrap").forEach(function (wrap) { frame(wrap); cut(wrap); });
  }
  scrollables();
  window.addEventListener("resize", function () { clearTimeout(scrollables.t); scrollables.t = setTimeout(scrollables, 100); });

  /* ---- search ------------------------------------------------------------------------------ */
  var box = document.querySelector("form.search-box");
  if (!box) return;
  var base = box.getAttribute("data-index"); // the search page's URL; the index lives under it
  var words = {};
  try { words = JSON.parse(box.getAttribute("data-words") || "{}"); } catch (e) { /* defaults */ }
  var index = null, loading = null, chunks = {};

  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  var WORD = /[\p{L}\p{N}_]+/gu;
  function queryTerms(q) {
    var out = [];
    (fold(q).match(WORD) || []).forEach(function (w) {
      if ((w.length > 1 || /\d/.test(w)) && out.indexOf(w) < 0) out.push(w);
    });
    return out;
  }
  function loadIndex() {
    if (!loading) {
      loading = fetch(base + "index.json").then(function (r) { return r.json(); }).then(function (data) {
        index = data;
        index.keys = Object.keys(data.terms);
        /* each term's Snowball stem, where the index groups it with others (format 2; see search.py) */
        index.stems = data.stems || {};
        index.stemOf = {};
        Object.keys(index.stems).forEach(function (stem) {
          index.stems[stem].forEach(function (term) { index.stemOf[term] = stem; });
        });
        index.suffixes = (data.suffixes || []).slice().sort(function (a, b) { return a.length - b.length; });
        return data;
      });
    }
    return loading;
  }
  function loadChunk(n) {
    if (!chunks[n]) chunks[n] = fetch(base + "text/" + n + ".json").then(function (r) { return r.json(); });
    return chunks[n];
  }
  /* The stem of a query word, as the build's Snowball stemmer made it: a term's own (from the
     index), or for a word no page has, the longest stem it starts with followed by an ending
     Snowball took off the site's words ("mentored": "mentor" and "ed"). */
  function stemOf(word) {
    if (Object.prototype.hasOwnProperty.call(index.terms, word)) return index.stemOf[word] || word;
    var endings = index.suffixes;
    for (var i = 0; i < endings.length; i++) {
      var stem = word.slice(0, word.length - endings[i].length);
      if (stem.length < 3 || word.slice(stem.length) !== endings[i]) continue;
      if (Object.prototype.hasOwnProperty.call(index.stems, stem) ||
          (Object.prototype.hasOwnProperty.call(index.terms, stem) && !index.stemOf[stem])) return stem;
    }
    return null;
  }
  /* The terms that share a query word's stem: "mentored" finds "mentoring" and "mentors". */
  function sameStem(word) {
    if (word.length < 3 || /\d/.test(word)) return [];
    var stem = stemOf(word);
    if (!stem) return [];
    var group = (index.stems[stem] || []).slice();
    if (Object.prototype.hasOwnProperty.call(index.terms, stem) && group.indexOf(stem) < 0) group.push(stem);
    return group;
  }
  var SAME_STEM = 0.9;  /* a term of the word's stem counts a little less than the word itself */
  /* Every term a query word matches: the word itself, words it starts, a singular form, and the
     words of the same stem. */
  function expand(word) {
    var forms = [word];
    if (word.length > 4 && /s$/.test(word)) forms.push(word.replace(/(es|s)$/, ""));
    var found = {};
    index.keys.forEach(function (term) {
      for (var i = 0; i < forms.length; i++) {
        if (term === forms[i]) { found[term] = 1; return; }
        if (term.lastIndexOf(forms[i], 0) === 0 && forms[i].length >= 2) {
          var f = forms[i].length / term.length;
          found[term] = Math.max(found[term] || 0, 0.5 + 0.4 * f);
          return;
        }
      }
    });
    sameStem(word).forEach(function (term) { found[term] = Math.max(found[term] || 0, SAME_STEM); });
    return found;
  }
  /* Words a reader may have mistyped: the terms at most one edit away (two for a long word), an
     edit being a letter added, dropped, changed, or two side by side swapped ("mentro"). */
  function distance(a, b, most) {
    if (Math.abs(a.length - b.length) > most) return most + 1;
    var rows = [[], [], []];
    for (var j = 0; j <= b.length; j++) rows[0][j] = j;
    for (var i = 1; i <= a.length; i++) {
      var row = rows[i % 3], prev = rows[(i + 2) % 3], prev2 = rows[(i + 1) % 3], least = row[0] = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
        row[j] = d;
        if (d < least) least = d;
      }
      if (least > most) return most + 1;
    }
    return rows[a.length % 3][b.length];
  }
  function near(word) {
    var found = {}, most = word.length >= 8 ? 2 : 1;
    if (word.length < 4 || /\d/.test(word)) return found;
    index.keys.forEach(function (term) {
      var d = distance(word, term, most);
      if (d <= most) found[term] = d === 1 ? 0.45 : 0.3;
    });
    return found;
  }
  /* A query: its words, and its "quoted phrases" (each the words that must stand together). */
  function parseQuery(q) {
    var phrases = [];
    var rest = q.replace(/"([^"]*)"?/g, function (_, inside) {
      var t = queryTerms(inside);
      if (t.length > 1) phrases.push(t);
      return " " + inside + " ";
    });
    return { words: queryTerms(rest), phrases: phrases };
  }
  function search(query) {
    var words_ = query.words, marked = words_.slice(), guessed = [];
    if (!words_.length) return [];
    var n = index.docs.length;
    var perWord = words_.map(function (w) {
      var scores = {};
      var terms = expand(w);
      if (!Object.keys(terms).length) {  // a word no page has: the words it may be a typo of
        terms = near(w);
        var close = Object.keys(terms).sort(function (a, b) { return terms[b] - terms[a] || (index.terms[b].length - index.terms[a].length); });
        close.forEach(function (term) { if (marked.indexOf(term) < 0) marked.push(term); });
        if (close.length) guessed.push({ word: w, near: close[0] });
      }
      Object.keys(terms).forEach(function (term) {
        if (terms[term] === SAME_STEM && marked.indexOf(term) < 0) marked.push(term);  // marked in excerpts too
        var postings = index.terms[term];
        var idf = Math.log(1 + n / (postings.length / 2));
        for (var i = 0; i < postings.length; i += 2) {
          var w = postings[i + 1], inTitle = w >= 100, rest = w % 100;  /* see search.py */
          var s = terms[term] * idf * ((inTitle ? 3 : 0) + Math.log(1 + rest));
          scores[postings[i]] = Math.max(scores[postings[i]] || 0, s);
        }
      });
      return scores;
    });
    var total = {};
    perWord.forEach(function (scores) {
      Object.keys(scores).forEach(function (d) { total[d] = (total[d] || 0) + scores[d]; });
    });
    var docs = Object.keys(total);
    var all = docs.filter(function (d) { return perWord.every(function (s) { return d in s; }); });
    if (all.length) docs = all; // every word when possible, else any
    docs.sort(function (a, b) { return total[b] - total[a] || a - b; });
    var found = docs.map(function (d) { return { id: +d, score: total[d], words: marked, phrases: query.phrases }; });
    found.guessed = guessed;  // [{word, near}]: the words taken for typos, and what they were taken for
    return found;
  }
  /* Where a phrase stands in a folded text (its words in order, apart only by spaces or
     punctuation, each word matching words it starts), or -1. */
  function phraseAt(folded, phrase) {
    var source = phrase.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[\\p{L}\\p{N}_]*"; })
      .join("[^\\p{L}\\p{N}_]+");
    var m = new RegExp("(^|[^\\p{L}\\p{N}_])" + source, "u").exec(folded);
    return m ? m.index + m[1].length : -1;
  }
  /* The results whose title or text holds every phrase (their texts are loaded to see). */
  function withPhrases(found) {
    return Promise.all(found.map(function (r) {
      return loadChunk(Math.floor(r.id / index.chunk)).then(function (chunk) {
        var texts = [fold(index.docs[r.id][1])];
        (chunk[r.id % index.chunk] || []).forEach(function (part) { texts.push(fold(part[1]), fold(part[2])); });
        return r.phrases.every(function (phrase) {
          return texts.some(function (t) { return phraseAt(t, phrase) >= 0; });
        }) ? r : null;
      });
    })).then(function (kept) { return kept.filter(Boolean); });
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  /* A piece of text around the best match (the part with the most query words), every matching
     word marked. */
  function wordAt(folded, word) {
    var re = new RegExp("(^|[^\\p{L}\\p{N}_])" + word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
    var m = re.exec(folded);
    return m ? m.index + m[1].length : -1;
  }
  function excerpt(parts, words_, phrases) {
    var best = null, bestCount = 0;
    for (var p = 0; p < parts.length && phrases && phrases.length; p++) {  // the part with the phrase
      var at = phraseAt(fold(parts[p][2]), phrases[0]);
      if (at >= 0) { best = { part: parts[p], at: at }; bestCount = words_.length; break; }
    }
    for (p = 0; p < parts.length && !best; p++) {
      var folded = fold(parts[p][2]), count = 0, first = -1;
      for (var w = 0; w < words_.length; w++) {
        var at = wordAt(folded, words_[w]);
        if (at >= 0) { count++; if (first < 0 || at < first) first = at; }
      }
      if (count > bestCount) { best = { part: parts[p], at: first }; bestCount = count; }
      if (count === words_.length) break;
    }
    if (!best) best = { part: parts[0] || ["", "", ""], at: 0 };
    var text = best.part[2];
    var start = Math.max(0, best.at - 60);
    if (start > 0) { var sp = text.indexOf(" ", start); start = sp >= 0 && sp < best.at ? sp + 1 : start; }
    var end = Math.min(text.length, best.at + 160);
    var cut = text.slice(start, end);
    if (end < text.length) { var last = cut.lastIndexOf(" "); if (last > 80) cut = cut.slice(0, last); }
    var html = "", pos = 0, foldedCut = fold(cut);
    var tokenRe = /[\p{L}\p{N}_]+/gu, m2;
    while ((m2 = tokenRe.exec(foldedCut))) {
      var hit = words_.some(function (w) { return m2[0].lastIndexOf(w, 0) === 0 || (w.length > 4 && m2[0].lastIndexOf(w.replace(/(es|s)$/, ""), 0) === 0); });
      if (!hit) continue;
      html += escapeHtml(cut.slice(pos, m2.index)) + "<mark>" + escapeHtml(cut.slice(m2.index, m2.index + m2[0].length)) + "</mark>";
      pos = m2.index + m2[0].length;
    }
    html += escapeHtml(cut.slice(pos));
    return { html: (start > 0 ? "… " : "") + html + (start + cut.length < text.length ? " …" : ""), anchor: best.part[0], heading: best.part[1] };
  }
  function siteUrl(path) {
    return base.replace(/search\/$/, "") + path;
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] != null ? values[k] : ""; });
  }
  /* The first `limit` results with their excerpts: [{url, title, section, heading, html}]. */
  function results(q, limit) {
    var guessed = [];
    return loadIndex().then(function () {
      var query = parseQuery(q), found = search(query);
      guessed = found.guessed || [];
      return query.phrases.length ? withPhrases(found) : found;
    }).then(function (found) {
      var shown = found.slice(0, limit);
      return Promise.all(shown.map(function (r) {
        return loadChunk(Math.floor(r.id / index.chunk)).then(function (chunk) {
          var doc = index.docs[r.id];
          var ex = excerpt(chunk[r.id % index.chunk] || [], r.words, r.phrases);
          return {
            url: siteUrl(doc[0]) + (ex.anchor ? "#" + ex.anchor : ""),
            title: doc[1], section: doc[2], heading: ex.heading && ex.heading !== doc[1] ? ex.heading : "",
            html: ex.html
          };
        });
      })).then(function (items) { return { total: found.length, items: items, guessed: found.length ? guessed : [] }; });
    });
  }
  function resultHtml(r) {
    var where = [r.section, r.heading].filter(Boolean).join(" › ");
    return '<a class="search-result-link" href="' + escapeHtml(r.url) + '">' +
      '<span class="search-result-title">' + escapeHtml(r.title) + "</span>" +
      (where ? '<span class="search-result-section">' + escapeHtml(where) + "</span>" : "") +
      '<span class="search-result-excerpt">' + r.html + "</span></a>";
  }
  function countText(total, q, guessed) {
    if (!total) return fill(words.none, { query: q });
    var text = total === 1 ? fill(words.one, { query: q }) : fill(words.results, { query: q, count: total });
    (guessed || []).forEach(function (g) { text += " " + fill(words.near, { word: g.word, near: g.near }); });
    return text;
  }
  /* Arrow keys move between links of a list; Home/End jump; Escape goes back to the input. */
  function keyNav(list, input, onEscape) {
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown") { e.preventDefault(); (links[i + 1] || links[i]).focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); if (i === 0) input.focus(); else links[i - 1].focus(); }
      else if (e.key === "Home") { e.preventDefault(); links[0].focus(); }
      else if (e.key === "End") { e.preventDefault(); links[links.length - 1].focus(); }
      else if (e.key === "Escape") { e.preventDefault(); input.focus(); if (onEscape) onEscape(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
  }

  /* The box in the header: results as you type, in a panel under it. */
  var input = box.querySelector("input[name=q]");
  var panel = document.createElement("div");
  panel.className = "search-panel";
  panel.id = "search-panel";
  panel.hidden = true;
  panel.innerHTML = '<p class="search-panel-status" role="status" aria-live="polite"></p><ol class="search-panel-list"></ol>' +
    '<p class="search-panel-more"><a href="#"></a></p>';
  box.appendChild(panel);
  input.setAttribute("aria-controls", "search-panel");
  var status = panel.querySelector(".search-panel-status");
  var list = panel.querySelector(".search-panel-list");
  var more = panel.querySelector(".search-panel-more a");
  var timer = null, generation = 0;
  function close() { panel.hidden = true; }
  function update() {
    var q = input.value.trim();
    var mine = ++generation;
    if (!q) { close(); return; }
    status.textContent = words.loading || "";
    results(q, 6).then(function (res) {
      if (mine !== generation) return;
      status.textContent = countText(res.total, q, res.guessed);
      list.innerHTML = res.items.map(function (r) { return "<li>" + resultHtml(r) + "</li>"; }).join("");
      more.href = base + "?q=" + encodeURIComponent(q);
      more.textContent = words.all || "";
      more.parentNode.hidden = res.total <= res.items.length;
      panel.hidden = false;
    }).catch(function () { status.textContent = ""; });
  }
  input.addEventListener("focus", function () { loadIndex(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 120); });
  input.addEventListener("keydown", function (e) { if (e.key === "Escape") { input.value = ""; close(); } });
  keyNav(panel, input, close);
  document.addEventListener("click", function (e) { if (!box.contains(e.target)) close(); });
  box.addEventListener("focusout", function () {
    setTimeout(function () { if (!box.contains(document.activeElement)) close(); }, 0);
  });
  /* "/" focuses the search box, as on many documentation sites */
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && tag !== "input" && tag !== "textarea" && tag !== "select" && !e.target.isContentEditable) {
      e.preventDefault();
      input.focus();
    }
  });

  /* The search page: ?q= results in full. */
  var pageList = document.getElementById("search-results");
  if (!pageList) return;
  var pageInput = document.getElementById("search-page-q");
  var pageStatus = document.querySelector(".search-status");
  var q0 = new URLSearchParams(location.search).get("q") || "";
  pageInput.value = q0;
  pageList.setAttribute("aria-describedby", "search-hint");
  keyNav(pageList, pageInput);
  function showPage(q) {
    if (!q.trim()) { pageStatus.textContent = ""; pageList.innerHTML = ""; return; }
    pageStatus.textContent = words.loading || "";
    results(q, 50).then(function (res) {
      pageStatus.textContent = countText(res.total, q.trim(), res.guessed);
      pageList.innerHTML = res.items.map(function (r) { return '<li class="search-result">' + resultHtml(r) + "</li>"; }).join("");
    });
  }
  pageInput.form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = pageInput.value;
    history.replaceState(null, "", base + (q ? "?q=" + encodeURIComponent(q) : ""));
    showPage(q);
  });
  showPage(q0);
  if (!q0) pageInput.focus();
})();
