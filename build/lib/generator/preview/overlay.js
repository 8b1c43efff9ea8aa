/* Preview only (portal serve): shows content errors over the page, in Chinese,
   and reloads when a new build is ready. Never part of a published site. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? script.src.replace(/overlay\.js.*$/, "") : "/__preview/";
  var seen = null;
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function show(status) {
    var box = document.getElementById("preview-overlay");
    if (box) box.remove();
    var badge = document.getElementById("preview-badge");
    if (badge) badge.remove();
    if (status.errors.length) {
      box = document.createElement("div");
      box.id = "preview-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:9999;background:rgba(20,0,0,.88);color:#fff;overflow:auto;padding:2rem;font:16px/1.6 monospace";
      var html = "<h2 style='color:#ffb4a8;margin-top:0'>内容有 " + status.errors.length + " 处错误，页面显示的是上一次成功生成的内容</h2><ol>";
      status.errors.forEach(function (e) {
        html += "<li style='margin-bottom:1rem'><strong class='preview-error-location'>" + esc(e.file + (e.line ? ":" + e.line + (e.col ? ":" + e.col : "") : "")) + "</strong>" +
          (e.where ? " " + esc(e.where) : "") + "：" + esc(e.message) +
          (e.source ? "<pre style='background:#000;padding:.5rem;margin:.25rem 0;white-space:pre-wrap'>" + esc(e.line + " | " + e.source) + "</pre>" : "") + "</li>";
      });
      html += "</ol><p>改正文件并保存后，本提示会自动消失。</p>";
      box.innerHTML = html;
      document.body.appendChild(box);
    } else if (status.real_findings) {
      badge = document.createElement("a");
      badge.id = "preview-badge";
      badge.href = base.replace(/__preview\/$/, "") + "quality.html";
      badge.textContent = "勾稽差异 " + status.findings + " 处（不一致 " + status.real_findings + "）";
      badge.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:9998;background:#a23b00;color:#fff;padding:.4rem .8rem;border-radius:4px;font-size:14px";
      document.body.appendChild(badge);
    }
  }
  function poll() {
    fetch(base + "status.json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (status) {
      if (seen !== null && status.generation !== seen && !status.errors.length) { location.reload(); return; }
      seen = status.generation;
      show(status);
    }).catch(function () {}).finally(function () { setTimeout(poll, 500); });
  }
  if (document.readyState !== "loading") poll(); else document.addEventListener("DOMContentLoaded", poll);
})();
