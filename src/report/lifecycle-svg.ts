/**
 * The order lifecycle as an inline SVG, drawn from `x-lifecycle` (through
 * `lifecycleOf(spec)`) and annotated with what the run observed: states are
 * nodes, documented transitions are edges (grey when never seen, blue and
 * thicker the more often they were seen, with a count), and every transition
 * the run saw that the flowchart does not allow is an extra red edge.
 *
 * Layout: states are placed in columns by their distance from the initial
 * state (breadth first), rows follow the first parent so the main path reads
 * left to right; edges between neighbouring columns are S-curves, every other
 * edge is an arc bent to whichever side crosses fewer states.
 */
import type { Machine } from '../contract/lifecycle.ts';
import { escapeHtml as h } from './escape.ts';
import type { TransitionStat } from './types.ts';

interface Pt {
  x: number;
  y: number;
}
interface Node {
  name: string;
  col: number;
  row: number;
  x: number;
  y: number;
  known: boolean;
}
interface Edge {
  from: string;
  to: string;
  documented: boolean;
  count: number;
  legal: boolean;
}

const CHAR_W = 7.3;
const ROW_PITCH = 84;
const COL_GAP = 84;
/** a state name longer than this is drawn on two lines, cut at the underscore nearest its middle */
const ONE_LINE = 14;

/** A state name as the lines it is drawn on. */
export function nameLines(name: string): string[] {
  if (name.length <= ONE_LINE) return [name];
  let best = -1;
  for (let i = name.indexOf('_'); i >= 0; i = name.indexOf('_', i + 1)) if (best < 0 || Math.abs(i + 1 - name.length / 2) < Math.abs(best + 1 - name.length / 2)) best = i;
  return best < 0 ? [name] : [name.slice(0, best + 1), name.slice(best + 1)];
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const overlaps = (a: Box, b: Box, gap = 2) => a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

export interface LifecycleSvgInput {
  machine: Machine;
  transitions: TransitionStat[];
  /** orders seen per state */
  states: Record<string, number>;
  title?: string;
  /** prefixes the picture's ids, so that several can share a page */
  idPrefix?: string;
}

/** Column of every state: breadth-first distance from the initial state. */
function layers(machine: Machine, names: string[]): Map<string, number> {
  const col = new Map<string, number>();
  const queue = [machine.initial];
  col.set(machine.initial, 0);
  while (queue.length > 0) {
    const s = queue.shift() as string;
    for (const t of machine.transitions.get(s) ?? []) {
      if (!col.has(t)) {
        col.set(t, (col.get(s) ?? 0) + 1);
        queue.push(t);
      }
    }
  }
  const extra = Math.max(0, ...col.values()) + 1;
  for (const n of names) if (!col.has(n)) col.set(n, extra);
  return col;
}

function clip(c: Pt, w: number, hgt: number, toward: Pt): Pt {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const s = Math.min(dx === 0 ? Infinity : w / 2 / Math.abs(dx), dy === 0 ? Infinity : hgt / 2 / Math.abs(dy));
  return { x: c.x + dx * s, y: c.y + dy * s };
}

function cubic(p0: Pt, c1: Pt, c2: Pt, p1: Pt, t: number): Pt {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * p0.x + b * c1.x + c * c2.x + d * p1.x, y: a * p0.y + b * c1.y + c * c2.y + d * p1.y };
}

