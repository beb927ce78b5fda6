// Call-taker page: the call timer, keyboard shortcuts shown on the page, and a click on
// the city map placing the call (latitude/longitude from the map's own projection).
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var el = document.getElementById("call-timer");
    if (!el) return;
    var start = Date.parse(el.dataset.start);
    if (isNaN(start)) start = window.__callStart || (window.__callStart = Date.now());
    var s = Math.max(0, Math.floor((Date.now() - start) / 1000));
    el.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
  }
  function markedQuestion() {
    return document.querySelector("fieldset.question.next") || document.querySelector("fieldset.question");
  }
  function answer(value) {
    var q = markedQuestion();
    if (!q) return;
    var input = q.querySelector("input[value='" + value + "']");
    if (input) { input.checked = true; input.focus(); input.dispatchEvent(new Event("change", { bubbles: true })); }
  }
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var key = e.key.toLowerCase();
    var actions = {
      l: function () { document.getElementById("id_address").focus(); },
      t: function () { document.getElementById("call_type").focus(); },
      y: function () { answer("yes"); },
      n: function () { answer("no"); },
      c: function () { document.getElementById("call-form").requestSubmit(); },
    };
    if (actions[key]) { e.preventDefault(); actions[key](); }
  });
  document.addEventListener("click", function (e) {
    var svg = e.target.closest && e.target.closest("svg.pick-map");
    if (!svg) return;
    var pt = svg.createSVGPoint();
    pt.x = e.clientX; pt.y = e.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    var d = svg.dataset, b = d.bounds.split(",").map(Number);
    var scale = Number(d.scale), k = Number(d.k);
    var lat = b[2] - (p.y - Number(d.oy)) / scale;
    var lon = b[1] + (p.x - Number(d.ox)) / (k * scale);
    document.getElementById("id_latitude").value = lat.toFixed(6);
    document.getElementById("id_longitude").value = lon.toFixed(6);
    var mark = svg.querySelector("circle.picked");
    if (!mark) {
      mark = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      mark.setAttribute("class", "picked"); mark.setAttribute("r", "7");
      svg.appendChild(mark);
    }
    mark.setAttribute("cx", p.x); mark.setAttribute("cy", p.y);
    document.getElementById("id_address").dispatchEvent(new Event("location-picked"));
  });
  // Triage starts with the first choice of a call type: kept as milliseconds since the page
  // opened (the browser's monotonic clock), which the server adds to its own answer time.
  document.addEventListener("change", function (e) {
    if (e.target.id !== "call_type") return;
    var started = document.getElementById("id_triage_started_ms");
    if (started && !started.value) started.value = String(Math.round(performance.now()));
  });
  // The caller and location panels carry the flags they found as hidden inputs; when the
  // flags change and a call type is chosen, the recommendation is asked again, since the
  // protocol's flag rules may change it (issue 13). Only then: a refresh the call taker did
  // not cause must not race a call-type choice.
  var lastFlags = "";
  document.addEventListener("flags-changed", function () {
    var flags = Array.prototype.map.call(
      document.querySelectorAll("input[name=flag]"), function (i) { return i.value; }
    ).sort().join("|");
    if (flags === lastFlags) return;
    lastFlags = flags;
    var type = document.getElementById("call_type");
    var wrap = document.querySelector(".workspace-wrap");
    if (type && type.value && wrap) wrap.dispatchEvent(new Event("flags-refresh"));
  });
  // Typing a new address drops an earlier map point (the address is then what counts).
  document.addEventListener("input", function (e) {
    if (e.target.id !== "id_address") return;
    document.getElementById("id_latitude").value = "";
    document.getElementById("id_longitude").value = "";
  });
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
