/**
 * Helpers for the fuzz tests: a run context on any base URL (the reference
 * server, or a faulty server in front of it), and the fuzz results of a run.
 */
import { DEMO_TOKENS } from '../../mock/index.ts';
import { RunContext } from '../../src/engine/context.ts';
import { resolveOptions } from '../../src/engine/options.ts';
import { harnessFor } from '../../src/engine/run.ts';
import type { Evidence, Result } from '../../src/report/types.ts';
import { loadSpec } from '../../src/contract/load.ts';

export const spec = loadSpec();

export interface Ctx {
  ctx: RunContext;
  results(): Result[];
  result(check: string): Result;
  close(): Promise<void>;
}

/** A run context on `baseUrl` as customer A's first user, writes on, fuzz options from `raw`. */
export function contextFor(baseUrl: string, raw: Record<string, unknown> = {}): Ctx {
  const options = resolveOptions({ baseUrl, token: DEMO_TOKENS.customerA_user1, allowWrites: true, seed: 1, timeoutMs: 5_000, ...raw });
  const http = harnessFor({ ...options, baseUrl });
  const ctx = new RunContext(spec, http, options, () => undefined);
  return {
    ctx,
    results: () => ctx.recorded().map((r) => r.toResult(spec)),
    result: (check) => {
      const r = ctx.recorded().find((x) => x.name === check);
      if (!r) throw new Error(`no result for ${check}`);
      return r.toResult(spec);
    },
    close: () => http.close(),
  };
}

/** The evidence of a result that carries fast-check replay data. */
export function fuzzEvidence(r: Result): (Evidence & { fuzz: NonNullable<Evidence['fuzz']> })[] {
  return r.evidence.filter((e): e is Evidence & { fuzz: NonNullable<Evidence['fuzz']> } => e.fuzz !== undefined);
}
