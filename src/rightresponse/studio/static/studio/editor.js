// Live validation of the YAML view: posts the text to the studio's validate endpoint
// (the same loader, JSON Schema and example calls as a save) as the author types, and
// lists the problems by place. A static file, no inline script (Content-Security-Policy).
(function () {
  "use strict";
  var area = document.getElementById("yaml");
  if (!area || area.readOnly) { return; }
  var status = document.getElementById("live-status");
  var list = document.getElementById("live-problems");
  var examples = document.getElementById("live-examples");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  var sent = 0;

  function item(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    return li;
  }

  function show(result, seq) {
    if (seq !== sent) { return; } // an older answer arriving late
    list.replaceChildren();
    examples.replaceChildren();
    if (result.valid) {
      var failed = result.examples.filter(function (e) { return !e.passed; });
      status.textContent = "Valid. Example calls: " + (result.examples.length - failed.length) +
        "/" + result.examples.length + " pass.";
      status.className = failed.length ? "error" : "ok";
      failed.forEach(function (e) {
        examples.appendChild(item("✘ " + e.name + ": " + e.failures.join("; "), "error"));
      });
    } else {
      status.textContent = result.problems.length + " problem(s):";
      status.className = "error";
      result.problems.forEach(function (p) { list.appendChild(item(p.path + ": " + p.reason, "error")); });
    }
  }

  function check() {
    var seq = ++sent;
    status.textContent = "Checking…";
    status.className = "muted";
    fetch(area.dataset.validateUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : "" },
      body: JSON.stringify({ yaml: area.value })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (result) { show(result, seq); }).catch(function (err) {
      if (seq === sent) { status.textContent = "Could not check (" + err.message + "); saving still validates."; }
    });
  }

  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  check();
})();
