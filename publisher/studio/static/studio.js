// Progressive enhancement only: every page works without this file.
// 1. The editor checks and previews the text as it is typed (POST /check, debounced).
// 2. The publish page follows a running publish without a manual reload.
(function () {
  "use strict";
  var form = document.querySelector("form[data-check]");
  if (form) {
    var timer = null, busy = false, again = false;
    var state = document.getElementById("check-state");
    var frame = form.querySelector("iframe.preview");
    var lists = function () { return form.querySelectorAll("ul.errors[data-field]"); };
    var fill = function (list, problems) {
      list.textContent = "";
      (problems || []).forEach(function (p) {
        var li = document.createElement("li");
        li.className = p.severity;
        li.textContent = (form.dataset.line || "line {line}").replace("{line}", p.line) + ": " + p.message;
        list.appendChild(li);
      });
      var field = list.closest(".field");
      if (field) {
        field.classList.toggle("invalid", !!(problems && problems.length));
        var input = field.querySelector("input, textarea, select");
        if (input) { if (problems && problems.length) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); } }
      }
    };
    var run = function () {
      if (busy) { again = true; return; }
      busy = true;
      if (state) { state.textContent = form.dataset.checking || "…"; }
      var data = new FormData(form);
      data.set("action", "check");
      fetch(form.dataset.check, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRF-Token": data.get("csrf_token") || "" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (answer) {
          lists().forEach(function (list) { fill(list, answer.fields[list.dataset.field]); });
          var body = document.getElementById("err-body");
          if (body) { fill(body, answer.body); }
          var general = document.getElementById("err-general");
          if (general) { fill(general, answer.general); }
          if (frame) { frame.srcdoc = answer.preview; }
          if (state) { state.textContent = form.dataset.checked || ""; }
        })
        .catch(function () { if (state) { state.textContent = ""; } })
        .then(function () { busy = false; if (again) { again = false; run(); } });
    };
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 900);
    });
  }
  var job = document.querySelector("[data-job=running]");
  if (job) {
    var follow = function () {
      fetch(location.pathname, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-job]");
          if (!fresh) { return; }
          job.replaceWith(fresh);
          job = fresh;
          if (fresh.dataset.job === "running") { setTimeout(follow, 3000); }
        });
    };
    setTimeout(follow, 3000);
  }
})();
