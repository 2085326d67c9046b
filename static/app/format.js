/* Number and date formatting shared by every page (Intl), and the filter bar's small behaviours. */
(function () {
  "use strict";

  const currency = document.body.dataset.currency || "USD";
  const locale = undefined; // the reader's own locale

  const formats = {
    currency: new Intl.NumberFormat(locale, { style: "currency", currency: currency }),
    currencyShort: new Intl.NumberFormat(locale, { style: "currency", currency: currency, notation: "compact", maximumFractionDigits: 1 }),
    integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    compact: new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 }),
    rating: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    percent: new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }),
    day: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" }),
    month: new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" }),
    date: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }),
    datetime: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }),
  };

  const COMPACT_MONEY = 10000;
  const COMPACT_COUNT = 100000;
  // The exact figure behind a compact card value, for its title (what a hover shows).
  const EXACT = { money: (v) => formats.currency.format(Number(v)), count: (v) => formats.integer.format(Number(v)) };

  function isMissing(value) {
    return value === null || value === undefined || value === "" || Number.isNaN(Number(value));
  }

  const fmt = {
    currency: (v) => (isMissing(v) ? "—" : formats.currency.format(Number(v))),
    /* Headline money on a card: exact below 10,000, compact from there ("$19.8M") so any total fits;
     * formatElements puts the exact figure in the title. */
    money: (v) => (isMissing(v) ? "—" : (Math.abs(Number(v)) >= COMPACT_MONEY ? formats.currencyShort : formats.currency).format(Number(v))),
    /* Headline counts on a card: exact below 100,000, compact from there ("1.2M"). */
    count: (v) => (isMissing(v) ? "—" : (Math.abs(Number(v)) >= COMPACT_COUNT ? formats.compact : formats.integer).format(Number(v))),
    currencyShort: (v) => (isMissing(v) ? "—" : formats.currencyShort.format(Number(v))),
    integer: (v) => (isMissing(v) ? "—" : formats.integer.format(Number(v))),
    compact: (v) => (isMissing(v) ? "—" : formats.compact.format(Number(v))),
    rating: (v) => (isMissing(v) ? "—" : formats.rating.format(Number(v)) + " ★"),
    /* A probability 0..1 as a percentage; a small count with one decimal. */
    share: (v) => (isMissing(v) ? "—" : formats.percent.format(100 * Number(v)) + "%"),
    decimal: (v) => (isMissing(v) ? "—" : formats.percent.format(Number(v))),
    change: (v) => {
      if (isMissing(v)) return "—";
      const n = Number(v);
      const arrow = n > 0 ? "▲" : n < 0 ? "▼" : "■";
      return arrow + " " + formats.percent.format(Math.abs(n)) + "%";
    },
    /* Periods are ISO dates naming the first day of a day, week or month bucket. */
    period: (iso, bucket) => {
      const d = new Date(iso + "T00:00:00Z");
      if (Number.isNaN(d.getTime())) return String(iso);
      if (bucket === "month") return formats.month.format(d);
      if (bucket === "week") return "w/c " + formats.day.format(d);
      return formats.day.format(d);
    },
    date: (iso) => (iso ? formats.date.format(new Date(iso)) : "—"),
    datetime: (iso) => (iso ? formats.datetime.format(new Date(iso)) : "—"),
  };

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /* <span data-format="currency" data-value="1234.5">1,234.50</span> → "$1,234.50" */
  function formatElements(root) {
    root.querySelectorAll("[data-format]").forEach((el) => {
      const fn = fmt[el.dataset.format];
      if (!fn || !("value" in el.dataset)) return;
      el.textContent = fn(el.dataset.value);
      const exact = EXACT[el.dataset.format];
      if (exact && !isMissing(el.dataset.value)) el.title = exact(el.dataset.value);
    });
  }

  function filterBar() {
    const form = document.querySelector("[data-filter-bar]");
    if (!form) return;
    // A new category applies at once; dates wait for Apply (two boxes to fill).
    form.querySelectorAll("[data-autosubmit]").forEach((el) => el.addEventListener("change", () => form.requestSubmit()));
    const custom = form.querySelector('[data-preset="custom"]');
    if (custom) custom.addEventListener("click", () => {
      const from = form.querySelector('input[name="date_from"]');
      from.focus();
      if (typeof from.showPicker === "function") { try { from.showPicker(); } catch (e) { /* needs a user gesture */ } }
    });
    // Empty fields stay out of the URL, so shared links are short.
    form.addEventListener("formdata", (event) => {
      for (const [key, value] of Array.from(event.formData.entries())) {
        if (value === "") event.formData.delete(key);
      }
    });
  }

  window.App = { fmt, escapeHtml, formatElements, currency };
  document.addEventListener("DOMContentLoaded", () => {
    formatElements(document);
    filterBar();
  });
})();
