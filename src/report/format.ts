/**
 * Small, deterministic formatting shared by the report writers (no locale,
 * no clock): durations, dates, hashes, and the grouping of results by area
 * and requirement that every human-facing report uses.
 */
import type { ConcurrencySummary, Evidence, Report, Result, Status } from './types.ts';

export const STATUS_ORDER: Status[] = ['fail', 'warn', 'skip', 'pass'];

export const STATUS_LABEL: Record<Status, string> = {
  fail: 'failed',
  warn: 'warning',
  skip: 'skipped',
  pass: 'passed',
};

/** 850 → "850 ms", 12_345 → "12.3 s", 125_000 → "2 min 5 s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${min} min ${s} s`;
}

/** An ISO instant as "2025-06-02 14:03:11 UTC"; anything unparseable is returned as given. */
export function formatDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function shortHash(hash: string, n = 12): string {
  return hash.length > n ? hash.slice(0, n) : hash;
}

/** A JSON value as one short line (evidence `value`). */
export function formatValue(value: unknown, max = 300): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** "GET https://host/path → 200" */
export function exchangeLine(e: Evidence): string {
  return `${e.method} ${e.url} → ${e.status ?? 'no response'}`;
}

/** The first reproduction command among a result's evidence. */
export function firstCurl(r: Result): string | undefined {
  return r.evidence.find((e) => typeof e.curl === 'string' && e.curl.length > 0)?.curl;
}

export interface RequirementGroup {
  id: string;
  results: Result[];
  worst: Status;
}

export interface AreaGroup {
  area: string;
  requirements: RequirementGroup[];
  counts: Record<Status, number>;
  worst: Status;
}

export function worstOf(statuses: Status[]): Status {
  for (const s of STATUS_ORDER) if (statuses.includes(s)) return s;
  return 'pass';
}

export function countStatuses(results: Result[]): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) if (r.status in counts) counts[r.status]++;
  return counts;
}

/**
 * Results grouped by area, then by requirement ID, in the order the areas and
 * IDs are listed in `areaOrder`/`idOrder` (the spec's order), unknown ones after,
 * in order of first appearance.
 */
export function groupResults(results: Result[], idOrder: string[] = [], areaOrder: string[] = []): AreaGroup[] {
  const byArea = new Map<string, Map<string, Result[]>>();
  for (const r of results) {
    const area = r.area || 'other';
    let ids = byArea.get(area);
    if (!ids) byArea.set(area, (ids = new Map()));
    const list = ids.get(r.id);
    if (list) list.push(r);
    else ids.set(r.id, [r]);
  }
  const rank = (order: string[], key: string, fallback: number) => {
    const i = order.indexOf(key);
    return i >= 0 ? i : order.length + fallback;
  };
  const areas = [...byArea.keys()];
  areas.sort((a, b) => rank(areaOrder, a, areas.indexOf(a)) - rank(areaOrder, b, areas.indexOf(b)));
  return areas.map((area) => {
    const ids = byArea.get(area) ?? new Map<string, Result[]>();
    const keys = [...ids.keys()];
    keys.sort((a, b) => rank(idOrder, a, keys.indexOf(a)) - rank(idOrder, b, keys.indexOf(b)));
    const requirements = keys.map((id) => {
      const rs = ids.get(id) ?? [];
      return { id, results: rs, worst: worstOf(rs.map((r) => r.status)) };
    });
    const all = requirements.flatMap((g) => g.results);
    return { area, requirements, counts: countStatuses(all), worst: worstOf(all.map((r) => r.status)) };
  });
}

/** "3 failed, 2 warnings, 1 skipped, 20 passed" */
export function countsSentence(s: Report['summary']): string {
  return `${s.fail} failed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.skip} skipped, ${s.pass} passed`;
}

/**
 * The root cause of a finding (issue 18): the same exchange (method, URL,
 * status, body) and the same pointer and value. Undefined for a finding that
 * names no pointer: it is its own cause.
 */
export function causeKey(e: Evidence): string | undefined {
  if (e.pointer === undefined) return undefined;
  return JSON.stringify([e.method, e.url, e.status ?? null, e.bodySha256 ?? '', e.pointer, 'value' in e ? formatValue(e.value) : '']);
}

export interface SharedCause {
  key: string;
  /** the first finding's evidence of this cause */
  evidence: Evidence;
  /** the checks it broke, in the order given */
  checks: string[];
}

/** Causes that broke more than one failing or warning check, in the order of `results`: each is shown once, with the checks it broke. */
export function sharedCauses(results: Result[]): SharedCause[] {
  const byKey = new Map<string, SharedCause>();
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    for (const e of r.evidence) {
      const key = causeKey(e);
      if (key === undefined) continue;
      const c = byKey.get(key);
      if (!c) byKey.set(key, { key, evidence: e, checks: [r.check] });
      else if (!c.checks.includes(r.check)) c.checks.push(r.check);
    }
  }
  return [...byKey.values()].filter((c) => c.checks.length > 1);
}

/** How many requests a run kept in flight, in a few words: `concurrency 8`, or what `auto` settled on. */
export function concurrencyLine(c: ConcurrencySummary): string {
  if (c.mode === 'fixed') return `concurrency ${c.settled}`;
  return `concurrency auto: settled on ${c.settled} (max ${c.max}; ${c.increases} up, ${c.decreases} down)`;
}
