// Report charts (templates/reports/). Each <canvas data-chart="ID"> is drawn from the JSON of
// <script type="application/json" id="ID"> (Django's json_script): the numbers of the table
// beside it, which stays the page's truth. A click on a bar or point opens the tickets
// behind it. No inline script: the Content-Security-Policy forbids them.
(() => {
  const COLOURS = ["#0d6efd", "#adb5bd", "#dc3545"];

  function format(value, unit) {
    if (value === null || value === undefined) return "—";
    if (unit === "percent") return `${Math.round(value * 10) / 10} %`;
    if (unit === "minutes") {
      const minutes = Math.round(value);
      const hours = Math.floor(minutes / 60);
      return hours ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
    }
    return String(Math.round(value * 100) / 100);
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    const data = JSON.parse(source.textContent);
    const datasets = data.datasets.map((set, index) => ({
      label: set.label,
      data: set.data,
      type: set.target ? "line" : data.type,
      borderColor: COLOURS[index % COLOURS.length],
      backgroundColor: index === 0 && data.type === "bar" ? `${COLOURS[0]}cc` : COLOURS[index % COLOURS.length],
      borderDash: set.target ? [6, 4] : (index === 1 ? [3, 3] : []),
      pointRadius: set.target ? 0 : 3,
      spanGaps: true,
    }));
    const horizontal = data.type === "bar" && data.labels.length > 8;
    new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.raw, data.unit)}` } },
        },
        scales: {
          [horizontal ? "x" : "y"]: {
            beginAtZero: true,
            ticks: { precision: data.unit === "count" ? 0 : undefined, callback: (value) => format(value, data.unit) },
          },
        },
        onClick: (_event, elements) => {
          const hit = elements.find((element) => element.datasetIndex === 0);
          if (hit && data.urls[hit.index]) window.location.assign(data.urls[hit.index]);
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // The custom period's days matter only for "Custom": shown or hidden with the choice.
  function toggleCustom() {
    const period = document.querySelector("#report-filters select[name=period]");
    if (!period) return;
    const custom = period.value === "custom";
    document.querySelectorAll("#report-filters .report-custom").forEach((box) => {
      box.hidden = !custom;
    });
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches?.("#report-filters select[name=period]")) toggleCustom();
  });
  document.addEventListener("DOMContentLoaded", () => { drawAll(); toggleCustom(); });
  if (document.readyState !== "loading") { drawAll(); toggleCustom(); }
})();
