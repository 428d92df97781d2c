/**
 * Provider verification of the pinned pacts (`contracts/pacts/`), with pact-js's
 * Verifier, against any base URL.
 *
 * Provider states are set up through the provider's state hook
 * (`POST /_pact/provider-states`, `{state, params, action}`), which the
 * reference server serves when started with `providerStates: true`. A provider
 * without a hook cannot be put in a state: its interactions that need one are
 * not run and are reported as PENDING (not verified), never as passed. (That
 * also keeps a real provider read-only: every write in the pact needs a state.)
 *
 * Nothing is sent to a Pact Broker: pacts are read from files, the provider
 * name is not passed to the verifier (so PACT_BROKER_BASE_URL in the
 * environment does not turn a broker source on), and no verification result is
 * published. Pact's telemetry is off.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { Redactor, toCurl } from '../../src/index.ts';
import { pactTelemetryOff } from '../config.ts';
import { pactFiles, reify } from '../pact-vs-spec.ts';

pactTelemetryOff();

export const STATE_HOOK_PATH = '/_pact/provider-states';

type JsonMap = { [k: string]: unknown };

export interface VerifyOptions {
  /** the provider under test */
  baseUrl: string;
  /** the provider-state hook; undefined when the provider has none */
  stateHookUrl?: string | undefined;
  /** replaces the pact's example bearer token on every request */
  token?: string | undefined;
  /** pact files (default: every file of contracts/pacts/) */
  pactFiles?: string[];
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** per-request timeout of the verifier, ms */
  timeoutMs?: number;
}

export interface InteractionOutcome {
  pact: string;
  consumer: string;
  provider: string;
  description: string;
  states: { name: string; params: JsonMap }[];
  status: 'passed' | 'failed' | 'pending';
  /** why pending, or what failed (readable lines) */
  details: string[];
  /** for a failure: curl commands that set the state up and replay the request (token as $PACT_PROVIDER_TOKEN) */
  reproduce?: string[];
}

export interface VerificationReport {
  baseUrl: string;
  stateHookUrl: string | undefined;
  outcomes: InteractionOutcome[];
  passed: number;
  failed: number;
  pending: number;
  /** no interaction failed (pending ones are not verified, and are not failures) */
  ok: boolean;
  /** everything ran and passed: nothing failed, nothing pending */
  complete: boolean;
  /** the verifier's own console output, for the curious */
  verifierOutput: string[];
}

interface PactInteraction {
  description?: string;
  providerStates?: { name: string; params?: JsonMap }[];
  providerState?: string;
  [k: string]: unknown;
}
interface PactFile {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: PactInteraction[];
  [k: string]: unknown;
}

function statesOf(i: PactInteraction): { name: string; params: JsonMap }[] {
  if (Array.isArray(i.providerStates)) return i.providerStates.map((s) => ({ name: s.name, params: s.params ?? {} }));
  if (typeof i.providerState === 'string' && i.providerState) return [{ name: i.providerState, params: {} }];
  return [];
}

/** curl commands that put the provider in the interaction's states, then send its request. */
function reproduction(i: PactInteraction, baseUrl: string, hookUrl: string | undefined, token: string | undefined): string[] {
  const redactor = new Redactor();
  redactor.add(token, 'PACT_PROVIDER_TOKEN');
  const out: string[] = [];
  if (hookUrl) {
    for (const st of statesOf(i)) {
      out.push(toCurl(redactor, { method: 'POST', url: hookUrl, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: st.name, params: st.params, action: 'setup' }) }));
    }
  }
  const req = (i.request ?? {}) as { method?: string; path?: unknown; query?: unknown; headers?: Record<string, unknown>; body?: unknown };
  const path = String(reify(req.path) ?? '/');
  const params = new URLSearchParams();
  if (req.query && typeof req.query === 'object') {
    for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(reify(x)));
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = String(reify(Array.isArray(v) ? v[0] : v));
  if (token) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
    headers.Authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  const b = req.body as { content?: unknown; encoded?: unknown } | undefined;
  if (b && typeof b === 'object' && 'content' in b) body = typeof b.content === 'string' && !b.encoded ? b.content : b.encoded === 'base64' ? undefined : JSON.stringify(b.content);
  const query = params.toString();
  out.push(toCurl(redactor, { method: String(req.method ?? 'GET').toUpperCase(), url: `${baseUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`, headers, ...(body !== undefined ? { body } : {}) }));
  return out;
}

const stateKey = (state: string, params: unknown) => `${state} ${JSON.stringify(params ?? {})}`;

