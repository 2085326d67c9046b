/* The dashboard revenue chart's forecast band and unusual-day markers.
 *
 * <div data-trends data-chart-card="revenue_over_time" data-forecast="/api/analytics/forecast/"
 *      data-anomalies="/api/analytics/anomalies/" data-category="Books"></div>
 *
 * Once charts.js has drawn the card, this asks the API for the page category's forecast and unusual
 * days and adds to the chart: after the last actual period, the forecast's median with its 80% and 95%
 * bands; on the actual periods, a marker where a period holds an unusual day (tooltip: the day, what
 * moved and by how much; click: that day's sales). Day forecasts fold into the chart's week or month
 * buckets by summing, bounds too: as wide as if the days' errors all had the same sign, a safe upper
 * bound. Forecast days that complete a partial last actual period are not drawn. The actual
 * datasets keep their values (data-actual-labels: how many periods they had), so a test can still
 * compare them with the revenue figure.
 * The card's data-forecast says what happened: "drawn", "stale" (drawn; the data changed and a refit
 * runs in the background), "pending" (no fit yet: asked again shortly), "short" (fewer than 14 days
 * with sales: no band, the card's hint says why), "none" (nothing to attach to).
 */
(function () {
  "use strict";

  const fmt = window.App.fmt;
  const BLUE = "#3b6fd8";
  const RED = "#e0565b";
  const RETRIES = 10;
  const RETRY_MS = 3000;

  const iso = (d) => d.toISOString().slice(0, 10);
  const parse = (s) => new Date(s + "T00:00:00Z");

  /* The first day of the chart bucket holding a day (periods are ISO dates of their first day). */
  function bucketOf(day, bucket) {
    const d = parse(day);
    if (bucket === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    if (bucket === "month") d.setUTCDate(1);
    return iso(d);
  }

  function bucketDays(period, bucket) {
    if (bucket === "week") return 7;
    if (bucket !== "month") return 1;
    const d = parse(period);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  }

  /* Day forecasts summed per chart bucket; the last bucket only if the forecast covers all its days. */
  function fold(points, bucket) {
    const out = new Map();
    const days = new Map();
    points.forEach((p) => {
      const key = bucketOf(p.period, bucket);
      const sum = out.get(key) || { point: 0, lower_80: 0, upper_80: 0, lower_95: 0, upper_95: 0 };
      Object.keys(sum).forEach((k) => { sum[k] += p[k]; });
      out.set(key, sum);
      days.set(key, (days.get(key) || 0) + 1);
    });
    const last = [...out.keys()].pop();
    if (last && days.get(last) < bucketDays(last, bucket)) out.delete(last);
    return out;
  }

  const getJSON = (url, params) => {
    const full = new URL(url, window.location.origin);
    Object.entries(params).forEach(([k, v]) => { if (v) full.searchParams.set(k, v); });
    return fetch(full, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${full.pathname}: ${r.status}`))));
  };

  function describe(row) {
    const change = row.relative === null ? "" : ` (${row.relative > 0 ? "+" : ""}${Math.round(row.relative * 100)}%)`;
    const money = row.series === "revenue";
    const show = (v) => (money ? fmt.currency(v) : fmt.integer(v));
    return `${fmt.date(row.date)}: ${row.series} ${row.direction} ${show(row.value)}, expected ${show(row.expected)}${change}`;
  }

  function attach(chart, card, bucket, forecast, anomalies) {
    const labels = chart.data.labels.slice();
    const revenue = chart.data.datasets[0];
    const series = forecast.series && forecast.series.revenue;
    if (!series || !forecast.last_actual) return "none";
    if (series.method === "short") {
      // Fewer than 14 days with sales (analytics/trends/forecast.py, MIN_POINTS): a band from so few
      // days would look like knowledge it is not. Say so where the band would be explained.
      const hint = card.querySelector(".hint");
      if (hint) hint.textContent = `per ${bucket} · no forecast yet: it needs 14 days with sales to learn from`;
      return "short";
    }
    const lastIndex = labels.indexOf(bucketOf(forecast.last_actual, bucket));
    if (lastIndex < 0) return "none";  // the range ends before (or starts after) the last sale: no band to join

    // The band joins the last actual point and runs on over the periods after it: the range's own
    // (an open range's trailing empty days) and then new ones. The chart's actual data stay as they were.
    const original = labels.length;
    const folded = fold(series.points, bucket);
    const future = [...folded.keys()].filter((period) => period > labels[original - 1]);
    chart.data.labels = labels.concat(future);
    chart.data.datasets.forEach((ds) => { ds.data = ds.data.concat(future.map(() => null)); });
    card.dataset.actualLabels = String(original);
    const anchor = revenue.data[lastIndex];
    const band = (key) => chart.data.labels.map((period, i) => {
      if (i < lastIndex) return null;
      if (i === lastIndex) return anchor;
      return folded.has(period) ? folded.get(period)[key] : null;
    });
    const keep = lastIndex + 1;
    const bandDataset = (label, data, fill, color) => ({
      type: "line", label, data, yAxisID: "y", order: -1, fill, backgroundColor: color, borderWidth: 0,
      pointRadius: 0, pointHitRadius: 0, spanGaps: false, trends: true,
    });
    const start = chart.data.datasets.length;
    chart.data.datasets.push(
      bandDataset("95% upper", band("upper_95"), false, "transparent"),
      bandDataset("Forecast 95%", band("lower_95"), "-1", BLUE + "1f"),
      bandDataset("80% upper", band("upper_80"), false, "transparent"),
      bandDataset("Forecast 80%", band("lower_80"), "-1", BLUE + "3d"),
      {
        type: "line", label: "Forecast", data: band("point"), yAxisID: "y", order: -2, borderColor: BLUE,
        borderDash: [5, 4], borderWidth: 2, pointRadius: 0, fill: false, trends: true,
      },
    );
    const bounds = {}; // dataset index of a band's lower edge → its upper edge's
    bounds[start + 1] = start;
    bounds[start + 3] = start + 2;

    // Markers on the actual periods holding an unusual day.
    const byIndex = new Map();
    anomalies.rows.forEach((row) => {
      const i = chart.data.labels.indexOf(bucketOf(row.date, bucket));
      if (i >= 0 && i < keep) byIndex.set(i, (byIndex.get(i) || []).concat([row]));
    });
    const markerIndex = chart.data.datasets.length;
    const markerRows = chart.data.labels.map((_, i) => byIndex.get(i) || null);
    chart.data.datasets.push({
      type: "line", label: "Unusual day", showLine: false, yAxisID: "y", order: -3, trends: true,
      data: markerRows.map((rows, i) => (rows ? revenue.data[i] : null)),
      pointStyle: "triangle", pointRadius: 7, pointHoverRadius: 9, borderColor: "#fff", borderWidth: 1,
      backgroundColor: RED,
      pointRotation: markerRows.map((rows) => (rows && rows.every((r) => r.direction === "drop") ? 180 : 0)),
    });

    const legend = chart.options.plugins.legend;
    legend.labels = { ...(legend.labels || {}), filter: (item) => !/upper$/.test(item.text) };
    const tooltip = chart.options.plugins.tooltip;
    const previousLabel = tooltip.callbacks.label;
    tooltip.filter = (item) => item.raw !== null && item.raw !== undefined && !/upper$/.test(item.dataset.label)
      && !(item.dataIndex === lastIndex && item.datasetIndex >= start && item.datasetIndex < markerIndex);
    tooltip.callbacks.label = (ctx) => {
      if (ctx.datasetIndex === markerIndex) return markerRows[ctx.dataIndex].map(describe);
      if (ctx.datasetIndex in bounds) {
        const upper = chart.data.datasets[bounds[ctx.datasetIndex]].data[ctx.dataIndex];
        return `${ctx.dataset.label}: ${fmt.currency(ctx.raw)} – ${fmt.currency(upper)}`;
      }
      if (ctx.datasetIndex === start + 4) return `Forecast: ${fmt.currency(ctx.raw)}`;
      return previousLabel(ctx);
    };
    const markerAt = (event) => chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true)
      .find((el) => el.datasetIndex === markerIndex);
    chart.options.onClick = (event) => {
      const hit = markerAt(event);
      if (hit) window.location.href = markerRows[hit.index][0].sales_url;
    };
    chart.options.onHover = (event) => { event.native.target.style.cursor = markerAt(event) ? "pointer" : "default"; };
    chart.update();
    card.dataset.markers = String(byIndex.size);
    return forecast.status === "stale" ? "stale" : "drawn";
  }

  function load(el, card, attempt) {
    const canvas = card.querySelector("canvas");
    const chart = Chart.getChart(canvas);
    const data = JSON.parse(document.getElementById(card.dataset.source).textContent);
    if (!chart) { card.dataset.forecast = "none"; return; }
    const category = el.dataset.category;
    Promise.all([getJSON(el.dataset.forecast, { category }), getJSON(el.dataset.anomalies, { category })])
      .then(([forecast, anomalies]) => {
        if (forecast.status === "pending" || anomalies.status === "pending") {
          card.dataset.forecast = "pending";
          if (attempt < RETRIES) window.setTimeout(() => load(el, card, attempt + 1), RETRY_MS);
          return;
        }
        card.dataset.forecast = attach(chart, card, data.bucket, forecast, anomalies);
      })
      .catch((error) => { card.dataset.forecast = "failed"; console.warn("forecast:", error.message); });
  }

  document.querySelectorAll("[data-trends]").forEach((el) => {
    const card = document.querySelector(`[data-chart="${el.dataset.chartCard}"]`);
    if (card) load(el, card, 0);
  });
})();
