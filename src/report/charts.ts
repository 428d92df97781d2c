/**
 * The small pictures of the HTML report, as inline SVG (no script, no
 * external file, no `style` attribute, so the page's CSP can forbid them):
 * latency per endpoint (p50, p95, max) and the coverage of production steps.
 */
import { escapeHtml as h } from './escape.ts';
import type { LatencyStat } from './types.ts';

const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** A round axis step giving about `ticks` intervals up to `max`. */
export function niceStep(max: number, ticks = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms)} ms`;
}

/**
 * Latency per operation: for each row a light bar to the max, a medium bar to
 * p95 and a dark bar to p50, on one linear scale; values printed at the right.
 * `describe` names an operation (e.g. "GET /api/v1/order/") for its tooltip.
 */
export function renderLatencySvg(stats: LatencyStat[], describe: (operationId: string) => string | undefined = () => undefined): string {
  if (stats.length === 0) return '';
  const labelW = Math.min(260, Math.max(140, Math.max(...stats.map((s) => s.operationId.length)) * 7.4 + 16));
  const barW = 440;
  const valueW = 310;
  const rowH = 30;
  const top = 8;
  const axisH = 24;
  // A single timeout (max ≫ p95) would squash every other bar: then the scale
  // stops a little past the largest p95 and longer maxima are drawn cut (//).
  const maxMax = Math.max(1, ...stats.map((s) => s.max));
  const maxP95 = Math.max(1, ...stats.map((s) => s.p95));
  const cut = maxMax > 2.5 * maxP95;
  const max = cut ? maxP95 * 1.6 : maxMax;
  const step = niceStep(max);
  const scaleMax = Math.ceil(max / step) * step;
  const x = (ms: number) => labelW + (Math.min(Math.max(0, ms), scaleMax) / scaleMax) * barW;
  const axisY = top + stats.length * rowH + 16;
  const height = top + stats.length * rowH + axisH + (cut ? 18 : 0);
  const width = labelW + barW + valueW;
  const grid: string[] = [];
  for (let v = 0; v <= scaleMax + step / 2; v += step) {
    grid.push(`<line class="grid" x1="${f(x(v))}" y1="${top - 4}" x2="${f(x(v))}" y2="${f(top + stats.length * rowH)}"/>`);
    grid.push(`<text class="tick" x="${f(x(v))}" y="${f(axisY)}">${h(formatMs(v))}</text>`);
  }
  const rows = stats.map((s, i) => {
    const y = top + i * rowH;
    const what = describe(s.operationId);
    const tip = `${s.operationId}${what ? ` (${what})` : ''}: ${s.count} request${s.count === 1 ? '' : 's'}; p50 ${formatMs(s.p50)}, p95 ${formatMs(s.p95)}, max ${formatMs(s.max)}`;
    return (
      `<g class="lat-row"><title>${h(tip)}</title>` +
      `<text class="op" x="${f(labelW - 10)}" y="${f(y + 19)}">${h(s.operationId)}</text>` +
      `<rect class="max" x="${f(labelW)}" y="${f(y + 7)}" width="${f(x(s.max) - labelW)}" height="16" rx="2"/>` +
      `<rect class="p95" x="${f(labelW)}" y="${f(y + 7)}" width="${f(x(s.p95) - labelW)}" height="16" rx="2"/>` +
      `<rect class="p50" x="${f(labelW)}" y="${f(y + 10)}" width="${f(x(s.p50) - labelW)}" height="10" rx="2"/>` +
      (s.max > scaleMax ? `<path class="cut" d="M${f(x(scaleMax) - 16)},${f(y + 26)} l6,-22 m5,22 l6,-22"/>` : '') +
      `<text class="val" x="${f(labelW + barW + 12)}" y="${f(y + 19)}"><tspan class="k">p50</tspan> ${h(formatMs(s.p50))} · <tspan class="k">p95</tspan> ${h(formatMs(s.p95))} · <tspan class="k">max</tspan> <tspan${s.max > scaleMax ? ' class="over"' : ''}>${h(formatMs(s.max))}</tspan> · <tspan class="k">n</tspan> ${s.count}</text>` +
      `</g>`
    );
  });
  const note = cut ? `<text class="note" x="${f(labelW + barW)}" y="${f(height - 4)}">bars marked // go beyond ${h(formatMs(scaleMax))}</text>` : '';
  return `<svg class="latency" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Latency per endpoint: p50, p95 and max" viewBox="0 0 ${f(width)} ${f(height)}" width="${f(width)}" height="${f(height)}">` + `${grid.join('')}${rows.join('')}${note}</svg>`;
}

/** A horizontal bar of `value` out of `max`, for tables (width set by CSS). */
export function renderBar(value: number, max: number, cls = ''): string {
  const w = max > 0 ? Math.max(value > 0 ? 1.5 : 0, (value / max) * 100) : 0;
  return `<svg class="bar ${h(cls)}" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">` + `<rect class="track" x="0" y="0" width="100" height="10" rx="0"/><rect class="fill" x="0" y="0" width="${f(w)}" height="10"/></svg>`;
}
