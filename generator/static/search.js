/* Pagefind UI, served from the site itself (pagefind/), with Chinese strings. */
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("search");
    if (!el || !window.PagefindUI) return;
    var ui = new PagefindUI({
      element: "#search", bundlePath: el.getAttribute("data-bundle"), showSubResults: true,
      showImages: false, resetStyles: false, pageSize: 10, excerptLength: 40,
      translations: {
        placeholder: "输入要搜索的词，例如：公务用车",
        clear_search: "清除", load_more: "显示更多结果", search_label: "搜索本站",
        filters_label: "筛选", zero_results: "没有找到与“[SEARCH_TERM]”相关的内容。请尝试更少或更短的词。",
        many_results: "找到 [COUNT] 条与“[SEARCH_TERM]”相关的结果", one_result: "找到 1 条与“[SEARCH_TERM]”相关的结果",
        alt_search: "没有找到“[SEARCH_TERM]”，以下是“[DIFFERENT_TERM]”的结果", search_suggestion: "没有找到“[SEARCH_TERM]”。请尝试更少的词：",
        searching: "正在搜索“[SEARCH_TERM]”…"
      }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) ui.triggerSearch(q);
  }
  if (document.readyState !== "loading") start(); else document.addEventListener("DOMContentLoaded", start);
})();
