/* Draws every chart whose Plotly spec is embedded in the page as JSON. */
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
      Plotly.newPlot(el, spec.data, spec.layout, {
        responsive: true, displaylogo: false, locale: "zh-CN",
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"]
      }).then(function () { el.setAttribute("data-drawn", "1"); });
    });
  }
  if (document.readyState !== "loading") draw(); else document.addEventListener("DOMContentLoaded", draw);
})();
