/* Draws every chart whose Plotly spec is embedded in the page as JSON.
   The spec is laid out for a desktop column; before drawing, the layout is
   fitted to the chart's real width: long category labels are wrapped (so
   nothing is cut off on a phone), repeated labels keep their own bars, the
   legend goes below the axis title, and phones scroll instead of zooming. The title is
   the figure's <figcaption>, so it is not drawn again inside the plot. */
(function () {
  "use strict";
  var NARROW = 560;    // below this width: no zooming, labels may take more room

  function clone(x) { return JSON.parse(JSON.stringify(x)); }
  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function charWidth(c) { return c.charCodeAt(0) > 0x2e7f ? 1 : 0.56; }  // CJK ≈ 1em, Latin ≈ .56em
  function textWidth(s, px) { var w = 0; for (var i = 0; i < s.length; i++) w += charWidth(s[i]); return w * px; }

  /* Lines of `s`, each at most maxPx wide at font size px, of about equal
     length (no lone character on the last line); never breaks inside a run
     of Latin letters or digits when it can avoid it. */
  function lines(s, maxPx, px) {
    s = String(s == null ? "" : s);
    if (textWidth(s, px) <= maxPx) return [s];
    var greedy = fill(s, maxPx, px);
    var even = fill(s, Math.min(maxPx, textWidth(s, px) / greedy.length + px), px);
    return even.length <= greedy.length ? even : greedy;
  }
  function fill(s, maxPx, px) {
    var out = [], line = "";
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (line && textWidth(line + c, px) > maxPx) {
        out.push(line.slice(0, breakAt(line, c)));
        line = line.slice(out[out.length - 1].length);
      }
      line += c;
    }
    if (line) out.push(line);
    return out;
  }
  /* Where to end a full line that `next` does not fit on: after 、，：； or
     before an opening bracket in the line's second half, else not inside a
     run of Latin letters or digits, else right at the end. */
  function breakAt(line, next) {
    for (var k = line.length; k > line.length / 2; k--) {
      if (/[、，,：:；;）)]/.test(line[k - 1]) || /[（(“《]/.test(k < line.length ? line[k] : next)) return k;
    }
    var cut = line.length;
    if (/[A-Za-z0-9.%]/.test(next)) {
      while (cut > 0 && /[A-Za-z0-9.%]/.test(line[cut - 1])) cut--;
    }
    return cut || line.length;
  }

  /* Repeated category labels would be merged into one slot by Plotly:
     make each occurrence distinct with zero-width spaces. */
  function dedupe(data, key) {
    var first = data[0] && data[0][key];
    if (!first) return;
    var seen = {}, fixed = first.map(function (label) {
      var l = String(label);
      while (seen[l]) l += "\u200b";
      seen[l] = 1;
      return l;
    });
    data.forEach(function (t) { if (t[key] && t[key].length === fixed.length) t[key] = fixed.slice(); });
  }

  /* Text in charts grows with the page's large-font mode (html.large). */
  function fontScale() {
    return (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16) / 16;
  }

  function fit(spec, width, scale) {
    var data = clone(spec.data), layout = clone(spec.layout);
    var narrow = width < NARROW;
    layout.font = layout.font || {};
    var px = layout.font.size = Math.round((layout.font.size || 13) * scale);
    var horizontal = data.length && data[0].orientation === "h";
    var catKey = horizontal ? "y" : "x", cat = horizontal ? "yaxis" : "xaxis";

    // The title is shown above the chart in HTML (<figcaption>), where it wraps like text.
    layout.title = { text: "" };
    layout.margin = layout.margin || {};
    layout.margin.t = 12;
    if (narrow) {
      // a finger on a chart scrolls the page instead of zooming the plot
      layout.dragmode = false;
      ["xaxis", "yaxis"].forEach(function (k) { if (layout[k]) layout[k].fixedrange = true; });
    }

    if (data.length > 1 || (layout.showlegend === true)) {
      layout.legend = { orientation: "h", xref: "container", x: 0, xanchor: "left",
                        yref: "container", y: 0, yanchor: "bottom", font: { size: px } };
    }

    dedupe(data, catKey);
    var cats = (data[0] && data[0][catKey]) || [];
    if (cats.length && layout[cat] && layout[cat].type === "category") {
      var maxPx, maxLines = 1;
      if (horizontal) {
        maxPx = width * (narrow ? 0.45 : 0.36);
      } else {
        maxPx = Math.max(3 * px, (width - 70) / cats.length - 8);
      }
      var text = cats.map(function (c) {
        var l = lines(String(c).replace(/\u200b/g, ""), maxPx, px);
        maxLines = Math.max(maxLines, l.length);
        return l.map(esc).join("<br>");
      });
      if (horizontal || maxLines <= 4) {
        layout[cat].tickmode = "array";
        layout[cat].tickvals = cats;
        layout[cat].ticktext = text;
        if (!horizontal) layout[cat].tickangle = 0;
      }
      if (horizontal) {
        var per = Math.max(maxLines * px * 1.3 + 10, 22 * Math.max(1, layout.barmode === "stack" ? 1 : data.length));
        var need = Math.round(cats.length * per + layout.margin.t + 90);
        if (!layout.height || layout.height < need) layout.height = need;
      }
    }
    return { data: data, layout: layout };
  }

  function config() {
    return { responsive: true, displaylogo: false, locale: "zh-CN",
             // no mode bar: its buttons would be focusable inside role="img" (drag to zoom and
             // double-click to reset still work with a mouse)
             displayModeBar: false,
             modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"] };
  }

  /* plotly.js (about 1 MB) is fetched and run only when the first chart comes
     near the viewport: nothing of it blocks the page's first paint. */
  var PLOTLY = (document.currentScript && document.currentScript.getAttribute("data-plotly")) || "";
  var plotlyReady = null;
  function ensurePlotly() {
    if (window.Plotly) return Promise.resolve();
    if (!plotlyReady) {
      plotlyReady = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = PLOTLY; s.async = true;
        s.onload = function () { resolve(); };
        s.onerror = function () { plotlyReady = null; reject(new Error("plotly.js 未能加载")); };
        document.head.appendChild(s);
      });
    }
    return plotlyReady;
  }

  var charts = [];
  /* Each chart is drawn when it comes near the viewport (IntersectionObserver),
     so loading a page never blocks on drawing charts the reader has not
     reached. window.portalDrawCharts() draws the rest at once (tests, print). */
  function drawOne(el) {
    if (el.getAttribute("data-drawn") || el.getAttribute("data-drawing") || !window.Plotly) return;
    el.setAttribute("data-drawing", "1");
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    var first = spec.data[0] || {};
    if (first.orientation === "h" && first.y && first.y.length > 10) {
      var fig = el.closest(".chart-figure");   // long bar lists get the whole row
      if (fig) fig.classList.add("chart-wide");
    }
    var width = el.clientWidth || 600, scale = fontScale();
    var f = fit(spec, width, scale);
    charts.push({ el: el, spec: spec, width: width, scale: scale });
    return Plotly.newPlot(el, f.data, f.layout, config())
      .then(function () {
        // Plotly's off-screen text-measuring <svg> sits outside every landmark: hide it from AT.
        var tester = document.getElementById("js-plotly-tester");
        if (tester) tester.setAttribute("aria-hidden", "true");
        el.setAttribute("data-drawn", "1");
      });
  }
  var observer = null;
  function later(el) { ensurePlotly().then(function () { drawOne(el); }, function () {}); }
  function draw() {
    var els = document.querySelectorAll(".chart[data-spec]");
    if (!els.length) return;
    if (!("IntersectionObserver" in window)) { els.forEach(later); return; }
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { observer.unobserve(e.target); later(e.target); }
      });
    }, { rootMargin: "300px 0px" });
    els.forEach(function (el) { observer.observe(el); });
  }
  window.portalDrawCharts = function () {
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      if (observer) observer.unobserve(el);
      later(el);
    });
  };
  var timer = null;
  function refit() {
    var scale = fontScale();
    charts.forEach(function (c) {
      var width = c.el.clientWidth;
      if (!width || (Math.abs(width - c.width) < 24 && scale === c.scale)) return;
      c.width = width; c.scale = scale;
      var f = fit(c.spec, width, scale);
      Plotly.react(c.el, f.data, f.layout, config());
    });
  }
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(refit, 150); });

  if (document.readyState !== "loading") draw(); else document.addEventListener("DOMContentLoaded", draw);
})();
