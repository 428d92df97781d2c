/**
 * A colleague: customer A's second user working on the target while a run
 * goes on, as other users of a live staging do (ANALYSIS.md, "Judging a
 * target we did not write", rule 2). Every `intervalMs` it creates a product
 * order, terminates or changes an active order, or cancels one in progress,
 * never an order of the run's own (external_id starting with `conformance-`).
 *
 * Bounded: at most `maxActions` writes, each request with a timeout, and
 * `stop()` (call it when the run ends) wakes it, lets its request in flight
 * finish and resolves once it has. Its choices come from `seed`; when they
 * land depends on the run's timing. Used by test/run/live.test.ts and by the
 * sweep (scripts/sweep.ts).
 */
import { DEMO_TOKENS } from '../../mock/index.ts';
import { rngFrom } from '../../mock/random.ts';
import { loadSpec } from '../../src/contract/load.ts';

export type ColleagueAction = 'create' | 'terminate' | 'cancel' | 'change';

export const COLLEAGUE_ACTIONS: readonly ColleagueAction[] = ['create', 'terminate', 'cancel', 'change'];

export interface ColleagueOptions {
  /** the target's base URL (the run's, or the server's behind it) */
  baseUrl: string;
  /** defaults to customer A's second user */
  token?: string;
  /** `Bearer` unless the target wants another scheme (variant `token-auth`: `Token`) */
  authScheme?: string;
  /** the pause before each action, drawn between the two bounds (ms) */
  intervalMs: readonly [number, number];
  /** at most this many writes (default 300) */
  maxActions?: number;
  /** seeds the colleague's choices (what to do, on which order) */
  seed?: number;
  /** relative weights of the actions (default: each 1) */
  weights?: Partial<Record<ColleagueAction, number>>;
  /** orders whose external_id starts with this are the run's own, never touched (default `conformance-`) */
  ownPrefix?: string;
  /** a request's timeout (ms, default 5000) */
  timeoutMs?: number;
}

export interface Colleague {
  /** writes the target acknowledged (2xx), by action */
  readonly done: Record<ColleagueAction, number>;
  /** writes the target refused (another status: an order that moved meanwhile, say), by action */
  readonly refused: Record<ColleagueAction, number>;
  /** one line per write sent (`terminate 4711 202`), and requests that failed (`error …`) */
  readonly log: string[];
  /** writes sent so far */
  readonly sent: () => number;
  /** one action now, counted as the others (a test that times the colleague itself gives it an `intervalMs` it never reaches) */
  act(action: ColleagueAction): Promise<void>;
  /** stops it and resolves once its last request has finished */
  stop(): Promise<void>;
}

interface Row {
  order_reference?: unknown;
  state?: unknown;
}

const WANTS: Record<Exclude<ColleagueAction, 'create'>, string> = { terminate: 'active', change: 'active', cancel: 'in_progress' };

/** the documentation's example product order body, for the creations */
function exampleBody(): Record<string, unknown> {
  const examples = (loadSpec().doc.components as { examples: Record<string, { value: Record<string, unknown> }> }).examples;
  return structuredClone(examples.ProductOrderCreate!.value);
}

