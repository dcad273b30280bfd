/* Incident Clock: small progressive enhancements. The pages work without this file.
 * - live countdowns for every element with data-due (ISO 8601 instant)
 * - "date only" precision disables the time input it makes irrelevant
 * - a deadline's folded explanation is loaded into it when it is opened (its link stays
 *   otherwise), and a link to an event the chronology leaves out goes to the whole chronology
 */
(function () {
  "use strict";

  var body = document.body;
  var korean = (body.getAttribute("data-lang") || "").indexOf("ko") === 0;
  var patternIn = body.getAttribute("data-t-in") || "in %(duration)s";
  var patternLate = body.getAttribute("data-t-late") || "late by %(duration)s";

  function durationText(ms) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(total / 86400);
    var hours = Math.floor((total % 86400) / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    if (days >= 2) {
      return korean ? days + "일 " + hours + "시간" : days + " d " + hours + " h";
    }
    hours += days * 24;
    if (hours) {
      return korean ? hours + "시간 " + minutes + "분" : hours + " h " + minutes + " min";
    }
    if (minutes) {
      return korean ? minutes + "분 " + seconds + "초" : minutes + " min " + seconds + " s";
    }
    return korean ? seconds + "초" : seconds + " s";
  }

  function stateOf(ms) {
    if (ms < 0) { return "overdue"; }
    return ms <= 86400000 ? "soon" : "open";
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var due = Date.parse(node.getAttribute("data-due"));
      if (isNaN(due)) { continue; }
      var ms = due - now;
      var pattern = ms < 0 ? patternLate : patternIn;
      var text = pattern.replace("%(duration)s", durationText(ms));
      if (node.textContent !== text) { node.textContent = text; }
      var state = stateOf(ms);
      node.className = "countdown" + (state === "open" ? "" : " " + state);
      var row = node.closest("tr[class*='row-'], li[class*='row-']");
      if (row) {
        row.className = row.className.replace(/\brow-(overdue|soon|open)\b/, "row-" + state);
      }
    }
  }

  function wirePrecision() {
    var selects = document.querySelectorAll("select[name='precision']");
    for (var i = 0; i < selects.length; i++) {
      (function (select) {
        var form = select.form;
        var time = form && form.querySelector("input[type='time'][name$='_time']");
        if (!time) { return; }
        function sync() {
          var dateOnly = select.value === "date";
          time.disabled = dateOnly;
          time.closest(".field").classList.toggle("is-disabled", dateOnly);
        }
        select.addEventListener("change", sync);
        sync();
      })(selects[i]);
    }
  }

  function wireExplanations() {
    var boxes = document.querySelectorAll("details.explain[data-explain]");
    for (var i = 0; i < boxes.length; i++) {
      (function (box) {
        box.addEventListener("toggle", function () {
          if (!box.open || box.hasAttribute("data-loaded")) { return; }
          var target = box.querySelector(".explain-body");
          box.setAttribute("data-loaded", "loading");
          target.setAttribute("aria-busy", "true");
          fetch(box.getAttribute("data-explain"), { credentials: "same-origin" })
            .then(function (response) {
              if (!response.ok) { throw new Error(String(response.status)); }
              return response.text();
            })
            .then(function (html) {
              var holder = document.createElement("div");
              holder.innerHTML = html;
              var loaded = holder.querySelector(".explain-body");
              if (loaded) { target.innerHTML = loaded.innerHTML; }
              box.setAttribute("data-loaded", "yes");
            })
            .catch(function () { box.removeAttribute("data-loaded"); })
            .then(function () { target.removeAttribute("aria-busy"); });
        });
      })(boxes[i]);
    }
  }

  function followHiddenEvent() {
    var hash = window.location.hash;
    if (!/^#event-\d+$/.test(hash) || document.getElementById(hash.slice(1))) { return; }
    var all = document.querySelector("a[data-chronology-all]");
    if (all) { window.location.replace(all.href.split("#")[0] + hash); }
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  tick();
  if (document.querySelector(".countdown[data-due]")) {
    window.setInterval(tick, 1000);
  }
  wirePrecision();
  wireExplanations();
  followHiddenEvent();
  focusErrors();
})();
