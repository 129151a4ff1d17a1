/* mentorsite default theme — the schedule page: today's place on the time line.
   ?today=YYYY-MM-DD in the address shows another day (to preview the page).
   Days count from the cohort start (day 0); week 0 is days 0 to 6, as in due dates and on the
   axis, where a week's number stands in the middle of its days. Today's mark stands in the middle
   of today, so it is inside the week the sentence below the line names. */
(function () {
  "use strict";
  var line = document.querySelector(".timeline[data-start]");
  var note = document.querySelector(".tl-now");
  if (!line) return;
  var DAY = 864e5;
  function parse(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }
  var start = parse(line.getAttribute("data-start"));
  var asked = parse(new URLSearchParams(location.search).get("today"));
  var now = new Date();
  var today = asked !== null ? asked : Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  var day = Math.round((today - start) / DAY);
  var first = parseFloat(line.getAttribute("data-first"));
  var days = parseFloat(line.getAttribute("data-days"));
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  var at = (day + 0.5 - first) / days;
  if (at > 0 && at < 1) {
    var marker = line.querySelector(".tl-today");
    marker.style.setProperty("--at", String(at));
    if (at > 0.9) marker.classList.add("tl-today-end");  // its label stays inside the line
    marker.hidden = false;
  }
  if (!note) return;
  var last = parseFloat(note.getAttribute("data-last"));  // the day after the last phase
  var text;
  if (day < 0) {
    text = fill(note.getAttribute("data-before"), { count: -day });
  } else if (day >= last) {
    text = note.getAttribute("data-after");
  } else {
    var week = Math.floor(day / 7);
    var dates = { week: week, first: "", last: "" };
    JSON.parse(note.getAttribute("data-weeks") || "[]").forEach(function (item) {
      if (item[0] === week) { dates.first = item[1]; dates.last = item[2]; }
    });
    text = fill(note.getAttribute("data-during"), dates);
    (note.getAttribute("data-phases") || "").split("|").forEach(function (item) {
      var parts = item.split(",");
      if (parts.length >= 3 && day >= parseFloat(parts[0]) && day < parseFloat(parts[1])) {
        text += " " + fill(note.getAttribute("data-phase"), { phase: parts.slice(2).join(",") });
      }
    });
  }
  note.textContent = text;
  note.hidden = false;
})();
