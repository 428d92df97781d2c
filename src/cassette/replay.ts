/**
 * The replay transport of `conformance judge`: the harness sends every
 * request to it instead of the network, and it answers from a cassette.
 *
 * A request is matched by method, path and query, request body and principal
 * (whose credential it carried), all as the cassette keeps them (redacted):
 * one queue per key, so repeated identical requests are answered in the
 * order they were recorded, whatever the concurrency. A request whose path
 * carries a random UUID (the not-found probes draw one per run) is matched
 * with its UUIDs as wildcards when no exact key holds it.
 *
 * Answers are given in the order they came in the recording (a record's
 * `seq` is the order of completion): the run's own order of events depends
 * on it (which two documents the access probes use is the first two answers
 * to arrive). A request that arrives is held until the answers recorded
 * before it are given, or, when those are not asked for within a few turns
 * of the event loop (the judged run does not make them), it goes first.
 *
 * A request the cassette does not hold, or whose answer the cassette kept
 * only in part when the run reads it whole, is refused: `onMiss` is told
 * (the judge stops the run INCOMPLETE, CONF_ERR_CASSETTE, naming it).
 */
import { Readable } from 'node:stream';
import type { Redactor } from '../harness/redact.ts';
import type { Transport, TransportAnswer, TransportRequest } from '../harness/http.ts';
import type { VirtualClock } from './clock.ts';
import { answered } from './file.ts';
import type { ExchangeRecord } from './record.ts';

/** turns of the event loop a held answer waits for those recorded before it */
const IDLE_TURNS = 4;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** path and query of a URL as recorded (the origin left out: a cassette may be judged under another) */
function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  return m ? url.slice(m[0].length) || '/' : url;
}

const keyOf = (method: string, path: string, body: string | undefined, principal: string): string => `${method} ${path} ${principal} ${body ?? ''}`;
const looseKey = (key: string): string => key.replace(UUID, '{uuid}');

export interface Miss {
  method: string;
  path: string;
  principal: string;
  why: string;
}

export class ReplayTransport implements Transport {
  private readonly exact = new Map<string, ExchangeRecord[]>();
  private readonly loose = new Map<string, ExchangeRecord[]>();
  private readonly used = new Set<ExchangeRecord>();
  readonly misses: Miss[] = [];
  /** set once the harness exists: it redacts requests as the recording run did */
  redactor: Redactor | undefined;
  onMiss: (m: Miss) => void = () => undefined;
  /** seqs of the records, ascending, and the index of the first not given yet */
  private readonly order: number[];
  private next = 0;
  private readonly given = new Set<number>();
  private readonly held = new Map<number, () => void>();
  private draining = false;

  /** `clockShard`: in a merged cassette, only the records of this shard move the clock (those of the others were made on other machines' time) */
  constructor(
    private readonly records: readonly ExchangeRecord[],
    private readonly clock?: VirtualClock,
    private readonly clockShard?: number,
  ) {
    for (const r of records) {
      if (!answered(r)) continue;
      const key = keyOf(r.request.method.toUpperCase(), pathOf(r.request.url), r.request.body, r.principal ?? 'main');
      push(this.exact, key, r);
      push(this.loose, looseKey(key), r);
    }
    this.order = records
      .map((r) => r.seq)
      .filter((n): n is number => typeof n === 'number')
      .sort((a, b) => a - b);
  }

