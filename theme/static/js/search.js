/* Site search with Pagefind's JavaScript API (no UI bundle): loaded on the search page only,
   over the index shards of the page's language (<html lang>). */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) return;
  var input = form.querySelector("input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var hint = document.querySelector("[data-no-js]");
  var pagefind = null;
  form.hidden = false;
  if (hint) hint.hidden = true;

  function load() {
    if (!pagefind) {
      // The index is in shards (publisher/site/search_shards.py): shards.json lists those
      // of each language. The first one's copy of Pagefind is loaded and the others are
      // merged into it, so one search ranks the pages of every shard together.
      // import() resolves against this script's URL, so make the addresses absolute.
      var bundle = new URL(form.dataset.bundle, document.baseURI).href;
      var lang = document.documentElement.lang;
      pagefind = fetch(bundle + "shards.json")
        .then(function (response) {
          if (!response.ok) throw new Error("no search index");
          return response.json();
        })
        .then(function (manifest) {
          var shards = manifest.languages[lang] || [];
          if (!shards.length) throw new Error("no search index for " + lang);
          return import(bundle + shards[0] + "/pagefind.js").then(function (module) {
            return module.init()
              .then(function () {
                return Promise.all(shards.slice(1).map(function (name) {
                  return module.mergeIndex(bundle + name + "/");
                }));
              })
              .then(function () { return module; });
          });
        });
    }
    return pagefind;
  }

  function show(results) {
    list.textContent = "";
    status.textContent = results.length
      ? form.dataset.count.replace("{n}", results.length)
      : form.dataset.none;
    results.forEach(function (data) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      var excerpt = document.createElement("span");
      excerpt.className = "summary";
      // Pagefind's excerpt is our own page text with <mark> around the matches.
      excerpt.innerHTML = data.excerpt;
      item.appendChild(link);
      item.appendChild(excerpt);
      list.appendChild(item);
    });
  }

  function run(query) {
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    status.textContent = form.dataset.loading;
    load()
      .then(function (module) { return module.search(query); })
      .then(function (search) {
        return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }));
      })
      .then(show)
      .catch(function () { status.textContent = form.dataset.error; if (hint) { hint.hidden = false; hint.setAttribute("data-shown", ""); } });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value.trim();
    history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
    run(query);
  });

  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
})();
