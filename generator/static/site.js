/* Large-font mode and sortable tables. No external requests. */
(function () {
  "use strict";
  var KEY = "portal-large-font";
  var root = document.documentElement;
  try { if (localStorage.getItem(KEY) === "1") root.classList.add("large"); } catch (e) {}
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var btn = document.querySelector(".font-toggle");
    if (btn) {
      btn.setAttribute("aria-pressed", root.classList.contains("large") ? "true" : "false");
      btn.addEventListener("click", function () {
        var on = root.classList.toggle("large");
        btn.setAttribute("aria-pressed", on ? "true" : "false");
        try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) {}
        window.dispatchEvent(new Event("resize"));
      });
    }
    var params = new URLSearchParams(location.search);
    var q = document.getElementById("header-q");
    if (q && params.get("q")) q.value = params.get("q");
    document.querySelectorAll("table.sortable").forEach(makeSortable);
  });
  function cellValue(cell) {
    var t = (cell.textContent || "").trim();
    // "5,417.27", "93.4%", "0.72（0.72）" sort by their (first) number
    var n = t.replace(/[（(].*$/, "").replace(/[,，%\s]/g, "");
    if (/^-?\d+(\.\d+)?$/.test(n)) return parseFloat(n);
    return t === "—" || t === "" ? null : t;
  }
  function makeSortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "sort";
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      b.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
          if (x === null && y === null) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          var r = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh-CN");
          return dir === "ascending" ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
})();
