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

  /* --- Maps (chartjs-chart-geo): world-atlas countries, fetched once from this site's static files. */
  const atlases = {};
  function countryShapes(url) {
    if (!atlases[url]) {
      atlases[url] = fetch(url)
        .then((response) => { if (!response.ok) throw new Error(`map ${response.status}`); return response.json(); })
        .then((topo) => ChartGeo.topojson.feature(topo, topo.objects.countries).features
          .filter((f) => f.properties.name !== "Antarctica"));
    }
    return atlases[url];
  }
  // The key analytics/figures/countries.py names: the ISO numeric id, else (Kosovo) the name.
  const featureKey = (f) => (f.id === undefined || f.id === null ? f.properties.name : String(f.id));
  /* A colour ramp from a light tint (the fewest, still clearly coloured) to a dark shade (the most). */
  function ramp(from, to) {
    const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const [a, b] = [rgb(from), rgb(to)];
    return (t) => `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * Math.min(1, Math.max(0, t)))).join(",")})`;
  }
  const METRICS = {
    customers: { label: "Customers", format: (v) => fmt.integer(v), color: ramp("#b9cdf3", "#1f3f8f"), whole: true },
    revenue: { label: "Revenue", format: (v) => fmt.currency(v), color: ramp("#b7e4cf", "#12603f"), whole: false },
    orders: { label: "Orders", format: (v) => fmt.integer(v), color: ramp("#fbd9a5", "#a35a00"), whole: true },
  };
  // Legend ticks: money short, counts whole (a log scale would otherwise label 1.2, 1.4, …).
  const mapTick = (metric) => (v) => (metric === "revenue" ? fmt.currencyShort(v) : Number.isInteger(v) ? fmt.compact(v) : null);
  // The legend spans the data, not the decades around it (a $60 shop's scale ran to $100): the least
  // and the most above zero, a tenth of it below when they are one value (a log scale needs a width).
  const logBounds = (values) => {
    const positive = values.filter((v) => v > 0);
    if (!positive.length) return {};
    const max = Math.max(...positive);
    const min = Math.min(...positive);
    return { min: min < max ? min : max / 10, max };
  };
  const metricOf = (card) => (METRICS[card.dataset.metric] ? card.dataset.metric : "customers");
  const mapOptions = {
    showOutline: true, showGraticule: false, outlineBorderColor: "#d0d5dd", outlineBorderWidth: 0.5,
    outlineBackgroundColor: "#f2f4f7",
  };

  function customerMapCountries(d, card) {
    if (!d.countries.length) return null;
    const metric = metricOf(card);
    const { label, format, color } = METRICS[metric];
    const byKey = new Map(d.countries.filter((c) => c.atlas_key).map((c) => [c.atlas_key, c]));
    return countryShapes(card.dataset.atlas).then((shapes) => ({
      type: "choropleth",
      data: {
        labels: shapes.map((f) => f.properties.name),
        datasets: [{
          label, outline: shapes, borderColor: "#ffffff", borderWidth: 0.5, hoverBorderColor: "#1d2939", hoverBorderWidth: 1.5,
          data: shapes.map((f) => {
            const row = byKey.get(featureKey(f));
            // Nothing there: the outline's grey, not the scale's lightest blue (a log scale has no 0).
            return { feature: f, value: row && row[metric] > 0 ? row[metric] : null, country: row ? row.country : null, name: row ? row.name : f.properties.name };
          }),
        }],
      },
      options: {
        ...mapOptions,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${ctx.raw.name}: ${ctx.raw.value === null ? "none" : format(ctx.raw.value)}` } },
        },
        scales: {
          projection: { axis: "x", projection: "equalEarth" },
          color: {
            axis: "x", type: "colorLogarithmic", interpolate: color, missing: "#f2f4f7",
            ...logBounds(d.countries.map((c) => c[metric])),
            legend: { position: "bottom-left", align: "right", length: 160 },
            ticks: { callback: mapTick(metric) },
          },
        },
      },
    }));
  }

  function customerMapCities(d, card) {
    if (!d.cities.length) return null;
    const metric = metricOf(card);
    const { label, format } = METRICS[metric];
    const bubble = { customers: C.blue, revenue: C.green, orders: C.amber }[metric];
    return countryShapes(card.dataset.atlas).then((shapes) => ({
      type: "bubbleMap",
      data: {
        labels: d.cities.map(cityLabel),
        datasets: [{
          label, outline: shapes, backgroundColor: alpha(bubble, 0.45), borderColor: bubble, borderWidth: 1,
          data: d.cities.map((r) => ({ longitude: r.longitude, latitude: r.latitude, value: r[metric], city: r.city, country: r.country })),
        }],
      },
      options: {
        ...mapOptions,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => `${cityLabel(ctx.raw)}: ${format(ctx.raw.value)}` } },
        },
        scales: {
          projection: { axis: "x", projection: "equalEarth" },
          size: { axis: "x", size: [2, 18], legend: { position: "bottom-left", align: "right" }, ticks: { callback: mapTick(metric) } },
        },
      },
    }));
  }

  /* --- One renderer per chart: figure JSON → Chart.js config (or a promise of one), or null when there is nothing to draw. */
  const renderers = {
    cohort_retention(d) {
      // One line per cohort: the share of it buying in each month (or week) since its first (offset 0 = 100%).
      if (!d.cohorts.length) return null;
      const palette = [C.blue, C.amber, C.green, C.purple, C.red, C.teal, C.grey];
      return {
        type: "line",
        data: {
          labels: Array.from({ length: d.period === "week" ? d.weeks : d.months }, (_, i) => String(i)),
          datasets: d.cohorts.map((c, i) => ({
            label: c.cohort, data: c.cells.map((cell) => cell.retention),
            borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
            pointRadius: 2, borderWidth: 1.5, tension: 0.2,
          })),
        },
        options: {
          scales: {
            x: { grid: { display: false }, title: { display: true, text: `${d.period === "week" ? "Weeks" : "Months"} since the first purchase` } },
            y: { beginAtZero: true, max: 1, ticks: { callback: (v) => fmt.share(v) } },
          },
          plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${fmt.share(ctx.raw)}` } } },
        },
      };
    },
    customer_map_countries: customerMapCountries,
    customer_map_cities: customerMapCities,
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
    products_per_category(d) {
      if (!d.rows.length) return null;
      return horizontalBars({ labels: d.rows.map((r) => r.category), values: d.rows.map((r) => r.products), label: "Products", format: fmt.integer, color: C.purple });
    },
    average_rating_per_product(d) {
      if (!d.rows.length) return null;
      const config = horizontalBars({ labels: d.rows.map((r) => r.name), values: d.rows.map((r) => r.average_rating), label: "Average rating", format: fmt.rating, color: C.green, maxLabel: 26 });
      config.options.scales.x = ratingAxis();
      config.options.plugins.tooltip.callbacks.footer = (items) => `${fmt.integer(d.rows[items[0].dataIndex].feedback)} reviews`;
      return config;
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
    product_category: (d, i) => withParams(window.location.pathname + window.location.search, { category: d.rows[i].category }),
    rated_product: (d, i) => drillLinks.product.replace("{id}", encodeURIComponent(d.rows[i].product_id)),
    // The map's own points carry the country code or the city (a country without customers goes nowhere).
    map_country: (d, i, chart, card) => {
      const point = chart.data.datasets[0].data[i];
      return point.country ? withParams(card.dataset.link, { country: point.country }) : null;
    },
    map_city: (d, i, chart, card) => {
      const point = chart.data.datasets[0].data[i];
      return withParams(card.dataset.link, { city: point.city, country: point.country });
    },
  };

  function addDrill(config, card, data) {
    const drill = drills[card.dataset.drill];
    if (!drill) return;
    card.classList.add("is-clickable");
    config.options.onClick = (event, elements, chart) => {
      const target = elements.length ? drill(data, elements[0].index, chart, card) : null;
      if (target) window.location.href = target;
    };
    config.options.onHover = (event, elements, chart) => {
      const target = elements.length ? drill(data, elements[0].index, chart, card) : null;
      event.native.target.style.cursor = target ? "pointer" : "default";
    };
  }

  function draw(card) {
    const box = card.querySelector(".chart-box");
    const canvas = card.querySelector("canvas");
    const source = document.getElementById(card.dataset.source);
    const render = renderers[card.dataset.chart];
    const previous = Chart.getChart(canvas);
    if (previous) previous.destroy();
    const show = (data, config) => {
      if (config === null) {
        canvas.hidden = true;
        card.querySelector(".empty-state").hidden = false;
        card.dataset.state = "empty";
        return;
      }
      addDrill(config, card, data);
      new Chart(canvas, config);
      card.dataset.state = "drawn";
    };
    let data;
    let config;
    try {
      data = JSON.parse(source.textContent);
      config = render(data, card);
      if (config && typeof config.then === "function") {
        // A map waits for its country shapes; the card stays "loading" until they come.
        config.then((ready) => show(data, ready), (error) => { card.dataset.state = "failed"; throw error; })
          .finally(() => box.classList.remove("is-loading"));
        return;
      }
      show(data, config);
    } finally {
      if (!(config && typeof config.then === "function")) box.classList.remove("is-loading");
    }
  }

  /* A map card's Customers / Revenue / Orders switch redraws it with that measure. */
  function metricSwitch(card) {
    card.querySelectorAll("[data-metric-choice]").forEach((button) => button.addEventListener("click", () => {
      card.dataset.metric = button.dataset.metricChoice;
      card.querySelectorAll("[data-metric-choice]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      draw(card);
    }));
  }

  window.App.charts = { renderers, draw };
  document.querySelectorAll("[data-chart]").forEach((card) => { metricSwitch(card); draw(card); });
})();