/** Calls the provider's state hook; returns the values it hands back. */
export async function callStateHook(hookUrl: string, state: string, params: unknown, action: 'setup' | 'teardown'): Promise<JsonMap | undefined> {
  const res = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ state, params: params ?? {}, action }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`state hook answered ${res.status} to ${action} "${state}" ${JSON.stringify(params ?? {})}: ${text.slice(0, 300)}`);
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonMap) : undefined;
  } catch {
    return undefined;
  }
}

interface VerifierJson {
  result?: boolean;
  output?: string[];
  errors?: { interaction?: string; mismatch?: { type?: string; message?: string; mismatches?: { mismatch?: string; path?: string; key?: string; type?: string }[] } }[];
  pendingErrors?: VerifierJson['errors'];
  interactionResults?: { description?: string; result?: string }[];
}

function parseVerifierJson(text: string): VerifierJson | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as VerifierJson) : undefined;
  } catch {
    return undefined;
  }
}

const MISMATCH_ORDER = ['MethodMismatch', 'PathMismatch', 'QueryMismatch', 'StatusMismatch', 'HeaderMismatch', 'BodyTypeMismatch', 'BodyMismatch'];

/** Readable lines for one failed interaction, from the verifier's JSON: status first, then headers, then body. */
function mismatchLines(e: NonNullable<VerifierJson['errors']>[number]): string[] {
  const m = e.mismatch;
  if (!m) return ['failed (no detail from the verifier)'];
  if (Array.isArray(m.mismatches) && m.mismatches.length) {
    const rank = (t: string | undefined) => {
      const i = MISMATCH_ORDER.indexOf(t ?? '');
      return i < 0 ? MISMATCH_ORDER.length : i;
    };
    return [...m.mismatches]
      .sort((a, b) => rank(a.type) - rank(b.type))
      .map((x) => {
        const where = x.type === 'StatusMismatch' ? 'status' : x.type === 'HeaderMismatch' ? `header ${x.key ?? ''}` : x.type === 'BodyMismatch' ? `body ${x.path ?? '$'}` : x.type === 'BodyTypeMismatch' ? 'body' : x.type === 'QueryMismatch' ? 'query' : (x.type ?? 'mismatch');
        return `${where}: ${x.mismatch ?? JSON.stringify(x)}`;
      });
  }
  return [m.message ?? JSON.stringify(m)];
}

