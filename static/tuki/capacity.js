// Capacity charts (templates/capacity/partials/panel.html). Each
// <canvas data-capacity-chart="ID"> is drawn from the JSON of <script type="application/json"
// id="ID"> (Django's json_script): the daily medians of the last 30 days, the Theil–Sen trend
// and its confidence band two weeks ahead, and the threshold's levels. No inline script: the
// Content-Security-Policy forbids them.
(() => {
  const lang = document.documentElement.lang || undefined;

  function day(label) {
    const date = new Date(`${label}T12:00:00Z`);
    return Number.isNaN(date.getTime()) ? label : date.toLocaleDateString(lang, { day: "numeric", month: "short" });
  }

  function level(data, value, colour, label) {
    return {
      label,
      data: data.labels.map(() => value),
      borderColor: colour,
      borderWidth: 1.5,
      borderDash: [6, 4],
      pointRadius: 0,
      fill: false,
    };
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.capacityChart);
    if (!source || !window.Chart || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    const data = JSON.parse(source.textContent);
    const text = data.labels_text || {};
    const datasets = [{
      label: text.values,
      data: data.values,
      borderColor: "#0d6efd",
      backgroundColor: "#0d6efd",
      showLine: false,
      pointRadius: 2.5,
      fill: false,
    }];
    if (data.trend) {
      datasets.push({ label: text.trend, data: data.trend, borderColor: "#495057", borderWidth: 1.5, pointRadius: 0, fill: false });
      datasets.push({ label: text.low, data: data.low, borderColor: "rgba(108,117,125,.35)", borderWidth: 1, pointRadius: 0, fill: false });
      datasets.push({ label: text.high, data: data.high, borderColor: "rgba(108,117,125,.35)", backgroundColor: "rgba(108,117,125,.15)", borderWidth: 1, pointRadius: 0, fill: "-1" });
    }
    if (data.warning !== undefined && data.warning !== null) datasets.push(level(data, data.warning, "#fd7e14", text.warning));
    if (data.critical !== undefined && data.critical !== null) datasets.push(level(data, data.critical, "#dc3545", text.critical));
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        spanGaps: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            filter: (item) => item.raw !== null && item.dataset.label !== text.low && item.dataset.label !== text.high,
            callbacks: {
              title: (items) => (items.length ? day(items[0].label) : ""),
              label: (item) => `${item.dataset.label}: ${Math.round(item.raw * 100) / 100} ${data.unit || ""}`.trim(),
            },
          },
        },
        scales: {
          x: { ticks: { maxTicksLimit: 6, maxRotation: 0, callback(value) { return day(this.getLabelForValue(value)); } } },
          y: { ticks: { maxTicksLimit: 5 } },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-capacity-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  window.addEventListener("load", drawAll);
  if (document.readyState !== "loading") drawAll();
})();
