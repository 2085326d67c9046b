/* Draws every chart card on the page from the figure JSON rendered beside it (json_script).
 *
 * <figure data-chart="revenue_by_category" data-source="fig-revenue_by_category" data-drill="category">
 * The figure JSON is exactly what /api/analytics/<figure>/ returns; each renderer below maps it onto
 * Chart.js data without changing a number, so the browser tests can compare the two.
 */
(function () {
  "use strict";

  const fmt = window.App.fmt;
  const C = {
    blue: "#3b6fd8", amber: "#f2a93b", green: "#2f9e6e", purple: "#8a63d2", red: "#e0565b",
    teal: "#1ba3b8", grey: "#98a2b3",
  };
  const RATING_COLORS = ["#e0565b", "#f08c4a", "#f2c14e", "#8cc46b", "#2f9e6e"];

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#667085";
  Chart.defaults.borderColor = "#edf0f4";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation.duration = 250;
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 10;
  Chart.defaults.plugins.legend.labels.boxHeight = 10;
  Chart.defaults.plugins.legend.align = "end";
  Chart.defaults.plugins.tooltip.backgroundColor = "#1d2939";
  Chart.defaults.plugins.tooltip.padding = 8;

  const alpha = (hex, a) => hex + Math.round(a * 255).toString(16).padStart(2, "0");
  const allEmpty = (values) => values.every((v) => v === null || v === undefined || Number(v) === 0);
  const shorten = (text, max) => (text.length > max ? text.slice(0, max - 1) + "…" : text);

  /* --- Axes ------------------------------------------------------------------------------ */
  function periodAxis(bucket) {
    return {
      grid: { display: false },
      ticks: {
        maxRotation: 0, autoSkipPadding: 14,
        callback(value) { return fmt.period(this.getLabelForValue(value), bucket); },
      },
    };
  }
  const moneyAxis = (extra) => ({ beginAtZero: true, ticks: { callback: (v) => fmt.currencyShort(v) }, ...extra });
  const countAxis = (extra) => ({ beginAtZero: true, ticks: { precision: 0, callback: (v) => fmt.compact(v) }, ...extra });
  const ratingAxis = (extra) => ({ min: 0, max: 5, ticks: { stepSize: 1 }, ...extra });
  const rightAxis = (axis) => ({ ...axis, position: "right", grid: { drawOnChartArea: false } });
  // Long names are cut to fit: fewer characters on a phone-sized chart.
  const labelAxis = (max) => ({
    grid: { display: false },
    ticks: {
      autoSkip: false,
      callback(value) { return shorten(String(this.getLabelForValue(value)), this.chart.width < 420 ? Math.min(max, 16) : max); },
    },
  });

  function periodTooltip(bucket, formats) {
    return {
      callbacks: {
        title: (items) => fmt.period(items[0].label, bucket),
        label: (ctx) => `${ctx.dataset.label}: ${formats[ctx.datasetIndex](ctx.raw)}`,
      },
    };
  }

  /* A line of money over a bar of counts, one point per period. */
  function moneyAndCount({ points, bucket, money, count, moneyLabel, countLabel, countColor }) {
    const many = points.length > 45;
    return {
      type: "bar",
      data: {
        labels: points.map((p) => p.period),
        datasets: [
          {
            type: "line", label: moneyLabel, data: points.map((p) => p[money]), yAxisID: "y", order: 0,
            borderColor: C.blue, backgroundColor: alpha(C.blue, 0.1), fill: true, cubicInterpolationMode: "monotone", clip: 4,
            pointRadius: many ? 0 : 2, borderWidth: 2,
          },
          {
            type: "bar", label: countLabel, data: points.map((p) => p[count]), yAxisID: "y1", order: 1,
            backgroundColor: alpha(countColor || C.amber, 0.55), borderRadius: 2, maxBarThickness: 28,
          },
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { x: periodAxis(bucket), y: moneyAxis(), y1: rightAxis(countAxis()) },
        plugins: { tooltip: periodTooltip(bucket, [fmt.currency, fmt.integer]) },
      },
    };
  }

  function ratingAndCount({ points, bucket, countLabel, withBars }) {
    const datasets = [{
      type: "line", label: "Average rating", data: points.map((p) => p.average_rating), yAxisID: "y", order: 0,
      borderColor: C.green, backgroundColor: C.green, spanGaps: true, cubicInterpolationMode: "monotone", clip: 4,
      pointRadius: points.length > 45 ? 0 : 2,
      borderWidth: 2,
    }];
    const scales = { x: periodAxis(bucket), y: ratingAxis() };
    if (withBars) {
      datasets.push({
        type: "bar", label: countLabel, data: points.map((p) => p.count), yAxisID: "y1", order: 1,
        backgroundColor: alpha(C.purple, 0.45), borderRadius: 2, maxBarThickness: 28,
      });
      scales.y1 = rightAxis(countAxis());
    }
    return {
      type: "bar",
      data: { labels: points.map((p) => p.period), datasets },
      options: {
        interaction: { mode: "index", intersect: false },
        scales,
        plugins: {
          legend: { display: withBars },
          tooltip: periodTooltip(bucket, [(v) => fmt.rating(v), fmt.integer]),
        },
      },
    };
  }

  function horizontalBars({ labels, values, label, format, color, maxLabel }) {
    return {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: color || C.blue, borderRadius: 3, maxBarThickness: 22 }] },
      options: {
        indexAxis: "y",
        interaction: { mode: "index", axis: "y", intersect: false },
        scales: {
          x: format === fmt.currency ? moneyAxis() : countAxis(),
          y: labelAxis(maxLabel || 22),
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${label}: ${format(ctx.raw)}` } },
        },
      },
    };
  }

  const cityLabel = (row) => `${row.city} (${row.country})`;

  /* --- One renderer per chart: figure JSON → Chart.js config, or null when there is nothing to draw. */
  const renderers = {
    revenue_over_time(d) {
      if (allEmpty(d.points.map((p) => p.orders))) return null;
      return moneyAndCount({ points: d.points, bucket: d.bucket, money: "revenue", count: "orders", moneyLabel: "Revenue", countLabel: "Orders" });
    },
    units_revenue_per_month(d) {
      if (allEmpty(d.points.map((p) => p.units))) return null;
      return moneyAndCount({ points: d.points, bucket: d.bucket, money: "revenue", count: "units", moneyLabel: "Revenue", countLabel: "Units", countColor: C.teal });
    },
    product_sales(d) {
      if (allEmpty(d.points.map((p) => p.units))) return null;
      return moneyAndCount({ points: d.points, bucket: d.bucket, money: "revenue", count: "units", moneyLabel: "Revenue", countLabel: "Units", countColor: C.teal });
    },
    revenue_by_category(d) {
      if (!d.rows.length) return null;
      return horizontalBars({ labels: d.rows.map((r) => r.category), values: d.rows.map((r) => r.revenue), label: "Revenue", format: fmt.currency });
    },
    top_products_by_revenue(d) {
      if (!d.by_revenue.length) return null;
      return horizontalBars({ labels: d.by_revenue.map((r) => r.name), values: d.by_revenue.map((r) => r.revenue), label: "Revenue", format: fmt.currency, maxLabel: 26 });
    },
    top_products_by_units(d) {
      if (!d.by_units.length) return null;
      return horizontalBars({ labels: d.by_units.map((r) => r.name), values: d.by_units.map((r) => r.units), label: "Units", format: fmt.integer, color: C.teal, maxLabel: 26 });
    },
    rating_distribution(d) {
      if (allEmpty(d.rows.map((r) => r.count))) return null;
      return {
        type: "bar",
        data: {
          labels: d.rows.map((r) => r.rating),
          datasets: [{ label: "Feedback", data: d.rows.map((r) => r.count), backgroundColor: d.rows.map((r) => RATING_COLORS[r.rating - 1] || C.grey), borderRadius: 3, maxBarThickness: 56 }],
        },
        options: {
          scales: {
            x: { grid: { display: false }, ticks: { callback(value) { return "★".repeat(Number(this.getLabelForValue(value))); } } },
            y: countAxis(),
          },
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { title: (items) => `${items[0].label} star${items[0].label === "1" ? "" : "s"}`, label: (ctx) => `${fmt.integer(ctx.raw)} reviews` } },
          },
        },
      };
    },
    average_rating_over_time(d) {
      if (allEmpty(d.points.map((p) => p.count))) return null;
      return ratingAndCount({ points: d.points, bucket: d.bucket, countLabel: "Feedback", withBars: false });
    },
    product_ratings(d) {
      if (allEmpty(d.points.map((p) => p.count))) return null;
      return ratingAndCount({ points: d.points, bucket: d.bucket, countLabel: "Feedback", withBars: true });
    },
    feedback_per_month(d) {
      if (allEmpty(d.points.map((p) => p.count))) return null;
      return ratingAndCount({ points: d.points, bucket: d.bucket, countLabel: "Feedback", withBars: true });
    },
    new_customers_over_time(d) {
      if (allEmpty(d.points.map((p) => p.count))) return null;
      return {
        type: "bar",
        data: { labels: d.points.map((p) => p.period), datasets: [{ label: "New customers", data: d.points.map((p) => p.count), backgroundColor: alpha(C.purple, 0.7), borderRadius: 2, maxBarThickness: 28 }] },
        options: {
          interaction: { mode: "index", intersect: false },
          scales: { x: periodAxis(d.bucket), y: countAxis() },
          plugins: { legend: { display: false }, tooltip: periodTooltip(d.bucket, [fmt.integer]) },
        },
      };
    },
    sales_by_city(d) {
      if (!d.rows.length) return null;
      return horizontalBars({ labels: d.rows.map(cityLabel), values: d.rows.map((r) => r.revenue), label: "Revenue", format: fmt.currency, color: C.green });
    },
    customers_per_city(d) {
      if (!d.rows.length) return null;
      return horizontalBars({ labels: d.rows.map(cityLabel), values: d.rows.map((r) => r.count), label: "Customers", format: fmt.integer, color: C.purple });
    },
    quantity_vs_rating(d) {
      if (!d.points.length) return null;
      return {
        type: "scatter",
        data: {
          datasets: [{
            label: "Products", data: d.points.map((p) => ({ x: p.units, y: p.average_rating })),
            backgroundColor: alpha(C.blue, 0.55), borderColor: C.blue, pointRadius: 4, pointHoverRadius: 6, clip: 8,
          }],
        },
        options: {
          scales: {
            x: countAxis({ title: { display: true, text: "Units sold" }, grace: "5%" }),
            y: ratingAxis({ title: { display: true, text: "Average rating" } }),
          },
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: (ctx) => `${d.points[ctx.dataIndex].name}: ${fmt.integer(ctx.raw.x)} units, ${fmt.rating(ctx.raw.y)}` } },
          },
        },
      };
    },
    price_spread_by_category(d) {
      if (!d.rows.length) return null;
      return {
        type: "bar",
        data: {
          labels: d.rows.map((r) => r.category),
          datasets: [
            { label: "Lowest–highest", data: d.rows.map((r) => [r.min, r.max]), backgroundColor: alpha(C.grey, 0.35), grouped: false, barPercentage: 0.12, order: 2 },
            { label: "Middle half (Q1–Q3)", data: d.rows.map((r) => [r.q1, r.q3]), backgroundColor: alpha(C.blue, 0.35), borderColor: C.blue, borderWidth: 1, grouped: false, barPercentage: 0.6, order: 1 },
            { type: "line", label: "Median", data: d.rows.map((r) => r.median), showLine: false, pointStyle: "line", pointRadius: 12, pointHoverRadius: 14, borderWidth: 3, borderColor: "#1d2939", backgroundColor: "#1d2939", order: 0 },
          ],
        },
        options: {
          interaction: { mode: "index", intersect: false },
          scales: { x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 45 } }, y: moneyAxis({ beginAtZero: false }) },
          plugins: {
            tooltip: {
              callbacks: {
                label: (ctx) => {
                  const v = ctx.raw;
                  return `${ctx.dataset.label}: ${Array.isArray(v) ? fmt.currency(v[0]) + " – " + fmt.currency(v[1]) : fmt.currency(v)}`;
                },
                footer: (items) => `${fmt.integer(d.rows[items[0].dataIndex].count)} products`,
              },
            },
          },
        },
      };
    },
  };

  /* --- Drill-down: where a click on a bar or point goes. ---------------------------------- */
  const drillLinks = (() => {
    const el = document.getElementById("drill-links");
    return el ? JSON.parse(el.textContent) : {};
  })();

  function withParams(base, params) {
    const url = new URL(base, window.location.origin);
    Object.entries(params).forEach(([k, v]) => url.searchParams.set(k, v));
    return url.pathname + url.search;
  }

  const drills = {
    category: (d, i) => withParams(drillLinks.category, { category: d.rows[i].category }),
    product_by_revenue: (d, i) => drillLinks.product.replace("{id}", encodeURIComponent(d.by_revenue[i].product_id)),
    product_by_units: (d, i) => drillLinks.product.replace("{id}", encodeURIComponent(d.by_units[i].product_id)),
    product_point: (d, i) => drillLinks.product.replace("{id}", encodeURIComponent(d.points[i].product_id)),
    city: (d, i) => withParams(drillLinks.city, { city: d.rows[i].city, country: d.rows[i].country }),
  };

  function addDrill(config, card, data) {
    const drill = drills[card.dataset.drill];
    if (!drill) return;
    card.classList.add("is-clickable");
    config.options.onClick = (event, elements) => {
      if (elements.length) window.location.href = drill(data, elements[0].index);
    };
    config.options.onHover = (event, elements) => {
      event.native.target.style.cursor = elements.length ? "pointer" : "default";
    };
  }

  function draw(card) {
    const box = card.querySelector(".chart-box");
    const canvas = card.querySelector("canvas");
    const source = document.getElementById(card.dataset.source);
    const render = renderers[card.dataset.chart];
    try {
      const data = JSON.parse(source.textContent);
      const config = render(data);
      if (config === null) {
        canvas.hidden = true;
        card.querySelector(".empty-state").hidden = false;
        card.dataset.state = "empty";
        return;
      }
      addDrill(config, card, data);
      new Chart(canvas, config);
      card.dataset.state = "drawn";
    } finally {
      box.classList.remove("is-loading");
    }
  }

  window.App.charts = { renderers, draw };
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
