// Search over the site's static index (search.json): no libraries, no requests elsewhere.
// Without JavaScript the search page shows links to the archive instead.
"use strict";

(function () {
  const form = document.querySelector("form.search");
  if (!form || !window.fetch) {
    return;
  }
  const input = form.querySelector("input[name=q]");
  const status = document.querySelector(".search-status");
  const list = document.querySelector(".search-results");
  const root = form.dataset.root || "";
  const limit = 50;
  const pageLang = document.documentElement.lang;
  let index = null;

  function fold(text) {
    return text.toLocaleLowerCase("de").normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function matches(item, words) {
    const haystack = item.haystack;
    return words.every(function (word) {
      return haystack.indexOf(word) !== -1;
    });
  }

  function result(item) {
    const li = document.createElement("li");
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = root + item.url;
    link.textContent = item.title;
    heading.appendChild(link);
    const date = document.createElement("p");
    date.className = "meta";
    date.textContent = item.date + (item.tags.length ? " · #" + item.tags.join(" #") : "");
    const excerpt = document.createElement("p");
    excerpt.textContent = item.text;
    li.append(heading, date, excerpt);
    if (item.lang && item.lang !== pageLang) {
      // the result is in its own language; its date and tags line is the page's
      li.lang = item.lang;
      date.lang = pageLang;
    }
    return li;
  }

  function show(query) {
    const words = fold(query).split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!words.length) {
      status.textContent = "";
      return;
    }
    const found = index.filter(function (item) {
      return matches(item, words);
    });
    found.slice(0, limit).forEach(function (item) {
      list.appendChild(result(item));
    });
    const shown = found.length > limit ? " (die ersten " + limit + " angezeigt)" : "";
    status.textContent = found.length + " Treffer" +
      " für „" + query.trim() + "“" + shown;
  }

  fetch(form.dataset.index, { credentials: "omit" })
    .then(function (response) {
      return response.json();
    })
    .then(function (items) {
      index = items.map(function (item) {
        item.haystack = fold([item.title, item.text, item.tags.join(" ")].join(" "));
        return item;
      });
      form.hidden = false;
      document.querySelector(".search-fallback").hidden = true;
      const query = new URLSearchParams(window.location.search).get("q") || "";
      input.value = query;
      show(query);
      input.addEventListener("input", function () {
        show(input.value);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        show(input.value);
        history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
      });
    })
    .catch(function () {
      status.textContent = "Die Suche ist gerade nicht verfügbar. Bitte nutzen Sie das Archiv.";
    });
})();