function quad(p0: Pt, c: Pt, p1: Pt, t: number): Pt {
  const u = 1 - t;
  return { x: u * u * p0.x + 2 * u * t * c.x + t * t * p1.x, y: u * u * p0.y + 2 * u * t * c.y + t * t * p1.y };
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

/** A state's name, one line or two, centred on (x, y), above its sub-line when there is one. */
function nameText(lines: string[], x: number, y: number, sub: boolean): string {
  const top = y - (lines.length - 1) * 7.5 + (sub ? -4 : 4) - (sub && lines.length > 1 ? 3 : 0);
  if (lines.length === 1) return `<text class="name" x="${f(x)}" y="${f(top)}">${h(lines[0])}</text>`;
  return `<text class="name" x="${f(x)}" y="${f(top)}">${lines.map((l, i) => `<tspan x="${f(x)}" dy="${i === 0 ? 0 : 15}">${h(l)}</tspan>`).join('')}</text>`;
}

export function renderLifecycleSvg(input: LifecycleSvgInput): string {
  const { machine } = input;
  const idp = input.idPrefix ?? '';
  const known = new Set(machine.states);
  const names = [...machine.states];
  for (const t of input.transitions) for (const s of [t.from, t.to]) if (!names.includes(s)) names.push(s);

  // Edges: documented ones, with observed counts merged in; then observed extras.
  const edges: Edge[] = [];
  const find = (a: string, b: string) => edges.find((e) => e.from === a && e.to === b);
  for (const [from, tos] of machine.transitions) for (const to of tos) edges.push({ from, to, documented: true, count: 0, legal: true });
  for (const t of input.transitions) {
    const e = find(t.from, t.to);
    if (e) {
      e.count += t.count;
      e.legal = e.legal && t.legal;
    } else edges.push({ from: t.from, to: t.to, documented: false, count: t.count, legal: t.legal });
  }

  // Placement.
  const col = layers(
    machine,
    names.filter((n) => known.has(n)),
  );
  const unknownCol = Math.max(0, ...col.values()) + 1;
  for (const n of names) if (!known.has(n)) col.set(n, unknownCol);
  const lines = new Map(names.map((n) => [n, nameLines(n)]));
  const nodeW = Math.max(128, Math.ceil(Math.max(...names.flatMap((n) => (lines.get(n) ?? [n]).map((l) => l.length))) * CHAR_W + 28));
  const NODE_H = [...lines.values()].some((l) => l.length > 1) ? 60 : 46;
  const colPitch = nodeW + COL_GAP;
  const rowOf = new Map<string, number>();
  const used = new Map<number, Set<number>>();
  const cols = [...new Set(col.values())].sort((a, b) => a - b);
  for (const c of cols) {
    const members = names.filter((n) => col.get(n) === c);
    const parentRow = (n: string) => {
      const rows = edges.filter((e) => e.documented && e.to === n && rowOf.has(e.from) && (col.get(e.from) ?? 0) < c).map((e) => rowOf.get(e.from) as number);
      return rows.length > 0 ? Math.min(...rows) : 0;
    };
    // a state that leads back to its parent (a two-way pair) takes the parent's
    // row so the pair is drawn level; terminal states go last
    const backToParent = (n: string) => edges.some((e) => e.documented && e.from === n && (col.get(e.to) ?? 0) === c - 1 && edges.some((x) => x.documented && x.from === e.to && x.to === n));
    members.sort((a, b) => parentRow(a) - parentRow(b) || Number(backToParent(b)) - Number(backToParent(a)) || Number(machine.terminal.has(a)) - Number(machine.terminal.has(b)));
    const taken = used.get(c) ?? new Set<number>();
    used.set(c, taken);
    for (const n of members) {
      let r = parentRow(n);
      while (taken.has(r)) r++;
      taken.add(r);
      rowOf.set(n, r);
    }
  }
  const nodes = new Map<string, Node>();
  for (const n of names) {
    const c = col.get(n) ?? 0;
    const r = rowOf.get(n) ?? 0;
    nodes.set(n, { name: n, col: c, row: r, x: c * colPitch + nodeW / 2, y: r * ROW_PITCH + NODE_H / 2, known: known.has(n) });
  }
  const boxes = [...nodes.values()];
  const inBox = (p: Pt, skip: Node[]) => boxes.some((b) => !skip.includes(b) && Math.abs(p.x - b.x) < nodeW / 2 + 6 && Math.abs(p.y - b.y) < NODE_H / 2 + 6);

  const maxCount = Math.max(1, ...edges.map((e) => e.count));
  /** a legal edge whose reverse is also drawn as a legal edge */
  const paired = (e: Edge) => e.legal && edges.some((x) => x.legal && x.from === e.to && x.to === e.from);
  const bounds = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  const extend = (p: Pt) => {
    bounds.minX = Math.min(bounds.minX, p.x);
    bounds.minY = Math.min(bounds.minY, p.y);
    bounds.maxX = Math.max(bounds.maxX, p.x);
    bounds.maxY = Math.max(bounds.maxY, p.y);
  };
  for (const b of boxes) {
    extend({ x: b.x - nodeW / 2, y: b.y - NODE_H / 2 });
    extend({ x: b.x + nodeW / 2, y: b.y + NODE_H / 2 });
  }

  const edgeSvg: string[] = [];
  const labelSvg: string[] = [];
  // what a count label must not cover: the state boxes, and the labels placed before it
  const taken: Box[] = boxes.map((b) => ({ x: b.x - nodeW / 2, y: b.y - NODE_H / 2, w: nodeW, h: NODE_H }));
  // Draw unobserved documented edges first, illegal ones last (on top).
  const rank = (e: Edge) => (!e.legal ? 2 : e.count > 0 ? 1 : 0);
  for (const e of [...edges].sort((a, b) => rank(a) - rank(b))) {
    const a = nodes.get(e.from) as Node;
    const b = nodes.get(e.to) as Node;
    let d: string;
    let mid: Pt;
    /** points along the edge where its label may sit, best first */
    let along: Pt[] = [];
    if (a === b) {
      const top = a.y - NODE_H / 2;
      d = `M${f(a.x - 14)},${f(top)} C${f(a.x - 40)},${f(top - 46)} ${f(a.x + 40)},${f(top - 46)} ${f(a.x + 14)},${f(top)}`;
      mid = { x: a.x, y: top - 36 };
      extend({ x: a.x, y: top - 50 });
    } else if (e.legal && (b.col === a.col + 1 || (b.col === a.col - 1 && paired(e)))) {
      // neighbouring columns: an S-curve; a two-way pair is two parallel curves
      const forward = b.col > a.col;
      const shift = paired(e) ? (forward ? -6 : 6) : 0;
      const s = { x: forward ? a.x + nodeW / 2 : a.x - nodeW / 2, y: a.y + shift };
      const t = { x: forward ? b.x - nodeW / 2 - 2 : b.x + nodeW / 2 + 2, y: b.y + shift };
      const k = (t.x - s.x) / 2;
      const c1 = { x: s.x + k, y: s.y };
      const c2 = { x: t.x - k, y: t.y };
      d = `M${f(s.x)},${f(s.y)} C${f(c1.x)},${f(c1.y)} ${f(c2.x)},${f(c2.y)} ${f(t.x)},${f(t.y)}`;
      // a pair's labels sit near each curve's start, so they do not overlap
      mid = cubic(s, c1, c2, t, paired(e) ? 0.25 : 0.5);
      along = [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85].map((k) => cubic(s, c1, c2, t, paired(e) ? k / 2 : k));
    } else {
      const len = Math.hypot(b.x - a.x, b.y - a.y);
      const nx = (b.y - a.y) / len;
      const ny = -(b.x - a.x) / len;
      let best: { score: number; c: Pt } | undefined;
      for (const k of [0.3, 0.45, 0.65, 0.9]) {
        for (const sign of [1, -1]) {
          const off = sign * (k * len + 24);
          const c = { x: (a.x + b.x) / 2 + nx * off, y: (a.y + b.y) / 2 + ny * off };
          let hits = 0;
          for (let i = 1; i < 24; i++) if (inBox(quad(a, c, b, i / 24), [a, b])) hits++;
          const score = hits * 1000 + Math.abs(off);
          if (!best || score < best.score) best = { score, c };
        }
      }
      const c = (best as { c: Pt }).c;
      const s = clip(a, nodeW, NODE_H, c);
      const t0 = clip(b, nodeW + 4, NODE_H + 4, c);
      d = `M${f(s.x)},${f(s.y)} Q${f(c.x)},${f(c.y)} ${f(t0.x)},${f(t0.y)}`;
      mid = quad(s, c, t0, 0.5);
      along = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8].map((k) => quad(s, c, t0, k));
      for (let i = 0; i <= 10; i++) extend(quad(s, c, t0, i / 10));
    }
    const cls = !e.legal ? 'lc-edge illegal' : e.count > 0 ? 'lc-edge seen' : 'lc-edge unseen';
    const marker = !e.legal ? 'lc-arrow-illegal' : e.count > 0 ? 'lc-arrow-seen' : 'lc-arrow-unseen';
    const width = e.count > 0 ? 1.6 + (3.2 * Math.log(e.count + 1)) / Math.log(maxCount + 1) : 1.4;
    const what = !e.legal ? 'ILLEGAL (not in the flowchart)' : e.documented ? 'documented' : 'accepted, not drawn in the flowchart';
    const tip = `${e.from} → ${e.to}: ${what}, seen ${e.count} time${e.count === 1 ? '' : 's'}`;
    edgeSvg.push(`<path class="${cls}" d="${d}" stroke-width="${f(width)}" marker-end="url(#${idp}${marker})"><title>${h(tip)}</title></path>`);
    if (e.count > 0 || !e.legal) {
      const text = `${e.legal ? '' : '⚠ '}×${e.count}`;
      const w = text.length * 7 + 12;
      // the first spot along the edge that covers no state and no other label; else nudged down until free
      const box = (p: Pt): Box => ({ x: p.x - w / 2, y: p.y - 10, w, h: 20 });
      const free = [mid, ...along].find((p) => !taken.some((t) => overlaps(box(p), t)));
      if (free) mid = free;
      else {
        let p = mid;
        for (let i = 0; i < 40 && taken.some((t) => overlaps(box(p), t)); i++) p = { x: p.x, y: p.y + 12 };
        mid = p;
      }
      taken.push(box(mid));
      labelSvg.push(`<g class="lc-label${e.legal ? '' : ' illegal'}"><title>${h(tip)}</title><rect x="${f(mid.x - w / 2)}" y="${f(mid.y - 10)}" width="${f(w)}" height="20" rx="10"/>` + `<text x="${f(mid.x)}" y="${f(mid.y + 4)}">${h(text)}</text></g>`);
      extend({ x: mid.x - w / 2, y: mid.y - 10 });
      extend({ x: mid.x + w / 2, y: mid.y + 10 });
    }
  }

  const nodeSvg: string[] = [];
  for (const n of boxes) {
    const x = n.x - nodeW / 2;
    const y = n.y - NODE_H / 2;
    const terminal = machine.terminal.has(n.name);
    const seen = input.states[n.name];
    const involved = edges.some((e) => e.count > 0 && (e.from === n.name || e.to === n.name)) || (seen ?? 0) > 0;
    const cls = ['lc-node', n.known ? '' : 'unknown', terminal ? 'terminal' : '', n.name === machine.initial ? 'initial' : '', involved ? '' : 'idle'].filter(Boolean).join(' ');
    const sub = !n.known ? 'not a documented state' : seen !== undefined ? `${seen} order${seen === 1 ? '' : 's'} now` : terminal ? 'terminal' : '';
    const tip = `${n.name}${terminal ? ' (terminal)' : ''}${n.name === machine.initial ? ' (initial)' : ''}${seen !== undefined ? `: ${seen} order(s) seen in this state` : ''}${n.known ? '' : ': not a documented state'}`;
    nodeSvg.push(
      `<g class="${cls}"><title>${h(tip)}</title><rect x="${f(x)}" y="${f(y)}" width="${f(nodeW)}" height="${NODE_H}" rx="9"/>` +
        (terminal ? `<rect class="inner" x="${f(x + 3)}" y="${f(y + 3)}" width="${f(nodeW - 6)}" height="${NODE_H - 6}" rx="7"/>` : '') +
        nameText(lines.get(n.name) ?? [n.name], n.x, n.y, !!sub) +
        (sub ? `<text class="sub" x="${f(n.x)}" y="${f(n.y + (NODE_H > 46 ? 21 : 14))}">${h(sub)}</text>` : '') +
        `</g>`,
    );
  }
  const init = nodes.get(machine.initial);
  let start = '';
  if (init) {
    const x0 = init.x - nodeW / 2;
    start = `<g class="lc-start"><circle cx="${f(x0 - 34)}" cy="${f(init.y)}" r="6"/><path d="M${f(x0 - 28)},${f(init.y)} H${f(x0 - 3)}" marker-end="url(#${idp}lc-arrow-unseen)"/></g>`;
    extend({ x: x0 - 44, y: init.y });
  }

  const pad = 12;
  const vx = bounds.minX - pad;
  const vy = bounds.minY - pad;
  const vw = bounds.maxX - bounds.minX + 2 * pad;
  const vh = bounds.maxY - bounds.minY + 2 * pad;
  const marker = (id: string) => `<marker id="${idp}${id}" class="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`;
  const title = input.title ?? 'Order lifecycle';
  return (
    `<svg class="lifecycle" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${idp}lc-title" viewBox="${f(vx)} ${f(vy)} ${f(vw)} ${f(vh)}" width="${f(vw)}" height="${f(vh)}">` +
    `<title id="${idp}lc-title">${h(title)}</title>` +
    `<defs>${marker('lc-arrow-unseen')}${marker('lc-arrow-seen')}${marker('lc-arrow-illegal')}</defs>` +
    `<g class="lc-edges">${edgeSvg.join('')}</g>${start}<g class="lc-nodes">${nodeSvg.join('')}</g><g class="lc-labels">${labelSvg.join('')}</g></svg>`
  );
}

