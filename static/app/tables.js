/* Server-side DataTables: the server searches, sorts and pages (never the whole collection here).
 *
 * <table data-table-config="sales-table-config"> reads its JSON config (url, columns, filters, CSV link)
 * from the json_script of that id; the "Download CSV" link follows the table's search and sort.
 */
(function () {
  "use strict";

  const fmt = window.App.fmt;
  const esc = window.App.escapeHtml;
  DataTable.ext.errMode = "none"; // shown in the table instead of an alert()

  function link(url, text, params) {
    if (!url) return esc(text);
    const query = params ? new URLSearchParams(params).toString() : "";
    return `<a href="${esc(query ? `${url}?${query}` : url)}">${esc(text)}</a>`;
  }

  function stars(value) {
    const n = Math.max(0, Math.min(5, Number(value) || 0));
    return `<span class="stars" aria-label="${n} of 5">${"★".repeat(n)}<span class="off">${"★".repeat(5 - n)}</span></span>`;
  }

  /* How each kind of column shows its value (the row holds raw values; `<name>_url` holds links). */
  const kinds = {
    text: { render: (v) => esc(v) },
    // Product and customer pages open on the table's date range (config.link_params).
    link: { render: (v, row, name, config) => link(row[name + "_url"], v, config.link_params) },
    "datetime-link": { render: (v, row, name) => link(row[name + "_url"], fmt.datetime(v)) },
    datetime: { render: (v) => esc(fmt.datetime(v)) },
    date: { render: (v) => esc(fmt.date(v)) },
    currency: { render: (v) => esc(fmt.currency(v)), className: "num" },
    integer: { render: (v) => esc(fmt.integer(v)), className: "num" },
    share: { render: (v) => esc(fmt.share(v)), className: "num" },
    decimal: { render: (v) => esc(fmt.decimal(v)), className: "num" },
    // A change of a probability, in percentage points.
    points: { render: (v) => esc(v === null || v === undefined ? "—" : fmt.change(100 * Number(v)).replace("%", " pts")), className: "num" },
    boolean: { render: (v) => (v ? "Yes" : `<span class="hint">No</span>`) },
    status: { render: (v) => `<span class="badge badge-${esc(v)}">${esc(v.charAt(0).toUpperCase() + v.slice(1))}</span>` },
    stars: { render: (v) => stars(v) },
    "long-text": { render: (v) => esc(v), className: "long-text" },
  };

  function csvHref(config, table) {
    const params = new URLSearchParams({ ...config.params, format: "csv" });
    const search = table.search();
    if (search) params.set("search", search);
    const order = table.order()[0];
    if (order && order[1]) {
      const column = config.columns[order[0]];
      if (column && column.ordering) params.set("ordering", (order[1] === "desc" ? "-" : "") + column.ordering);
    }
    return `${config.csv_url}?${params.toString()}`;
  }

  function setUp(el) {
    const config = JSON.parse(document.getElementById(el.dataset.tableConfig).textContent);
    const csv = document.querySelector(`[data-csv-for="${el.id}"]`);
    let lastJson = null;
    const query = new URLSearchParams(config.params).toString();
    const url = query ? `${config.url}?${query}` : config.url;

    const table = new DataTable(el, {
      serverSide: true,
      processing: true,
      searchDelay: 350,
      pageLength: config.page_length,
      lengthMenu: [10, 25, 50, 100],
      order: [config.order],
      autoWidth: false,
      ajax: {
        url,
        // Only what the server reads, so the request URL stays short and readable.
        data: (d) => {
          const params = { draw: d.draw, start: d.start, length: d.length, "search[value]": d.search.value };
          if (d.order.length) {
            params["order[0][column]"] = d.order[0].column;
            params["order[0][dir]"] = d.order[0].dir;
          }
          return params;
        },
        dataSrc: (json) => { lastJson = json; return json.data; },
      },
      columns: config.columns.map((c) => {
        const kind = kinds[c.kind] || kinds.text;
        return {
          data: c.name, name: c.name, title: c.title, orderable: c.orderable, visible: c.visible !== false,
          className: kind.className || "",
          render: (v, type, row) => (type === "display" ? kind.render(v, row, c.name, config) : v),
        };
      }),
      language: {
        search: "Search",
        searchPlaceholder: "Type to search…",
        processing: "Loading…",
        loadingRecords: "Loading…",
        emptyTable: "No records match these filters.",
        zeroRecords: "No records match this search.",
        lengthMenu: "_MENU_ per page",
      },
      infoCallback: (settings, start, end, max, total, pre) => {
        if (!lastJson || !lastJson.capped) return pre;
        return `Showing ${fmt.integer(start)} to ${fmt.integer(end)} of more than ${fmt.integer(total)} entries`;
      },
    });

    table.on("draw", () => {
      if (csv) csv.href = csvHref(config, table);
      el.dataset.state = "ready";
      el.dataset.draws = String(Number(el.dataset.draws || 0) + 1); // lets tests wait for a redraw
    });
    table.on("dt-error", (event, settings, techNote, message) => {
      const xhr = settings.jqXHR;
      let reason = "The table could not be loaded.";
      try { reason = JSON.parse(xhr.responseText).error || reason; } catch (e) { /* not JSON */ }
      const body = el.querySelector("tbody");
      body.innerHTML = `<tr><td colspan="${config.columns.length}" class="dt-error" role="alert">${esc(reason)}</td></tr>`;
      el.dataset.state = "error";
    });
    el.dataTable = table;
  }

  document.querySelectorAll("[data-table-config]").forEach(setUp);
})();
