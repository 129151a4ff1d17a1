/* mentorsite — worksheets that keep their answers.
 *
 * Every .worksheet[data-worksheet] on a page (the worksheet's own page, or one embedded in a guide)
 * keeps what is typed in localStorage under its data-storage-key ("mentorsite:<base path>:worksheet:
 * <id>"), restores it on load, and gets Print, Export (a JSON file), Import and Clear buttons.
 * Nothing leaves the browser. Without this script the form still works; answers are just not kept.
 *
 * Answers, saved and exported, are keyed by field id:
 *   line, text, date, signature, choice, scale -> "text"
 *   checklist                                  -> ["checked option", ...]
 *   table                                      -> [{"<column id>": "text" | true/false}, ...] per row
 * The saved copy holds only what differs from the page's defaults (pre-filled milestone rows keep
 * following the handbook); an export holds every field.
 */
(function () {
  "use strict";

  var FORMAT = "mentorsite-worksheet-answers/1";
  // English words, used when the page carries none (a theme that overrides the toolbar)
  var WORDS = {
    saved: "Your answers are kept in this browser only.",
    not_kept: "This browser does not keep answers: export them to keep a copy.",
    not_saved: "Could not save in this browser (storage is full or blocked). Export your answers to keep them.",
    confirm_clear: "Clear every answer on this worksheet? Export them first if you want to keep a copy.",
    cleared: "Cleared. The worksheet is blank again.",
    exported: "Exported your answers to {file}.",
    imported: "Imported {count} answers from {file}.",
    import_not_json: "Could not import {file}: it is not a JSON file of answers.",
    import_no_answers: "Could not import {file}: it holds no answers.",
    import_other: "Could not import {file}: it holds answers for the worksheet '{id}', not this one."
  };

  function getStore() {
    try {
      var s = window.localStorage, probe = "mentorsite:probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // storage disabled (private mode, file:// in some browsers): the form still works
    }
  }

  function controls(el) {
    return Array.prototype.slice.call(el.querySelectorAll("input, textarea, select"));
  }

  function defaultOf(c) {
    if (c.type === "checkbox" || c.type === "radio") return c.defaultChecked;
    if (c.tagName === "SELECT") {
      for (var i = 0; i < c.options.length; i++) if (c.options[i].defaultSelected) return c.options[i].value;
      return c.options.length ? c.options[0].value : "";
    }
    return c.defaultValue;
  }

  function valueOf(c) {
    return c.type === "checkbox" || c.type === "radio" ? c.checked : c.value;
  }

  function setValue(c, v) {
    if (c.type === "checkbox" || c.type === "radio") c.checked = !!v;
    else c.value = v == null ? "" : String(v);
  }

  function changed(c) {
    return valueOf(c) !== defaultOf(c);
  }

  /* The answer of one field, or undefined when `onlyChanged` and it is as the page made it. */
  function readField(field, onlyChanged) {
    var kind = field.getAttribute("data-kind");
    var cs = controls(field);
    if (!onlyChanged || cs.some(changed)) {
      if (kind === "checklist") {
        return cs.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
      }
      if (kind === "choice" || kind === "scale") {
        var on = cs.filter(function (c) { return c.checked; })[0];
        return on ? on.value : "";
      }
      if (kind !== "table") return cs.length ? cs[0].value : "";
      var rows = Array.prototype.slice.call(field.querySelectorAll("tbody tr"));
      return rows.map(function (tr) {
        var row = {};
        Array.prototype.forEach.call(tr.querySelectorAll("td[data-col]"), function (td) {
          var c = controls(td)[0];
          if (c && (!onlyChanged || changed(c))) row[td.getAttribute("data-col")] = valueOf(c);
        });
        return row;
      });
    }
    return undefined;
  }

  function writeField(field, value) {
    var kind = field.getAttribute("data-kind");
    var cs = controls(field);
    if (kind === "checklist") {
      var list = Array.isArray(value) ? value.map(String) : [];
      cs.forEach(function (c) { c.checked = list.indexOf(c.value) >= 0; });
    } else if (kind === "choice" || kind === "scale") {
      cs.forEach(function (c) { c.checked = value != null && c.value === String(value); });
    } else if (kind === "table") {
      if (!Array.isArray(value)) return;
      var rows = field.querySelectorAll("tbody tr");
      value.forEach(function (row, i) {
        if (!rows[i] || !row || typeof row !== "object") return;
        Array.prototype.forEach.call(rows[i].querySelectorAll("td[data-col]"), function (td) {
          var col = td.getAttribute("data-col"), c = controls(td)[0];
          if (c && Object.prototype.hasOwnProperty.call(row, col)) setValue(c, row[col]);
        });
      });
    } else if (cs.length) {
      setValue(cs[0], value);
    }
  }

  function fieldsOf(ws) {
    return Array.prototype.slice.call(ws.querySelectorAll("[data-field]"));
  }

  function collect(ws, onlyChanged) {
    var answers = {};
    fieldsOf(ws).forEach(function (f) {
      var v = readField(f, onlyChanged);
      if (v !== undefined) answers[f.getAttribute("data-field")] = v;
    });
    return answers;
  }

  function resetAll(ws) {
    controls(ws).forEach(function (c) {
      if (c.type === "file") return;
      setValue(c, defaultOf(c));
    });
  }

  function apply(ws, answers) {
    var n = 0;
    fieldsOf(ws).forEach(function (f) {
      var id = f.getAttribute("data-field");
      if (Object.prototype.hasOwnProperty.call(answers, id)) {
        writeField(f, answers[id]);
        n++;
      }
    });
    tidy(ws);
    return n;
  }

  /* Long answers grow their box (and print whole); empty dates print as a blank line. */
  function grow(t) {
    if (!t.offsetParent) return;
    t.style.height = "";
    if (t.scrollHeight > t.clientHeight) t.style.height = t.scrollHeight + 2 + "px";
  }

  function tidy(ws) {
    Array.prototype.forEach.call(ws.querySelectorAll("textarea"), grow);
    Array.prototype.forEach.call(ws.querySelectorAll("input[type=date]"), function (d) {
      d.classList.toggle("is-empty", !d.value);
    });
  }

  function setup(ws, store) {
    var id = ws.getAttribute("data-worksheet");
    var key = ws.getAttribute("data-storage-key") || "mentorsite:" + location.pathname + ":worksheet:" + id;
    var status = ws.querySelector(".ws-status");
    var actions = ws.querySelector(".ws-actions");
    var file = ws.querySelector("input[data-import]");
    var toolbar = ws.querySelector("[data-messages]");
    var words = {};
    try {
      words = JSON.parse(toolbar ? toolbar.getAttribute("data-messages") : "{}") || {};
    } catch (e) { /* English below */ }

    /* The site's words for a message, its {placeholders} filled. */
    function word(key, values) {
      var text = words[key] || WORDS[key];
      return text.replace(/\{(\w+)\}/g, function (all, name) {
        return values && name in values ? values[name] : all;
      });
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    function save() {
      if (!store) return;
      var answers = collect(ws, true);
      try {
        if (Object.keys(answers).length) store.setItem(key, JSON.stringify({ format: FORMAT, worksheet: id, answers: answers }));
        else store.removeItem(key);
      } catch (e) {
        say(word("not_saved"));
      }
    }

    if (store) {
      try {
        var saved = JSON.parse(store.getItem(key) || "null");
        if (saved && saved.answers) apply(ws, saved.answers);
      } catch (e) { /* a damaged entry is ignored, and replaced at the next change */ }
    }
    tidy(ws);
    say(word(store ? "saved" : "not_kept"));

    ws.addEventListener("input", function (e) {
      if (e.target.tagName === "TEXTAREA") grow(e.target);
      if (e.target.type === "date") e.target.classList.toggle("is-empty", !e.target.value);
      if (e.target !== file) save();
    });
    ws.addEventListener("change", function (e) {
      if (e.target !== file) save();
    });

    if (!actions) return;
    actions.hidden = false;
    actions.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "print") {
        window.print();
      } else if (action === "export") {
        var data = {
          format: FORMAT,
          worksheet: id,
          title: ws.getAttribute("data-title") || id,
          site: key.split(":worksheet:")[0].replace(/^mentorsite:/, ""),
          exported: new Date().toISOString(),
          answers: collect(ws, false)
        };
        var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = id + "-answers.json";
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        say(word("exported", { file: a.download }));
      } else if (action === "import") {
        if (file) file.click();
      } else if (action === "clear") {
        if (!window.confirm(word("confirm_clear"))) return;
        resetAll(ws);
        tidy(ws);
        if (store) store.removeItem(key);
        say(word("cleared"));
      }
    });

    if (file) {
      file.addEventListener("change", function () {
        var f = file.files && file.files[0];
        if (!f) return;
        var reader = new FileReader();
        reader.onload = function () {
          var data;
          try {
            data = JSON.parse(String(reader.result));
          } catch (e) {
            say(word("import_not_json", { file: f.name }));
            return;
          }
          if (!data || typeof data.answers !== "object" || data.answers === null) {
            say(word("import_no_answers", { file: f.name }));
          } else if (data.worksheet && data.worksheet !== id) {
            say(word("import_other", { file: f.name, id: data.worksheet }));
          } else {
            resetAll(ws);
            var n = apply(ws, data.answers);
            save();
            say(word("imported", { file: f.name, count: n }));
          }
          file.value = "";
        };
        reader.readAsText(f);
      });
    }
  }

  function init() {
    var store = getStore();
    Array.prototype.forEach.call(document.querySelectorAll(".worksheet[data-worksheet]"), function (ws) {
      setup(ws, store);
    });
    window.addEventListener("beforeprint", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".worksheet textarea"), grow);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
