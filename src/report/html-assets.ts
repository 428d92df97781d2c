/**
 * The stylesheet and the script inlined in `index.html`. Both are constant
 * text: the page's Content-Security-Policy allows exactly these two blocks
 * (by their sha256) and nothing else, so no injected script or style could run
 * even if escaping ever failed.
 */

export const CSS = `
:root {
  --bg: #f5f7fa; --card: #ffffff; --fg: #1f2328; --muted: #5b6672; --border: #d8dee4; --soft: #eef1f4;
  --accent: #0969da; --accent-bg: #ddf4ff;
  --pass: #1a7f37; --pass-bg: #dcf7e3; --fail: #cf222e; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff5c2;
  --skip: #5b6672; --skip-bg: #eaeef2; --code-bg: #f3f5f8;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #151b23; --fg: #e6edf3; --muted: #9198a1; --border: #30363d; --soft: #1c232c;
    --accent: #4493f8; --accent-bg: #10294a;
    --pass: #3fb950; --pass-bg: #12301c; --fail: #f85149; --fail-bg: #3a1618; --warn: #d29922; --warn-bg: #352a0c;
    --skip: #9198a1; --skip-bg: #222a33; --code-bg: #0f141a;
  }
}
* { box-sizing: border-box; }
html { scroll-padding-top: 64px; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 var(--sans); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
.wrap { max-width: 1160px; margin: 0 auto; padding: 0 24px; }

/* verdict banner */
.banner { color: #fff; padding: 26px 0 22px; }
.banner.PASS { background: linear-gradient(135deg, #1a7f37, #2da44e); }
.banner.FAIL { background: linear-gradient(135deg, #a40e26, #cf222e); }
.banner.PARTIAL { background: linear-gradient(135deg, #7d4e00, #bf8700); }
.banner.INCOMPLETE { background: linear-gradient(135deg, #424a53, #6e7781); }
.banner .scope { margin-top: 8px; font-weight: 600; }
.banner .not-run { margin-top: 4px; font-size: 13px; }
.banner .not-run summary { cursor: pointer; }
.banner .wrap { display: flex; gap: 28px; align-items: center; flex-wrap: wrap; }
.verdict { font-size: 44px; font-weight: 800; letter-spacing: .04em; line-height: 1; padding: 16px 24px; border: 3px solid rgba(255,255,255,.85); border-radius: 14px; }
.verdict small { display: block; font-size: 12px; font-weight: 600; letter-spacing: .08em; opacity: .9; margin-top: 6px; text-transform: uppercase; }
.banner h1 { margin: 0 0 4px; font-size: 21px; font-weight: 650; }
.banner .target { font: 600 15px var(--mono); word-break: break-all; }
.banner .embedded { font: 500 13px var(--sans); opacity: .85; }
.banner dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 4px 22px; margin: 12px 0 0; }
.banner dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; opacity: .8; }
.banner dd { margin: 0; font-size: 13px; word-break: break-all; }
.banner .meta { flex: 1; min-width: 320px; }
.banner .mismatch { margin-top: 10px; background: rgba(0,0,0,.22); padding: 6px 10px; border-radius: 6px; font-size: 13px; }

nav.toc { background: var(--card); border-bottom: 1px solid var(--border); }
nav.toc .wrap { display: flex; gap: 18px; padding-top: 8px; padding-bottom: 8px; font-size: 13px; flex-wrap: wrap; }

main.wrap { padding-top: 20px; padding-bottom: 40px; }
section.card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 18px 20px; margin: 0 0 20px; }
section.card > h2 { margin: 0 0 12px; font-size: 18px; }
section.card > p.lead { margin: -6px 0 14px; color: var(--muted); }
.muted { color: var(--muted); }

/* problems */
.problems { border: 2px solid var(--fail); background: var(--fail-bg); border-radius: 12px; padding: 14px 18px; margin: 0 0 20px; }
.problems h2 { margin: 0 0 6px; font-size: 17px; color: var(--fail); }
.problems ul { margin: 6px 0 0; padding-left: 20px; }
.problems li { margin: 3px 0; }

/* summary */
.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 10px; }
.count { border: 1px solid var(--border); border-radius: 10px; padding: 10px 12px; background: var(--card); }
.count b { display: block; font-size: 26px; line-height: 1.15; }
.count span { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.count.fail b { color: var(--fail); } .count.fail { background: var(--fail-bg); border-color: transparent; }
.count.warn b { color: var(--warn); } .count.warn { background: var(--warn-bg); border-color: transparent; }
.count.skip b { color: var(--skip); } .count.skip { background: var(--skip-bg); border-color: transparent; }
.count.pass b { color: var(--pass); } .count.pass { background: var(--pass-bg); border-color: transparent; }
svg.spread { display: block; width: 100%; height: 10px; margin-top: 14px; border-radius: 5px; }
svg.spread .pass { fill: var(--pass); } svg.spread .fail { fill: var(--fail); } svg.spread .warn { fill: var(--warn); } svg.spread .skip { fill: var(--skip); opacity: .5; }

/* filter bar */
.filters { position: sticky; top: 0; z-index: 5; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; background: var(--bg); padding: 10px 0; margin: 0 0 8px; border-bottom: 1px solid var(--border); }
.filters .label { color: var(--muted); margin-right: 4px; font-size: 13px; }
.filters button, button.copy, button.toggle { font: 600 13px var(--sans); border: 1px solid var(--border); background: var(--card); color: var(--fg); border-radius: 999px; padding: 5px 14px; cursor: pointer; }
.filters button:hover, button.copy:hover, button.toggle:hover { border-color: var(--accent); }
.filters button[aria-pressed="true"] { background: var(--fg); color: var(--card); border-color: var(--fg); }
.filters button .n { font-weight: 500; opacity: .75; margin-left: 4px; }
.filters .spacer { flex: 1; }
button.toggle { font-weight: 500; }

body[data-filter="fail"] .result:not(.st-fail),
body[data-filter="warn"] .result:not(.st-warn),
body[data-filter="skip"] .result:not(.st-skip) { display: none; }
body[data-filter="fail"] .req:not(:has(.result.st-fail)),
body[data-filter="warn"] .req:not(:has(.result.st-warn)),
body[data-filter="skip"] .req:not(:has(.result.st-skip)) { display: none; }
body[data-filter="fail"] .area:not(:has(.result.st-fail)),
body[data-filter="warn"] .area:not(:has(.result.st-warn)),
body[data-filter="skip"] .area:not(:has(.result.st-skip)) { display: none; }
.empty-note { display: none; padding: 18px; text-align: center; color: var(--muted); border: 1px dashed var(--border); border-radius: 10px; }
body[data-filter="fail"] #results:not(:has(.result.st-fail)) .empty-note.fail,
body[data-filter="warn"] #results:not(:has(.result.st-warn)) .empty-note.warn,
body[data-filter="skip"] #results:not(:has(.result.st-skip)) .empty-note.skip { display: block; }

/* results */
.area { margin: 18px 0 26px; }
.area > h2 { display: flex; align-items: baseline; gap: 12px; font-size: 19px; margin: 0 0 10px; text-transform: capitalize; }
.area > h2 .tally { font-size: 12.5px; font-weight: 500; text-transform: none; color: var(--muted); }
.req { background: var(--card); border: 1px solid var(--border); border-left: 4px solid var(--pass); border-radius: 10px; margin: 0 0 10px; overflow: hidden; }
.req.w-fail { border-left-color: var(--fail); } .req.w-warn { border-left-color: var(--warn); } .req.w-skip { border-left-color: var(--skip); }
.req > header { padding: 8px 14px 6px; border-bottom: 1px solid var(--soft); }
.req > header .top { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.req-id { font: 700 13px var(--mono); }
.req-title { font-weight: 600; }
.source { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; border-radius: 999px; padding: 1px 8px; background: var(--accent-bg); color: var(--accent); }
.source.inferred { background: var(--soft); color: var(--muted); }
blockquote.doc { margin: 2px 0 0; padding: 0; color: var(--muted); font-size: 13px; }
blockquote.doc::before { content: "Documentation: “"; font-weight: 600; }
blockquote.doc::after { content: "”"; }
.body blockquote.doc { margin: 4px 0 8px; }

details.result { border-top: 1px solid var(--soft); }
details.result:first-of-type { border-top: 0; }
details.result > summary { list-style: none; cursor: pointer; display: grid; grid-template-columns: 86px minmax(160px, max-content) 1fr auto; gap: 12px; align-items: baseline; padding: 6px 14px; }
details.result > summary::-webkit-details-marker { display: none; }
details.result > summary:hover { background: var(--soft); }
details.result[open] > summary { background: var(--soft); }
.pill { display: inline-block; text-align: center; font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; border-radius: 6px; padding: 2px 0; }
.pill.fail { background: var(--fail); color: #fff; } .pill.warn { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); }
.pill.skip { background: var(--skip-bg); color: var(--skip); } .pill.pass { background: var(--pass-bg); color: var(--pass); }
.check { font: 600 12.5px var(--mono); }
.msg { min-width: 0; overflow-wrap: anywhere; }
.msg .t { color: var(--muted); }
.stats { font-size: 12px; color: var(--muted); white-space: nowrap; }
.body { padding: 4px 14px 14px 112px; }
.body > p { margin: 6px 0; }
.er-wrap { padding: 0 12px; }
.expected-received { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin: 8px 0; }
.expected-received div { border-radius: 8px; padding: 6px 10px; overflow-wrap: anywhere; }
.expected-received .exp { background: var(--pass-bg); }
.expected-received .rec { background: var(--fail-bg); }
.expected-received b { display: block; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.evidence { border: 1px solid var(--border); border-radius: 10px; margin: 10px 0; overflow: hidden; }
.evidence > .line { display: flex; gap: 10px; align-items: baseline; padding: 7px 12px; background: var(--soft); font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; }
.evidence > .line .status { font-weight: 700; }
.evidence > .line .status.bad { color: var(--fail); }
.evidence dl { display: grid; grid-template-columns: 130px 1fr; gap: 4px 12px; margin: 0; padding: 8px 12px; }
.evidence dt { color: var(--muted); font-size: 12.5px; }
.evidence dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
pre { margin: 0; background: var(--code-bg); border: 1px solid var(--border); border-radius: 8px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.curl-block { position: relative; margin: 0 12px 12px; }
.curl-block .head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 4px; font-size: 12px; color: var(--muted); }
button.copy { padding: 2px 12px; font-size: 12px; }
.more { font-size: 12.5px; color: var(--muted); margin: 6px 0; }
details.more-evidence { margin: 6px 0; }
details.fold > summary { cursor: pointer; color: var(--accent); font-size: 13px; padding: 4px 0; }
details.more-evidence > summary { cursor: pointer; color: var(--accent); font-size: 13px; padding: 4px 0; }
.same-cause, .cause-note { font-size: 13px; margin: 8px 0; padding: 6px 12px; border-left: 3px solid var(--accent); background: var(--accent-bg); border-radius: 4px; overflow-wrap: anywhere; }
.caused-by { padding: 6px 12px 0; border-bottom: 1px dashed var(--border); }
.caused-by > b { display: block; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 4px 0; }
.caused-by .line { display: flex; gap: 10px; font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; margin-bottom: 4px; }
.caused-by pre.req { margin: 0 0 6px; max-height: 120px; }
.caused-by .curl-block { margin: 0 0 8px; }

/* lifecycle */
.figure { overflow-x: auto; padding: 6px 0; }
svg.lifecycle { display: block; max-width: none; height: auto; margin: 0 auto; }
.lc-node.history rect { stroke-dasharray: 5 3; fill: var(--soft); }
#lifecycle h3 { font-size: 14px; margin: 18px 0 4px; }
.lc-node rect { fill: var(--card); stroke: var(--fg); stroke-width: 1.4; }
.lc-node.initial > rect:first-of-type { stroke-width: 2.4; }
.lc-node .inner { fill: none; stroke-width: 1; }
.lc-node.idle rect { stroke: var(--border); } .lc-node.idle .name { fill: var(--muted); }
.lc-node.unknown rect { stroke: var(--fail); stroke-dasharray: 4 3; fill: var(--fail-bg); }
.lc-node text { text-anchor: middle; fill: var(--fg); }
.lc-node .name { font: 600 12.5px var(--mono); }
.lc-node .sub { font-size: 11px; fill: var(--muted); }
.lc-start circle { fill: var(--fg); } .lc-start path { stroke: var(--fg); stroke-width: 1.4; fill: none; }
.lc-edge { fill: none; }
.lc-edge.unseen { stroke: var(--muted); stroke-dasharray: 5 4; opacity: .65; }
.lc-edge.seen { stroke: var(--accent); }
.lc-edge.illegal { stroke: var(--fail); stroke-dasharray: 7 4; }
.lc-arrow-unseen path { fill: var(--muted); } .lc-arrow-seen path { fill: var(--accent); } .lc-arrow-illegal path { fill: var(--fail); }
.lc-label rect { fill: var(--card); stroke: var(--accent); stroke-width: 1; }
.lc-label text { font: 700 11.5px var(--sans); fill: var(--accent); text-anchor: middle; }
.lc-label.illegal rect { fill: var(--fail); stroke: var(--fail); } .lc-label.illegal text { fill: #fff; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; font-size: 12.5px; color: var(--muted); margin: 10px 0 4px; align-items: center; }
.legend svg { vertical-align: middle; margin-right: 6px; }
.legend .k-unseen { stroke: var(--muted); stroke-dasharray: 5 4; } .legend .k-seen { stroke: var(--accent); } .legend .k-illegal { stroke: var(--fail); stroke-dasharray: 7 4; }
.illegal-list { margin: 12px 0 0; border: 1px solid var(--fail); background: var(--fail-bg); border-radius: 10px; padding: 8px 14px; }
.illegal-list b { color: var(--fail); }

/* tables */
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--soft); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
td.id { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.zero td { color: var(--warn); }
svg.bar { display: block; width: 100%; height: 10px; border-radius: 3px; }
svg.bar .track { fill: var(--soft); } svg.bar .fill { fill: var(--accent); } svg.bar.zero .fill { fill: var(--warn); }
td.barcell { width: 45%; vertical-align: middle; }
.tag { font-size: 11px; font-weight: 600; border-radius: 999px; padding: 1px 8px; white-space: nowrap; }
.tag.fail { background: var(--fail-bg); color: var(--fail); } .tag.warn { background: var(--warn-bg); color: var(--warn); }
.tag.skip { background: var(--skip-bg); color: var(--skip); } .tag.pass { background: var(--pass-bg); color: var(--pass); }
.tag.none { background: var(--soft); color: var(--muted); }

/* latency */
svg.latency { display: block; max-width: 100%; height: auto; }
svg.latency .grid { stroke: var(--soft); stroke-width: 1; }
svg.latency .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
svg.latency .op { font: 12px var(--mono); fill: var(--fg); text-anchor: end; }
svg.latency .val { font-size: 12px; fill: var(--fg); }
svg.latency .val .k { fill: var(--muted); font-size: 11px; }
svg.latency .max { fill: var(--accent); opacity: .18; }
svg.latency .p95 { fill: var(--accent); opacity: .45; }
svg.latency .p50 { fill: var(--accent); }
svg.latency .cut { stroke: var(--card); stroke-width: 3; fill: none; }
svg.latency .val .over { fill: var(--fail); font-weight: 600; }
svg.latency .note { font-size: 11px; fill: var(--muted); text-anchor: end; font-style: italic; }
.legend .sw { display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
.legend svg.sw { margin: 0 6px 0 0; }
.legend .sw .max { fill: var(--accent); opacity: .18; } .legend .sw .p95 { fill: var(--accent); opacity: .45; } .legend .sw .p50 { fill: var(--accent); }

@media (max-width: 900px) {
  details.result > summary { grid-template-columns: 80px 1fr; }
  details.result > summary .msg, details.result > summary .stats { grid-column: 1 / -1; }
  .body { padding-left: 14px; }
  .expected-received { grid-template-columns: 1fr; }
}
.offscreen { position: fixed; top: -1000px; left: 0; opacity: 0; }
footer { color: var(--muted); font-size: 12px; padding: 10px 0 30px; }
@media print {
  .filters, button.copy, button.toggle, nav.toc { display: none !important; }
  .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.card, .req { break-inside: avoid; }
}
`.trim();

