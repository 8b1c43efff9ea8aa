/* Search page: the Pagefind UI, served from the site itself (pagefind/),
   with Chinese strings. Works at any base URL: the bundle path and the base
   of result links are resolved against this page's own address, so the site
   can sit at / on a local server or under /juesuan/ on the government server.
   The query comes from ?q= (the search box in every page header) and is kept
   in the address bar while the reader refines it, so results can be shared.

   Refinements of the default result list (processResult):
   - Pagefind matches a segmented Chinese query word by word and falls back
     to parts of words, so its excerpts also mark stray characters such as
     公 or 金. Where the query occurs as typed in a page section, that
     section is preferred among the page's sub-results, and its excerpt is
     centred on the query with only the query marked.
   - Filters are per page: a department page has several 类型 values. When
     类型 filters are ticked, a department page lists only its sections of
     those types (when any of them matched).
   - When none of the listed pages contains the query as typed, a notice says
     so and suggests fewer or shorter words. */
(function () {
  "use strict";

  var STRINGS = {
    placeholder: "输入要搜索的词，例如：公务用车、离休、2080109",
    clear_search: "清除",
    load_more: "显示更多结果",
    search_label: "搜索本站",
    filters_label: "筛选",
    zero_results: "没有找到与“[SEARCH_TERM]”相关的内容。请尝试更少或更短的词，例如只输入“公务用车”或“离休”，或取消筛选条件。",
    many_results: "找到 [COUNT] 个与“[SEARCH_TERM]”相关的页面",
    one_result: "找到 1 个与“[SEARCH_TERM]”相关的页面",
    alt_search: "没有找到与“[SEARCH_TERM]”相关的内容，以下是“[DIFFERENT_TERM]”的结果",
    search_suggestion: "没有找到与“[SEARCH_TERM]”相关的内容。请尝试更少的词：",
    searching: "正在搜索“[SEARCH_TERM]”…"
  };
  var PARTIAL_NOTICE = "没有找到与“[SEARCH_TERM]”完全一致的内容，下面的页面只包含其中的部分字词。请尝试更少或更短的词。";

  /* Section ids on department pages (templates/dept.html) -> 类型 value. */
  var SECTION_KINDS = [
    [/^(t09|sangong)-h$/, "三公经费"],
    [/^(juesuanbiao|qitabiao|t\d+|x\d+|missing-.+)-h$/, "决算表"],
    [/^(qingkuang|qksm-.+)-h$/, "情况说明"],
    [/^mingci-h$/, "名词解释"]
  ];
  var CONTEXT_BEFORE = 24, CONTEXT_AFTER = 48;

  var root = null, notice = null;
  var current = { term: "", pattern: null, seen: 0, exact: 0 };

  function absolutePath(relative) {
    return new URL(relative, window.location.href).pathname;
  }

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function setTerm(term) {
    term = (term || "").trim();
    if (term === current.term) return;
    var words = term.split(/\s+/).filter(function (w) { return w.length > 0; });
    words.sort(function (a, b) { return b.length - a.length; });
    current = { term: term, pattern: words.length ? new RegExp(words.map(escapeRegExp).join("|"), "gi") : null,
                seen: 0, exact: 0 };
    showNotice();
    try {
      var url = new URL(window.location.href);
      if (term) url.searchParams.set("q", term); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    } catch (e) { /* old browsers: the address simply stays as it was */ }
    var header = document.getElementById("header-q");
    if (header && document.activeElement !== header) header.value = term;
  }

  function find(text, from) {
    var p = current.pattern;
    p.lastIndex = from || 0;
    return p.exec(text);
  }

  /* Excerpt HTML with only the occurrences of the query marked, or null
     when the query does not occur in it as typed. */
  function remark(html) {
    if (!html || !current.pattern) return null;
    var plain = html.replace(/<\/?mark>/g, "");
    if (!find(plain)) return null;
    current.pattern.lastIndex = 0;
    return plain.replace(current.pattern, "<mark>$&</mark>");
  }

  /* A short excerpt of plain text around a match, with the query marked. */
  function snippet(text, match) {
    var start = Math.max(0, match.index - CONTEXT_BEFORE);
    var end = Math.min(text.length, match.index + match[0].length + CONTEXT_AFTER);
    var html = escapeHtml(text.slice(start, end));
    current.pattern.lastIndex = 0;
    html = html.replace(current.pattern, "<mark>$&</mark>");
    return (start > 0 ? "…" : "") + html + (end < text.length ? "…" : "");
  }

  function selectedKinds() {
    if (!root) return [];
    var boxes = root.querySelectorAll("input.pagefind-ui__filter-checkbox[name=\"类型\"]");
    var kinds = [];
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) kinds.push(boxes[i].value);
    return kinds;
  }

  function kindsOf(sub) {
    var id = decodeURIComponent((sub.anchor && sub.anchor.id) || (sub.url.split("#")[1] || ""));
    for (var i = 0; i < SECTION_KINDS.length; i++) {
      if (SECTION_KINDS[i][0].test(id)) {
        return /三公/.test(sub.title || "") ? [SECTION_KINDS[i][1], "三公经费"] : [SECTION_KINDS[i][1]];
      }
    }
    return [];
  }

  /* Each sub-result's own stretch of the page text, found by its heading. */
  function sectionTexts(content, subs, rootSub) {
    var starts = [], pos = 0;
    subs.forEach(function (s) {
      if (s === rootSub) { starts.push(0); return; }
      var heading = (s.anchor && s.anchor.text) || s.title || "";
      var at = heading ? content.indexOf(heading, pos) : -1;
      starts.push(at);
      if (at >= 0) pos = at + heading.length;
    });
    return starts.map(function (start, i) {
      if (start < 0) return null;
      var end = content.length;
      for (var j = i + 1; j < starts.length; j++) if (starts[j] > start) { end = starts[j]; break; }
      return content.slice(start, end);
    });
  }

  /* Which of a page's matching sections comes first: for a 科目编码 the
     支出决算表 (公开03表), where the code's spending is; otherwise the 三公
     table or section (“公务用车” is about 三公 before it is a row of 公开06表). */
  function preferred(sub) {
    var id = decodeURIComponent((sub.anchor && sub.anchor.id) || (sub.url.split("#")[1] || ""));
    if (/^\d{3,7}$/.test(current.term)) return /^t03(-h)?$/.test(id) ? 0 : 1;
    return /^(sangong|t09)(-h)?$/.test(id) ? 0 : 1;
  }

  function refine(result) {
    current.seen += 1;
    if (!current.pattern) return result;
    var content = result.content || "";
    var first = content ? find(content) : null;
    if (first) current.exact += 1;
    var marked = remark(result.excerpt);
    if (marked) result.excerpt = marked;
    else if (first) result.excerpt = snippet(content, first);

    var subs = Array.isArray(result.sub_results) ? result.sub_results : [];
    if (!subs.length) return result;
    var pageUrl = (result.meta && result.meta.url) || result.url;
    var rootSub = subs[0].url === pageUrl ? subs[0] : null;
    var texts = sectionTexts(content, subs, rootSub);
    var exact = [];
    subs.forEach(function (s, i) {
      var m = remark(s.excerpt);
      var hit = texts[i] ? find(texts[i]) : null;
      if (m) s.excerpt = m;
      else if (hit) s.excerpt = snippet(texts[i], hit);
      if (s !== rootSub && (m || hit)) exact.push(s);
    });
    var rest = rootSub ? subs.slice(1) : subs.slice();
    if (exact.length) rest = exact;
    // the 三公 table or section first: “公务用车” is about 三公 before it is a row of 公开06表
    rest = rest.map(function (s, i) { return [preferred(s), i, s]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (x) { return x[2]; });
    var kinds = selectedKinds();
    if (kinds.length) {
      var ofKind = rest.filter(function (s) {
        return kindsOf(s).some(function (k) { return kinds.indexOf(k) >= 0; });
      });
      if (ofKind.length) rest = ofKind;
    }
    // the UI shows 3 sub-results and, given more, keeps those with the most matches:
    // choose the 3 here so the preferred section stays first
    rest = rest.slice(0, 3);
    result.sub_results = rootSub ? [rootSub].concat(rest) : rest;
    return result;
  }

  function showNotice() {
    if (!notice) return;
    var partial = current.pattern && current.seen > 0 && current.exact === 0;
    notice.textContent = partial ? PARTIAL_NOTICE.replace("[SEARCH_TERM]", current.term) : "";
    notice.hidden = !partial;
  }

  /* The Pagefind UI labels its input with a title only; give it a name
     that assistive technology announces. */
  function labelInput(tries) {
    var input = root.querySelector("input.pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", STRINGS.search_label);
    else if ((tries || 0) < 20) window.setTimeout(function () { labelInput((tries || 0) + 1); }, 50);
  }

  function start() {
    root = document.getElementById("search");
    notice = document.getElementById("search-notice");
    if (!root) return;
    if (!window.PagefindUI) {
      root.innerHTML = "<p class=\"note\">搜索组件未能加载。请确认网站的 pagefind/ 目录已随网站一起发布。</p>";
      return;
    }
    var bundle = absolutePath(root.getAttribute("data-bundle") || "pagefind/");
    // Province-scale sites split the index into shards (pagefind/shards.json),
    // merged here; a small site has no shards file.
    fetch(bundle + "shards.json").then(function (r) { return r.ok ? r.json() : []; }, function () { return []; })
      .then(function (shards) { create(bundle, (shards || []).map(function (s) { return {bundlePath: bundle + s}; })); });
  }

  function create(bundle, mergeIndex) {
    var ui = new window.PagefindUI({
      element: root,
      bundlePath: bundle,
      mergeIndex: mergeIndex,
      baseUrl: absolutePath(root.getAttribute("data-root") || "./"),
      showSubResults: true,
      showImages: false,
      resetStyles: false,
      pageSize: 10,
      excerptLength: 40,
      openFilters: ["类型"],
      showEmptyFilters: false,
      translations: STRINGS,
      processTerm: function (term) {
        setTerm(term);
        return term;
      },
      processResult: function (result) {
        try { refine(result); } catch (e) { /* keep Pagefind's own rendering */ }
        showNotice();
        return result;
      }
    });
    labelInput();
    var q = new URLSearchParams(window.location.search).get("q");
    if (q && q.trim()) {
      setTerm(q);
      ui.triggerSearch(q.trim());
    }
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