export interface ChainNode {
  name: string;
  /** the line under the name (a count) */
  sub?: string;
  /** `history`: a value only the history reports (not an order state); `idle`: never reported in this run */
  cls?: string;
  tip?: string;
}

/**
 * A path drawn as a snake of rows, `perRow` states a row (left to right, then
 * right to left): the history's vocabulary in its documented order, which is
 * too long for one line at a readable size. Names are drawn as
 * `renderLifecycleSvg` draws them, at the same size.
 */
export function renderChainSvg(input: { title: string; nodes: ChainNode[]; perRow?: number; className?: string }): string {
  const perRow = input.perRow ?? 5;
  const lines = input.nodes.map((n) => nameLines(n.name));
  const w = Math.max(120, Math.ceil(Math.max(...lines.flat().map((l) => l.length)) * CHAR_W + 24));
  const hgt = 56;
  const gapX = 44;
  const gapY = 22;
  const at = (i: number): Pt => {
    const row = Math.floor(i / perRow);
    const k = i % perRow;
    const colIdx = row % 2 === 0 ? k : perRow - 1 - k;
    return { x: colIdx * (w + gapX) + w / 2, y: row * (hgt + gapY) + hgt / 2 };
  };
  const parts: string[] = [];
  for (let i = 0; i + 1 < input.nodes.length; i++) {
    const a = at(i);
    const b = at(i + 1);
    let d: string;
    if (a.y === b.y) {
      const dir = b.x > a.x ? 1 : -1;
      d = `M${f(a.x + (dir * w) / 2)},${f(a.y)} H${f(b.x - (dir * w) / 2 - dir * 2)}`;
    } else d = `M${f(a.x)},${f(a.y + hgt / 2)} V${f(b.y - hgt / 2 - 2)}`;
    parts.push(`<path class="lc-edge seen" d="${d}" stroke-width="1.6" marker-end="url(#lc-chain-arrow)"/>`);
  }
  input.nodes.forEach((n, i) => {
    const p = at(i);
    const cls = ['lc-node', n.cls ?? ''].filter(Boolean).join(' ');
    parts.push(
      `<g class="${h(cls)}">${n.tip ? `<title>${h(n.tip)}</title>` : ''}<rect x="${f(p.x - w / 2)}" y="${f(p.y - hgt / 2)}" width="${f(w)}" height="${hgt}" rx="9"/>` + nameText(lines[i] ?? [n.name], p.x, p.y, !!n.sub) + (n.sub ? `<text class="sub" x="${f(p.x)}" y="${f(p.y + 20)}">${h(n.sub)}</text>` : '') + `</g>`,
    );
  });
  const rows = Math.ceil(input.nodes.length / perRow);
  const cols = Math.min(perRow, input.nodes.length);
  const pad = 8;
  const vw = cols * w + (cols - 1) * gapX + 2 * pad;
  const vh = rows * hgt + (rows - 1) * gapY + 2 * pad;
  return (
    `<svg class="${h(input.className ?? 'lifecycle chain')}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${h(input.title)}" viewBox="${f(-pad)} ${f(-pad)} ${f(vw)} ${f(vh)}" width="${f(vw)}" height="${f(vh)}">` +
    `<title>${h(input.title)}</title><defs><marker id="lc-chain-arrow" class="lc-arrow-seen" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    `${parts.join('')}</svg>`
  );
}
