//! The inline CSS and JavaScript every page carries (the report is offline: no external
//! resources).

pub const CSS: &str = r##"
:root { --red: #f8d0d0; --g1: #dcf3dc; --g2: #bfe8bf; --g3: #9ddc9d; --g4: #7acc7a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { padding: 14px 24px; background: #24292f; color: #fff; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; overflow-wrap: anywhere; }
header a { color: #9ecbff; }
header .total { font-size: 16px; }
main { padding: 16px 24px 40px; }
h2 { font-size: 15px; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; max-width: 1100px; }
th, td { padding: 5px 10px; border-bottom: 1px solid #d8dee4; text-align: left; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f6f8fa; user-select: none; }
table.sortable thead th { cursor: pointer; }
thead th { position: sticky; top: 0; }
tfoot td, tfoot th { background: #f6f8fa; font-weight: 600; }
th.sorted-asc::after { content: " \25B2"; font-size: 10px; }
th.sorted-desc::after { content: " \25BC"; font-size: 10px; }
tr:hover td { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
.bar { display: inline-block; width: 120px; height: 10px; background: var(--red); border-radius: 2px; vertical-align: middle; overflow: hidden; }
.bar span { display: block; height: 100%; background: #2da44e; }
.p { display: inline-block; width: 5.5em; text-align: right; }
code, pre { font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.src { tab-size: 4; margin: 0; padding: 8px 0; background: #fff; border: 1px solid #d8dee4; border-radius: 6px; overflow-x: auto; color: #6e7781; }
pre.src .l { display: block; position: relative; padding: 0 16px 0 8.5em; min-height: 1.5em; }
pre.src .l:target { background: #fff8c5; }
pre.src .ln { position: absolute; left: 0; width: 4.5em; text-align: right; color: #8c959f; user-select: none; }
pre.src .hc { position: absolute; left: 5em; width: 3em; text-align: right; color: #57606a; user-select: none; font-size: 11px; }
pre.src .hc.part { color: #9a6700; font-weight: 600; }
.b { color: #1f2328; border-radius: 2px; }
.u { background: var(--red); }
.c1 { background: var(--g1); } .c2 { background: var(--g2); } .c3 { background: var(--g3); } .c4 { background: var(--g4); }
.cur { outline: 2px solid #bf3989; }
.dim { opacity: .25; }
.legend span { padding: 1px 8px; margin-right: 6px; border-radius: 2px; color: #1f2328; }
.missing { padding: 10px 14px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; max-width: 1100px; }
.meta { color: #57606a; margin: 4px 0 12px; }
.label { display: inline-block; max-width: 34em; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
select { font: inherit; max-width: 60em; }
input#filter { font: inherit; padding: 4px 8px; width: 28em; max-width: 100%; }
tr.dir td:first-child { font-weight: 600; cursor: pointer; }
.tw { display: inline-block; width: 1.2em; color: #57606a; }
tr.closed .tw::before { content: "\25B8"; }
tr.dir:not(.closed) .tw::before { content: "\25BE"; }
tr.hide { display: none; }
kbd { border: 1px solid #d0d7de; border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; font-size: 12px; }
button { font: inherit; }
"##;

/// Sortable tables: a click on a header sorts by that column (numbers by `data-v`).
pub const SORT_JS: &str = r##"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("sorted-asc");
      table.querySelectorAll("thead th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
        var r = (x !== null && y !== null) ? (parseFloat(x) - parseFloat(y))
                                           : a.cells[col].textContent.localeCompare(b.cells[col].textContent);
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"##;

/// The index's folder tree (click a folder to fold it; large trees start folded below the
/// top level) and the filter box (folders stay shown when something under them matches).
pub const TREE_JS: &str = r##"
(function () {
  var tree = document.getElementById("tree");
  if (!tree) return;
  var rows = Array.prototype.slice.call(tree.tBodies[0].rows);
  var filter = document.getElementById("filter");
  function under(path, dir) { return path.lastIndexOf(dir + "/", 0) === 0; }
  function layout() {
    var q = filter ? filter.value.trim().toLowerCase() : "";
    if (q) {
      var hits = rows.filter(function (r) { return !r.classList.contains("dir") && r.getAttribute("data-path").toLowerCase().indexOf(q) >= 0; })
                     .map(function (r) { return r.getAttribute("data-path"); });
      rows.forEach(function (r) {
        var p = r.getAttribute("data-path");
        var show = r.classList.contains("dir") ? hits.some(function (h) { return under(h, p); }) : hits.indexOf(p) >= 0;
        r.classList.toggle("hide", !show);
      });
    } else {
      var closed = [];
      rows.forEach(function (r) {
        var p = r.getAttribute("data-path");
        while (closed.length && !under(p, closed[closed.length - 1])) closed.pop();
        r.classList.toggle("hide", closed.length > 0);
        if (r.classList.contains("dir") && r.classList.contains("closed") && !closed.length) closed.push(p);
      });
    }
    document.querySelectorAll("#packages tbody tr").forEach(function (r) {
      r.classList.toggle("hide", q !== "" && r.cells[0].textContent.toLowerCase().indexOf(q) < 0);
    });
  }
  if (rows.length > 300) rows.forEach(function (r) {
    if (r.classList.contains("dir") && r.getAttribute("data-depth") !== "0") r.classList.add("closed");
  });
  rows.forEach(function (r) {
    if (r.classList.contains("dir")) r.cells[0].addEventListener("click", function () {
      r.classList.toggle("closed"); layout();
    });
  });
  if (filter) filter.addEventListener("input", layout);
  layout();
})();
"##;

/// The run selector, on every page: the chosen run lives in the URL fragment (`#run=N`) and
/// in the links between pages, so it survives navigation. On file pages it dims the blocks
/// the run did not execute; on the index it fills the "Run" column (statements the run
/// executed per folder and file).
pub const RUN_JS: &str = r##"
(function () {
  var sel = document.getElementById("run");
  if (!sel) return;
  function fromHash() { var m = /(?:^#|&)run=(\d+)/.exec(location.hash); return m ? m[1] : ""; }
  function apply(v) {
    document.querySelectorAll("span.b").forEach(function (s) {
      var runs = " " + (s.getAttribute("data-runs") || "") + " ";
      s.classList.toggle("dim", v !== "" && runs.indexOf(" " + v + " ") < 0);
    });
    document.querySelectorAll("[data-rs]").forEach(function (td) {
      var m = new RegExp("(?:^| )" + v + ":(\\d+)(?: |$)").exec(td.getAttribute("data-rs"));
      td.textContent = v === "" ? "" : (m ? m[1] : "0");
      td.setAttribute("data-v", td.textContent || "0");
    });
    document.querySelectorAll("a.keep").forEach(function (a) {
      var h = a.getAttribute("href").split("#")[0];
      a.setAttribute("href", v === "" ? h : h + "#run=" + v);
    });
  }
  var v = fromHash();
  if (v !== "" && sel.querySelector('option[value="' + v + '"]')) sel.value = v;
  apply(sel.value);
  sel.addEventListener("change", function () {
    history.replaceState(null, "", sel.value === "" ? location.pathname : "#run=" + sel.value);
    apply(sel.value);
  });
})();
"##;

/// File pages: `n` / `p` (or the buttons) jump to the next / previous uncovered block.
pub const KEYS_JS: &str = r##"
(function () {
  var marks = Array.prototype.slice.call(document.querySelectorAll("span.ustart"));
  var i = -1;
  function go(d) {
    if (!marks.length) return;
    if (i >= 0) marks[i].classList.remove("cur");
    i = (i + d + marks.length) % marks.length;
    marks[i].classList.add("cur");
    marks[i].scrollIntoView({ block: "center" });
    var at = document.getElementById("at");
    if (at) at.textContent = (i + 1) + " of " + marks.length;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|SELECT|TEXTAREA/.test(e.target.tagName)) return;
    if (e.key === "n") go(1); else if (e.key === "p") go(-1);
  });
  var next = document.getElementById("next"), prev = document.getElementById("prev");
  if (next) next.addEventListener("click", function () { go(1); });
  if (prev) prev.addEventListener("click", function () { go(-1); });
})();
"##;