interface ProxiedRequest {
  method?: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * pact-js's verification proxy re-streams every request body from a buffer, so
 * a body-less POST (the export start) reaches the provider as an empty
 * *chunked* body with no Content-Type, which strict servers (fastify) refuse
 * with 415 — something no real client sends. Frame the body with its length,
 * as the consumer's client does.
 */
function fixFraming(req: ProxiedRequest): void {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return;
  const b = req.body;
  const length = !b ? 0 : Buffer.isBuffer(b) ? b.length : typeof b === 'object' ? Buffer.byteLength(JSON.stringify(b)) : 0;
  delete req.headers['transfer-encoding'];
  req.headers['content-length'] = String(length);
}

/** Verifies the pact files against `baseUrl`. Never throws for a failed verification: read `ok`. */
export async function verifyPacts(opts: VerifyOptions): Promise<VerificationReport> {
  const files = opts.pactFiles ?? pactFiles();
  const outcomes: InteractionOutcome[] = [];
  const work = mkdtempSync(join(tmpdir(), 'pact-verify-'));
  const toRun: string[] = [];
  const knownStates = new Set<string>();
  const byOutcome = new Map<InteractionOutcome, PactInteraction>();
  try {
    for (const file of files) {
      const pact = JSON.parse(readFileSync(file, 'utf8')) as PactFile;
      const consumer = pact.consumer?.name ?? '?';
      const provider = pact.provider?.name ?? '?';
      const keep: PactInteraction[] = [];
      for (const i of pact.interactions ?? []) {
        const states = statesOf(i);
        const outcome: InteractionOutcome = {
          pact: basename(file),
          consumer,
          provider,
          description: i.description ?? '(no description)',
          states,
          status: 'pending',
          details: [],
        };
        if (states.length && !opts.stateHookUrl) {
          outcome.details.push(`not verified: needs provider state ${states.map((s) => `"${s.name}" ${JSON.stringify(s.params)}`).join(' and ')}, and this provider has no state hook`);
        } else {
          states.forEach((s) => {
            knownStates.add(s.name);
          });
          keep.push(i);
        }
        outcomes.push(outcome);
        byOutcome.set(outcome, i);
      }
      if (keep.length) {
        const copy = join(work, `${toRun.length}-${basename(file)}`);
        writeFileSync(copy, JSON.stringify({ ...pact, interactions: keep }));
        toRun.push(copy);
      }
    }

    let json: VerifierJson | undefined;
    const stateFailures = new Map<string, string>();
    if (toRun.length) {
      const hook = opts.stateHookUrl;
      const stateHandlers = hook
        ? Object.fromEntries(
            [...knownStates].map((name) => [
              name,
              {
                setup: async (params?: unknown) => {
                  try {
                    return await callStateHook(hook, name, params, 'setup');
                  } catch (err) {
                    stateFailures.set(stateKey(name, params), (err as Error).message);
                    throw err;
                  }
                },
                teardown: async (params?: unknown) => {
                  await callStateHook(hook, name, params, 'teardown').catch(() => undefined);
                  return undefined;
                },
              },
            ]),
          )
        : undefined;
      const token = opts.token;
      const options = {
        providerBaseUrl: opts.baseUrl.replace(/\/+$/, ''),
        pactUrls: toRun,
        logLevel: opts.logLevel ?? 'error',
        timeout: opts.timeoutMs ?? 30_000,
        ...(stateHandlers ? { stateHandlers } : {}),
        requestFilter: (req: ProxiedRequest, _res: unknown, next: () => void) => {
          fixFraming(req);
          if (token) req.headers.authorization = `Bearer ${token}`;
          next();
        },
      } as VerifierOptions;
      const verifier = new Verifier(options);
      let text: string;
      try {
        text = await verifier.verifyProvider();
      } catch (err) {
        text = (err as Error).message;
      }
      json = parseVerifierJson(text);
      if (!json) {
        // the verifier could not run at all (bad URL, crash): every run interaction failed with that message
        for (const o of outcomes) if (o.details.length === 0) (o.status = 'failed'), o.details.push(`verifier did not run: ${text}`);
      }
    }

    if (json) {
      const results = new Map<string, string>();
      for (const r of json.interactionResults ?? []) if (r.description) results.set(r.description, r.result ?? '');
      const errorsFor = (description: string) => (json?.errors ?? []).filter((e) => typeof e.interaction === 'string' && e.interaction.endsWith(` - ${description}`));
      for (const o of outcomes) {
        if (o.details.length) continue; // pending: not run
        const failedStates = o.states.map((s) => stateFailures.get(stateKey(s.name, s.params))).filter((x): x is string => !!x);
        const errs = errorsFor(o.description);
        if (failedStates.length) {
          o.status = 'failed';
          o.details.push(...failedStates.map((m) => `provider state could not be set up: ${m}`));
        }
        if (errs.length) {
          o.status = 'failed';
          for (const e of errs) o.details.push(...mismatchLines(e));
        } else if (!failedStates.length) {
          const r = results.get(o.description);
          o.status = r === undefined || r === 'OK' ? 'passed' : 'failed';
          if (o.status === 'failed') o.details.push(`verifier result: ${r}`);
        }
      }
    }
    for (const o of outcomes) {
      const i = byOutcome.get(o);
      if (o.status === 'failed' && i) o.reproduce = reproduction(i, opts.baseUrl, opts.stateHookUrl, opts.token);
    }
    const count = (s: InteractionOutcome['status']) => outcomes.filter((o) => o.status === s).length;
    const failed = count('failed');
    const pending = count('pending');
    return {
      baseUrl: opts.baseUrl,
      stateHookUrl: opts.stateHookUrl,
      outcomes,
      passed: count('passed'),
      failed,
      pending,
      ok: failed === 0,
      complete: failed === 0 && pending === 0,
      verifierOutput: json?.output ?? [],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The report as a person reads it: one line per interaction, the mismatches under each failure. */
export function formatReport(r: VerificationReport): string {
  const lines: string[] = [];
  const pacts = [...new Set(r.outcomes.map((o) => `${o.consumer} → ${o.provider} (${o.pact})`))];
  lines.push(`Pact verification of ${pacts.join(', ') || '(no pacts)'}`);
  lines.push(`  provider: ${r.baseUrl}`);
  lines.push(r.stateHookUrl ? `  provider states: set up through ${r.stateHookUrl}` : '  provider states: NO STATE HOOK — interactions that need a provider state are PENDING (not verified)');
  for (const o of r.outcomes) {
    const mark = o.status === 'passed' ? '✓ passed ' : o.status === 'failed' ? '✗ FAILED ' : '⏸ PENDING';
    lines.push(`  ${mark}  ${o.description}`);
    for (const d of o.details) lines.push(`               ${d}`);
    for (const [k, c] of (o.reproduce ?? []).entries()) {
      lines.push(`               ${k === (o.reproduce?.length ?? 0) - 1 ? 'reproduce:' : 'set up:   '} ${c}`);
    }
  }
  const verdict = r.failed ? 'FAILED' : r.pending ? 'NOT FULLY VERIFIED (pending interactions were not run)' : 'PASSED';
  lines.push(`Result: ${verdict} — ${r.passed} passed, ${r.failed} failed, ${r.pending} pending (not verified)`);
  return lines.join('\n');
}