export const SCRIPT = `
(function () {
  'use strict';
  var body = document.body;
  var filterButtons = Array.prototype.slice.call(document.querySelectorAll('button[data-filter]'));
  function applyFilter(name) {
    body.setAttribute('data-filter', name);
    filterButtons.forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === name));
    });
    if (name !== 'all') {
      Array.prototype.forEach.call(document.querySelectorAll('details.result.st-' + name), function (d) { d.open = true; });
    }
  }
  filterButtons.forEach(function (b) {
    b.addEventListener('click', function () { applyFilter(b.getAttribute('data-filter') || 'all'); });
  });

  var toggle = document.querySelector('button.toggle');
  if (toggle) {
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('data-open') !== 'true';
      Array.prototype.forEach.call(document.querySelectorAll('details.result'), function (d) { d.open = open; });
      toggle.setAttribute('data-open', String(open));
      toggle.textContent = open ? 'Collapse all' : 'Expand all';
    });
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    if (sel) { sel.removeAllRanges(); sel.addRange(range); }
  }
  function copyFallback(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (b) {
    b.addEventListener('click', function () {
      var pre = document.getElementById(b.getAttribute('data-copy') || '');
      if (!pre) return;
      var text = pre.textContent || '';
      function done(ok) {
        b.textContent = ok ? 'Copied \\u2713' : 'Press Ctrl+C';
        if (!ok) selectText(pre);
        setTimeout(function () { b.textContent = 'Copy'; }, 1800);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(copyFallback(text)); });
      } else {
        done(copyFallback(text));
      }
    });
  });
})();
`.trim();
