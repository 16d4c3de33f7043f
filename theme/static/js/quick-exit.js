/* Quick exit ("Keluar Cepat"), after the GOV.UK "Exit this page" component; our own code.
   Without JavaScript the links still leave the site. With it: the page hides at once,
   the title blanks, screen readers hear "Memuat", and location.replace() keeps the page
   out of Back. Pressing Shift three times within 5 seconds (Shift alone) does the same. */
(function () {
  "use strict";
  var links = document.querySelectorAll("[data-quick-exit]");
  if (!links.length) return;
  var target = links[0].href;
  var status = document.getElementById("qe-status");
  var root = document.documentElement;
  var title = document.title;
  var presses = 0, timer = null, shiftDown = false, usedAsModifier = false;

  function say(text) { if (status) status.textContent = text; }

  function leave(event) {
    if (event) event.preventDefault();
    root.classList.add("qe-hidden");
    document.title = "";
    say(status ? status.dataset.loading : "");
    window.location.replace(target);
  }

  function reset() {
    presses = 0;
    clearTimeout(timer);
    timer = null;
  }

  for (var i = 0; i < links.length; i++) links[i].addEventListener("click", leave);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) { shiftDown = true; usedAsModifier = false; }
      return;
    }
    // Any other key: Shift was a modifier (e.g. a capital letter), or the count is broken.
    if (shiftDown) usedAsModifier = true;
    if (presses) { reset(); say(status.dataset.reset); }
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") return;
    shiftDown = false;
    if (usedAsModifier) return;
    presses += 1;
    if (presses >= 3) { reset(); leave(); return; }
    if (!timer) timer = setTimeout(function () {
      reset();
      say(status.dataset.reset);
    }, 5000);
    say(status.dataset.count.replace("{n}", 3 - presses));
  });

  // A page restored from the back-forward cache must not stay blank.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      root.classList.remove("qe-hidden");
      document.title = title;
      reset();
      say("");
    }
  });
})();