export function startColleague(o: ColleagueOptions): Colleague {
  const rng = rngFrom(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rng() * xs.length)];
  const headers = { authorization: `${o.authScheme ?? 'Bearer'} ${o.token ?? DEMO_TOKENS.customerA_user2}`, 'content-type': 'application/json' };
  const maxActions = o.maxActions ?? 300;
  const ownPrefix = o.ownPrefix ?? 'conformance-';
  const timeoutMs = o.timeoutMs ?? 5_000;
  const weights = COLLEAGUE_ACTIONS.map((a) => Math.max(0, o.weights?.[a] ?? 1));
  const total = weights.reduce((s, w) => s + w, 0);
  const done = { create: 0, terminate: 0, cancel: 0, change: 0 };
  const refused = { create: 0, terminate: 0, cancel: 0, change: 0 };
  const log: string[] = [];
  let sent = 0;
  let stopped = false;
  let wake: (() => void) | undefined;

  const request = async (path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(o.baseUrl + path, { method: body === undefined ? 'GET' : 'POST', headers, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  };
  /** the orders it can see: the first pages of the list, whatever its paging (page, limit-offset, bare array) */
  const orders = async (): Promise<Row[]> => {
    const rows: Row[] = [];
    let path: string | undefined = '/api/v1/order/?page_size=1000&limit=1000';
    for (let page = 0; path && page < 5 && !stopped; page++) {
      const { status, json } = await request(path);
      if (status !== 200) break;
      if (Array.isArray(json)) return json as Row[];
      const b = json as { results?: Row[]; next?: unknown } | undefined;
      rows.push(...(b?.results ?? []));
      path = typeof b?.next === 'string' ? b.next.replace(/^https?:\/\/[^/]+/, '') : undefined;
    }
    return rows;
  };
  const detail = async (ref: string): Promise<Record<string, unknown> | undefined> => {
    const { status, json } = await request(`/api/v1/order/${encodeURIComponent(ref)}/`);
    return status === 200 && json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
  };
  const choose = (): ColleagueAction => {
    let r = rng() * total;
    for (const [i, a] of COLLEAGUE_ACTIONS.entries()) if ((r -= weights[i]!) < 0) return a;
    return 'create';
  };
  const count = (action: ColleagueAction, status: number, what: string): void => {
    sent++;
    if (status >= 200 && status < 300) done[action]++;
    else refused[action]++;
    log.push(`${action} ${what} ${status}`);
  };

  let body: Record<string, unknown> | undefined;
  let reasons: string[] | undefined;
  let n = 0;
  const act = async (action: ColleagueAction = choose()): Promise<void> => {
    const all = await orders();
    if (stopped) return;
    if (action === 'create') {
      if (!body) {
        // the offering and options of an existing order (ANALYSIS.md rule 3: inputs learnt from the target)
        const ref = all.find((r) => typeof r.order_reference === 'string')?.order_reference as string | undefined;
        const d = ref ? await detail(ref) : undefined;
        body = exampleBody();
        if (d && typeof d.product_offering_id === 'string' && Array.isArray(d.option_ids)) Object.assign(body, { product_offering_id: d.product_offering_id, option_ids: d.option_ids });
      }
      const ext = `colleague-${o.seed ?? 1}-${n++}`;
      count('create', (await request('/api/v1/product_order/', { ...body, external_id: ext })).status, ext);
      return;
    }
    const candidates = all.filter((r) => r.state === WANTS[action] && typeof r.order_reference === 'string');
    const row = pick(candidates);
    if (!row) return;
    const ref = row.order_reference as string;
    const d = await detail(ref);
    if (!d || stopped || (typeof d.external_id === 'string' && d.external_id.startsWith(ownPrefix))) return;
    if (action === 'terminate' && !reasons) {
      const { json } = await request('/api/v1/terminate_reason/');
      const listed = (json as { terminate_reasons?: unknown } | undefined)?.terminate_reasons;
      reasons = Array.isArray(listed) ? listed.filter((r): r is string => typeof r === 'string') : [];
    }
    const reason = action === 'terminate' ? (pick(reasons ?? []) ?? "Cessation d'activité") : action === 'cancel' ? 'Annulation à la demande du client' : 'Modification du contact';
    count(action, (await request(`/api/v1/order/${encodeURIComponent(ref)}/${action}/`, { reason, message: 'colleague' })).status, ref);
  };

  const loop = (async () => {
    while (!stopped && sent < maxActions) {
      const [lo, hi] = o.intervalMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, lo + rng() * (hi - lo));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
      if (stopped) break;
      try {
        await act();
      } catch (err) {
        log.push(`error ${(err as Error).message}`);
      }
    }
  })();

  return {
    done,
    refused,
    log,
    sent: () => sent,
    act,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** Runs `run` with a colleague working meanwhile; stops it (awaiting its last request) when the run ends, however it ends. */
export async function withColleague<T>(options: ColleagueOptions, run: () => Promise<T>): Promise<{ result: T; colleague: Colleague }> {
  const colleague = startColleague(options);
  try {
    return { result: await run(), colleague };
  } finally {
    await colleague.stop();
  }
}
