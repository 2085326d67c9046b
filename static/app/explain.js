/* "Why it changed": a KPI card's change opens a dialog with a dimension picker, a waterfall (the
 * comparison period's value → each top contributor → the rest → the range's value) and a table of the
 * contributors with their share of the change; ratios add their rate and mix effects.
 *
 * Numbers are what /api/analytics/explain/ returns (config in #explain-config); the bars are built
 * from its integer *_scaled fields so they land exactly on the card's value.
 */
(function () {
  "use strict";

  const dialog = document.querySelector("[data-explain-dialog]");
  const configNode = document.getElementById("explain-config");
  if (!dialog || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  const fmt = window.App.fmt;
  const esc = window.App.escapeHtml;
  const picker = dialog.querySelector("[data-explain-dimension]");
  const canvas = dialog.querySelector("[data-explain-chart]");
  const table = dialog.querySelector("[data-explain-table]");
  const COLORS = { total: "#3b6fd8", up: "#2f9e6e", down: "#e0565b", other: "#98a2b3" };
  const DIMENSION_LABELS = { category: "Category", channel: "Channel", country: "Country", city: "City", product: "Product" };
  let figure = null;
  let request = 0;

  const formatter = (unit) => (unit === "money" ? fmt.currency : unit === "rating" ? fmt.rating : fmt.integer);
  const signed = (value, unit) => (value > 0 ? "+" : value < 0 ? "−" : "") + formatter(unit)(Math.abs(value));
  const share = (value) => (value === null || value === undefined ? "—" : fmt.decimal(value) + "%");
  const direction = (value) => (value > 0 ? "up" : value < 0 ? "down" : "");

  function rangeText(range) {
    return range ? fmt.date(range.date_from) + " – " + fmt.date(range.date_to) : "";
  }

  /* Floating bars [low, high]: totals stand on a common base so small changes stay visible. */
  function waterfall(data) {
    const scale = data.scale;
    const steps = data.contributors.map((row) => ({ label: row.label, change: row.change_scaled, kind: direction(row.change_scaled) }));
    if (data.other && data.other.segments > 0) {
      steps.push({ label: "Other (" + data.other.segments + ")", change: data.other.change_scaled, kind: "other" });
    }
    let run = Math.round(data.previous * scale);
    const levels = [run];
    const bars = steps.map((step) => {
      const from = run;
      run += step.change;
      levels.push(run);
      return [from / scale, run / scale];
    });
    const low = Math.min(...levels);
    const high = Math.max(...levels);
    const base = low > 0 ? Math.max(0, low - (high - low || low) * 0.5) : Math.min(0, low);
    const labels = ["Previous", ...steps.map((s) => s.label), "Current"];
    const values = [[base / scale, data.previous], ...bars, [base / scale, run / scale]];
    const colors = [COLORS.total, ...steps.map((s) => COLORS[s.kind] || COLORS.other), COLORS.total];
    return { labels, values, colors, base: base / scale };
  }

  function drawChart(data) {
    const previous = Chart.getChart(canvas);
    if (previous) previous.destroy();
    const w = waterfall(data);
    const format = formatter(data.unit);
    new Chart(canvas, {
      type: "bar",
      data: { labels: w.labels, datasets: [{ label: "Change", data: w.values, backgroundColor: w.colors, borderSkipped: false }] },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const [from, to] = ctx.raw;
                const last = ctx.dataIndex === 0 || ctx.dataIndex === w.values.length - 1;
                return last ? format(to) : signed(to - from, data.unit) + " → " + format(to);
              },
            },
          },
        },
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: 45, callback: function (v) { const t = this.getLabelForValue(v); return t.length > 18 ? t.slice(0, 17) + "…" : t; } } },
          y: { min: w.base, ticks: { callback: (v) => format(v) } },
        },
      },
    });
    dialog.dataset.state = "drawn";
  }

  function drawTable(data) {
    const ratio = data.kind === "ratio";
    const unit = data.unit;
    const head = ["<th>" + esc(DIMENSION_LABELS[data.dimension]) + "</th>"];
    if (ratio) head.push("<th class=num>Weight before</th><th class=num>Weight now</th>");
    head.push("<th class=num>Before</th><th class=num>Now</th>");
    if (ratio) head.push("<th class=num>Rate effect</th><th class=num>Mix effect</th>");
    head.push("<th class=num>Change</th><th class=num>Share of change</th>");
    table.tHead.innerHTML = "<tr>" + head.join("") + "</tr>";
    const weight = (v) => fmt.share(v);
    const rows = data.contributors.map((row) => {
      const cells = ["<td>" + esc(row.label) + "</td>"];
      if (ratio) cells.push("<td class=num>" + weight(row.previous_weight) + "</td><td class=num>" + weight(row.current_weight) + "</td>");
      cells.push("<td class=num>" + formatter(unit)(row.previous) + "</td><td class=num>" + formatter(unit)(row.current) + "</td>");
      if (ratio) cells.push("<td class=num>" + signed(row.rate_effect, unit) + "</td><td class=num>" + signed(row.mix_effect, unit) + "</td>");
      cells.push("<td class='num " + direction(row.change_scaled) + "'>" + signed(row.change, unit) + "</td><td class=num>" + share(row.share) + "</td>");
      return "<tr data-explain-row>" + cells.join("") + "</tr>";
    });
    if (data.other && data.other.segments > 0) {
      const o = data.other;
      const blanks = ratio ? "<td></td><td></td><td></td><td></td>" : "<td></td><td></td>";
      const effects = ratio ? "<td class=num>" + signed(o.rate_effect, unit) + "</td><td class=num>" + signed(o.mix_effect, unit) + "</td>" : "";
      rows.push("<tr><td>Other (" + o.segments + ")</td>" + blanks + effects + "<td class='num " + direction(o.change_scaled) + "'>" + signed(o.change, unit) + "</td><td class=num>" + share(o.share) + "</td></tr>");
    }
    table.tBodies[0].innerHTML = rows.join("");
  }

  function show(data) {
    const unit = data.unit;
    const empty = data.change === null;
    dialog.querySelector("[data-explain-summary]").textContent = empty
      ? rangeText(data.range)
      : formatter(unit)(data.previous) + " → " + formatter(unit)(data.current) + " (" + signed(data.change, unit) + "), "
        + rangeText(data.range) + " against " + rangeText(data.comparison_range)
      + (data.category_applied === false && config.params.category ? " · all categories (customers have none)" : "");
    const split = dialog.querySelector("[data-explain-split]");
    split.hidden = empty || data.kind !== "ratio";
    if (!split.hidden) {
      split.textContent = "Rate effect (each " + data.dimension + "'s own value) " + signed(data.rate_effect, unit)
        + " · mix effect (their weights moving) " + signed(data.mix_effect, unit);
    }
    dialog.querySelector("[data-explain-empty]").hidden = !empty;
    canvas.hidden = empty;
    table.hidden = empty;
    if (empty) {
      const previous = Chart.getChart(canvas);
      if (previous) previous.destroy();
      dialog.dataset.state = "empty";
      return;
    }
    drawChart(data);
    drawTable(data);
  }

  function load() {
    const ticket = ++request;
    const error = dialog.querySelector("[data-explain-error]");
    error.hidden = true;
    dialog.dataset.state = "loading";
    const url = new URL(config.url, window.location.origin);
    Object.entries({ ...config.params, figure, dimension: picker.value }).forEach(([k, v]) => url.searchParams.set(k, v));
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
      .then(({ ok, body }) => {
        if (ticket !== request) return;
        if (!ok) throw new Error(Object.values(body).flat().join(" ") || "The breakdown could not be loaded.");
        show(body);
      })
      .catch((e) => {
        if (ticket !== request) return;
        error.textContent = e.message;
        error.hidden = false;
        dialog.dataset.state = "failed";
      });
  }

  function open(button) {
    figure = button.dataset.explain;
    dialog.querySelector("[data-explain-name]").textContent = button.dataset.explainLabel.toLowerCase();
    const chosen = picker.value;
    picker.innerHTML = config.dimensions[figure]
      .map((d) => "<option value='" + esc(d) + "'>" + esc(DIMENSION_LABELS[d] || d) + "</option>").join("");
    if (config.dimensions[figure].includes(chosen)) picker.value = chosen;
    if (!dialog.open) dialog.showModal();
    load();
  }

  picker.addEventListener("change", load);
  dialog.querySelector("[data-explain-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  document.querySelectorAll("[data-explain]").forEach((button) => button.addEventListener("click", () => open(button)));
})();
