/* Draws the report's charts from the JSON beside each chart, with the bundled plotly.js.
   No network: the data is in the page, the library in assets/. */
(function () {
  "use strict";
  var PRINT_WIDTH = 680; // A4 (210 mm) less 2 x 14 mm margins, in CSS pixels

  function drawAll() {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    var printing = document.body.classList.contains("page-print");
    if (typeof window.Plotly === "undefined") {
      charts.forEach(function (div) {
        div.textContent = "This chart could not be drawn (plotly.js did not load).";
        div.classList.add("chart-missing");
      });
      return;
    }
    var pending = charts.map(function (div) {
      var source = document.getElementById(div.getAttribute("data-figure"));
      var spec = JSON.parse(source.textContent);
      var config = Object.assign({}, spec.config);
      if (printing) {
        spec.layout.width = PRINT_WIDTH;
        config.staticPlot = true;
        config.responsive = false;
      }
      return window.Plotly.newPlot(div, spec.data, spec.layout, config);
    });
    Promise.all(pending).then(function () {
      document.body.setAttribute("data-charts-drawn", String(charts.length));
    });
    // Printing a screen page: fit the charts to the paper, then back to the window.
    if (!printing && window.matchMedia) {
      window.matchMedia("print").addEventListener("change", function () {
        charts.forEach(function (div) { window.Plotly.Plots.resize(div); });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
