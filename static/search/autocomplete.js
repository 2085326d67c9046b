// As-you-type suggestions for the search box: /api/search/autocomplete/?q=…
(function () {
  "use strict";
  const input = document.querySelector("input[data-autocomplete-url]");
  if (!input) return;
  const list = input.parentElement.querySelector(".search-suggestions");
  const url = input.dataset.autocompleteUrl;
  let timer = null, controller = null, selected = -1;

  function close() { list.hidden = true; list.innerHTML = ""; selected = -1; }

  function render(suggestions) {
    list.innerHTML = "";
    suggestions.forEach(function (s) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.href = s.url;
      a.innerHTML = s.html;  // server-escaped, only <mark> added
      const kind = document.createElement("small");
      kind.textContent = s.type;
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = suggestions.length === 0;
    selected = -1;
  }

  function fetchSuggestions() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(url + "?" + new URLSearchParams({ q: q }), { signal: controller.signal, credentials: "same-origin",
                                                       headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { render(data.suggestions || []); })
      .catch(function () { /* aborted or offline: keep the box usable */ });
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 150); });
  input.addEventListener("keydown", function (e) {
    const items = list.querySelectorAll("li");
    if (list.hidden || !items.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      selected = (selected + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === selected ? "true" : "false"); });
    } else if (e.key === "Enter" && selected >= 0) {
      e.preventDefault();
      window.location = items[selected].querySelector("a").href;
    } else if (e.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== input) close(); });
})();
