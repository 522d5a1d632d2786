// Keyboard shortcuts of the review desk (no inline script: the CSP allows only this file).
// Queue: j/k move the selection, o or Enter opens it. Account page: c/d/u record a verdict with the
// note typed in the box, z undoes, j/k go to the next/previous account. "/" focuses the search box.
(function () {
  "use strict";
  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tr.row")); }
  var selected = -1;
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, k) { r.classList.toggle("sel", k === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
  }
  function submitVerdict(value) {
    var form = document.getElementById("verdict-form");
    if (!form) { return; }
    var button = form.querySelector("button[value='" + value + "']");
    if (form.reportValidity && !form.reportValidity()) { return; }
    if (button) { button.click(); }
  }
  function go(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var onQueue = rows().length > 0;
    switch (event.key) {
      case "j": if (onQueue) { select(selected + 1); } else { go("next"); } break;
      case "k": if (onQueue) { select(selected - 1); } else { go("prev"); } break;
      case "o": case "Enter":
        if (onQueue && selected >= 0) { window.location.href = rows()[selected].getAttribute("data-href"); }
        break;
      case "c": submitVerdict("confirmed"); break;
      case "d": submitVerdict("dismissed"); break;
      case "u": submitVerdict("unsure"); break;
      case "z": var undo = document.getElementById("undo"); if (undo) { undo.click(); } break;
      case "/": var q = document.getElementById("q"); if (q) { event.preventDefault(); q.focus(); } break;
      default: return;
    }
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("table.queue tr.row");
    if (row && event.target.tagName !== "A") { window.location.href = row.getAttribute("data-href"); }
  });
})();