  /** Resolves when the answer recorded as `seq` may be given: those recorded before it were given, or are not coming. */
  private turn(seq: number | undefined): Promise<void> {
    if (seq === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.held.set(seq, resolve);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      let idle = 0;
      while (this.held.size > 0) {
        while (this.next < this.order.length && this.given.has(this.order[this.next] as number)) this.next++;
        const due = this.order[this.next];
        let seq: number | undefined;
        if (due !== undefined && this.held.has(due)) seq = due;
        else if (idle >= IDLE_TURNS) {
          // the answers recorded before those held are not asked for: the lowest held goes (and those before it are passed)
          seq = Math.min(...this.held.keys());
          while (this.next < this.order.length && (this.order[this.next] as number) < seq) this.given.add(this.order[this.next++] as number);
        }
        if (seq === undefined) {
          idle++;
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        idle = 0;
        const go = this.held.get(seq) as () => void;
        this.held.delete(seq);
        this.given.add(seq);
        go();
        // the answer's reader runs (and may ask for the next recorded exchange) before another is given
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  /** Records no request asked for (the judged run made fewer requests than the recorded one). */
  get unused(): number {
    return this.records.length - this.used.size;
  }

  /** The records no request asked for. */
  unusedRecords(): ExchangeRecord[] {
    return this.records.filter((r) => !this.used.has(r));
  }

  async request(req: TransportRequest): Promise<TransportAnswer> {
    const text = (s: string): string => this.redactor?.text(s) ?? s;
    const path = text(req.path);
    const key = keyOf(req.method, path, req.body === undefined ? undefined : text(req.body), req.principal);
    const rec = this.take(this.exact.get(key)) ?? this.take(this.loose.get(looseKey(key)));
    if (!rec) return this.miss({ method: req.method, path, principal: req.principal, why: 'the cassette holds no answer to it' });
    this.used.add(rec);
    await this.turn(rec.seq);
    if (rec.at && (this.clockShard === undefined || rec.shard === undefined || rec.shard === this.clockShard)) this.clock?.advanceTo(Date.parse(rec.at) + (rec.durationMs ?? 0));
    const res = rec.response;
    if (!res) throw replayedError(rec.error ?? { code: 'other', message: 'no answer was recorded' });
    const body = res.bodyBase64 !== undefined ? Buffer.from(res.bodyBase64, 'base64') : res.body !== undefined ? Buffer.from(res.body, 'utf8') : res.json !== undefined ? Buffer.from(JSON.stringify(res.json), 'utf8') : Buffer.alloc(0);
    const bytes = res.bytes ?? body.length;
    if (res.cut && body.length < bytes) {
      // a head is enough for a request that keeps only its head (a document download); not for one read whole
      const enough = !req.streamed && req.keepBytes !== undefined && body.length >= Math.min(req.keepBytes, bytes);
      if (!enough) return this.miss({ method: req.method, path, principal: req.principal, why: `the cassette kept ${body.length} of its ${bytes} bytes, and the run reads it whole (record with a larger --record-body-cap)` });
    }
    const headers: Record<string, string> = { ...res.headers };
    return {
      statusCode: res.status,
      headers,
      body: Readable.from(body.length > 0 ? [body] : [], { objectMode: false }) as TransportAnswer['body'],
      recorded: { bytes, sha256: res.sha256, durationMs: rec.durationMs ?? 0, truncated: res.truncated === true },
    };
  }

  private take(queue: ExchangeRecord[] | undefined): ExchangeRecord | undefined {
    while (queue && queue.length > 0) {
      const r = queue.shift() as ExchangeRecord;
      // a record is in two queues (exact and loose): the first to take it has it
      if (!this.used.has(r)) return r;
    }
    return undefined;
  }

  private miss(m: Miss): never {
    this.misses.push(m);
    this.onMiss(m);
    throw Object.assign(new Error(`not in the cassette: ${m.why}`), { code: 'CONF_CASSETTE_MISS' });
  }

  async close(): Promise<void> {
    // nothing is open
  }
}

function push(m: Map<string, ExchangeRecord[]>, k: string, r: ExchangeRecord): void {
  const q = m.get(k);
  if (q) q.push(r);
  else m.set(k, [r]);
}

/** A recorded transport failure, thrown as undici would, so that the harness names it the same way. */
function replayedError(e: { code: string; message: string }): Error {
  const err = new Error(e.message) as Error & { code?: string };
  if (e.code === 'timeout') err.name = 'TimeoutError';
  else if (e.code === 'reset') err.code = 'ECONNRESET';
  else if (e.code === 'refused') err.code = 'ECONNREFUSED';
  else if (e.code === 'protocol') err.code = 'HPE_INVALID_CONSTANT';
  else if (e.code === 'tls') err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  return err;
}
