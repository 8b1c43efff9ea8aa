/* Accessibility toolbar (适老化/无障碍) and sortable tables. No external requests.
   Text size in steps up to 200 %, high contrast, wider line spacing and a
   reading mode; the choice persists across pages (localStorage). */
(function () {
  "use strict";
  var KEY = "portal-a11y";
  var SIZES = [100, 125, 150, 175, 200];
  var MODES = { contrast: "a11y-contrast", spacing: "a11y-spacing", reading: "a11y-reading" };
  var root = document.documentElement;
  var state = { size: 100, contrast: false, spacing: false, reading: false };
  try { var saved = JSON.parse(localStorage.getItem(KEY) || "{}"); for (var k in state) if (k in saved) state[k] = saved[k]; } catch (e) {}
  if (SIZES.indexOf(state.size) < 0) state.size = 100;
  function apply() {
    root.style.fontSize = state.size === 100 ? "" : state.size + "%";
    for (var m in MODES) root.classList.toggle(MODES[m], !!state[m]);
  }
  apply();
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) {} }
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var bar = document.querySelector(".a11y-bar");
    if (bar) {
      var status = bar.querySelector(".a11y-size");
      var sync = function () {
        var i = SIZES.indexOf(state.size);
        if (status) status.textContent = "字号 " + state.size + "%";
        bar.querySelectorAll("[data-a11y]").forEach(function (b) {
          var what = b.getAttribute("data-a11y");
          if (what in MODES) b.setAttribute("aria-pressed", state[what] ? "true" : "false");
          if (what === "larger") b.disabled = i === SIZES.length - 1;
          if (what === "smaller") b.disabled = i === 0;
        });
      };
      bar.addEventListener("click", function (ev) {
        var b = ev.target.closest ? ev.target.closest("[data-a11y]") : null;
        if (!b) return;
        var what = b.getAttribute("data-a11y"), i = SIZES.indexOf(state.size);
        if (what === "larger" && i < SIZES.length - 1) state.size = SIZES[i + 1];
        else if (what === "smaller" && i > 0) state.size = SIZES[i - 1];
        else if (what === "reset") state = { size: 100, contrast: false, spacing: false, reading: false };
        else if (what in MODES) state[what] = !state[what];
        apply(); save(); sync();
        window.dispatchEvent(new Event("resize"));   // charts re-measure their text
      });
      bar.hidden = false;
      sync();
    }
    var params = new URLSearchParams(location.search);
    var q = document.getElementById("header-q");
    if (q && params.get("q")) q.value = params.get("q");
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    scrollCues();
    emptyRows();
    window.addEventListener("resize", function () { clearTimeout(cueTimer); cueTimer = setTimeout(scrollCues, 200); });
  });
  /* A table wider than its box says so: a shadow at the hidden edge (CSS) and a hint line. */
  var cueTimer = null;
  function scrollCues() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 2;
      box.classList.toggle("scrolls", scrolls);
      var hint = box.nextElementSibling;
      if (scrolls && !(hint && hint.classList.contains("scroll-hint"))) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "← 本表较宽，可左右滑动查看其余各栏 →";
        box.parentNode.insertBefore(hint, box.nextSibling);
      }
    });
  }
  /* Rows with no figure are folded; one button per table shows them. */
  function emptyRows() {
    document.querySelectorAll(".empty-toggle").forEach(function (b) {
      b.addEventListener("click", function () {
        var block = b.closest(".table-block");
        var on = !block.classList.contains("show-empty");
        block.classList.toggle("show-empty", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.textContent = b.getAttribute(on ? "data-label-hide" : "data-label-show");
        scrollCues();
      });
    });
  }
  /* Printing: every folded part opens (chart data, 尾差), the printout carries the address and date. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open]):not([data-internal])").forEach(function (d) { d.open = true; opened.push(d); });
    var d = new Date(), date = document.querySelector(".print-date"), url = document.querySelector(".print-url");
    if (date) date.textContent = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日";
    if (url && /^https?:/.test(location.href)) url.textContent = location.href.split("#")[0];
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (d) { d.open = false; }); opened = []; });
  function cellValue(cell) {
    var t = (cell.textContent || "").trim();
    // "5,417.27", "93.4%", "0.72（0.72）" sort by their (first) number
    var n = t.replace(/[（(].*$/, "").replace(/[,，%\s]/g, "");
    if (/^-?\d+(\.\d+)?$/.test(n)) return parseFloat(n);
    return t === "—" || t === "" || t === "未公开" || t === "未列示" ? null : t;
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
