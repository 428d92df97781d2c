/**
 * `conformance replay REPORT [--failed] [--base-url URL]` (after
 * Schemathesis's `st replay`): the exchanges behind a report's failures sent
 * again to a target, and for each failed check whether it still fails.
 *
 * The reads of each failure's evidence (method, URL, request body and the
 * headers of its curl) are re-sent as they were, with credentials from the
 * environment as the run took them (the curl names them by variable; the
 * report never holds one); writes are not re-sent (they would change what
 * they show). A check is judged on more than one exchange in general (a
 * history against its detail, an export against the list), so whether it
 * still fails is judged by re-running exactly those checks with the report's
 * seed (`conformance run --checks <them> --seed N`), and the output says so.
 */
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'undici';
import { ConformanceError } from '../errors.ts';
import { rawFromEnv, resolveOptions } from '../engine/options.ts';
import { certify } from '../engine/run.ts';
import { parseReport } from '../report/read.ts';
import type { Evidence, Report, Result } from '../report/types.ts';
import { writeReports } from '../report/write.ts';
import { loadSpec } from '../contract/load.ts';
import { RECORDED_OPTIONS } from './record.ts';

export interface ReplayOptions {
  baseUrl?: string;
  /** the checks that warned too */
  warned?: boolean;
  /** where the re-run writes its reports (default: a temporary folder) */
  reportDir?: string;
  env: NodeJS.ProcessEnv;
}

/** What became of one failed check. */
export interface Replayed {
  check: string;
  id: string;
  before: Result['status'];
  now: Result['status'];
  message: string;
  resent: { method: string; path: string; was?: number; now?: number; sameBody?: boolean; note?: string }[];
}

async function loadReport(path: string): Promise<Report> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'conformance.json');
  } catch (e) {
    throw new ConformanceError('CONF_ERR_BAD_REPORT', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConformanceError('CONF_ERR_BAD_REPORT', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseReport(text, file);
}

/** The headers of a curl the kit wrote (`-H "k: Bearer $VAR"` or `-H 'k: v'`), variables taken from `env`; undefined names a variable that is not set. */
export function curlHeaders(curl: string, env: NodeJS.ProcessEnv): { headers: Record<string, string> } | { missing: string } {
  const headers: Record<string, string> = {};
  for (const m of curl.matchAll(/ -H (?:"([^"]*)"|'((?:[^']|'\\'')*)')/g)) {
    const line = m[1] !== undefined ? m[1] : (m[2] ?? '').replace(/'\\''/g, "'");
    let missing: string | undefined;
    // only the double-quoted form holds variables (a secret the kit named); the single-quoted one is literal
    const value =
      m[1] !== undefined
        ? line.replace(/\$([A-Z][A-Z0-9_]*)/g, (_all, name: string) => {
            const v = env[name];
            if (v === undefined || v === '') missing ??= name;
            return v ?? '';
          })
        : line;
    if (missing) return { missing };
    const colon = value.indexOf(':');
    if (colon > 0) headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return { headers };
}

/** The evidence's URL on `base` (the report's target replaced by the one replayed against). */
function retarget(url: string, from: string, to: string): string {
  if (from !== '' && url.startsWith(from)) return to.replace(/\/+$/, '') + url.slice(from.replace(/\/+$/, '').length);
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  return new URL(to).origin + (m ? url.slice(m[0].length) : url);
}

async function resend(e: Evidence, report: Report, base: string, env: NodeJS.ProcessEnv): Promise<Replayed['resent'][number]> {
  const path = e.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const row: Replayed['resent'][number] = { method: e.method, path, ...(e.status !== undefined ? { was: e.status } : {}) };
  if (e.method !== 'GET' && e.method !== 'HEAD') return { ...row, note: "a write: not re-sent (the re-run makes its own, under the run's write rules)" };
  if (e.url.endsWith('…') || /\$[A-Z]/.test(e.url)) return { ...row, note: 'its URL was cut or redacted in the report: not re-sent' };
  const h = e.curl ? curlHeaders(e.curl, env) : { headers: {} };
  if ('missing' in h) return { ...row, note: `$${h.missing} is not set: not re-sent` };
  try {
    const res = await request(retarget(e.url, report.target.baseUrl, base), { method: e.method, headers: h.headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = Buffer.from(await res.body.arrayBuffer());
    const sha = createHash('sha256').update(body).digest('hex');
    return { ...row, now: res.statusCode, ...(e.bodySha256 ? { sameBody: e.bodySha256 === sha } : {}) };
  } catch (err) {
    return { ...row, note: `no answer (${(err as { code?: string }).code ?? (err as Error).message})` };
  }
}

/** Replays a report's failures against a target; the exit status: 0 none still fails, 1 some do, 2 could not replay. */
export async function replayReport(path: string, o: ReplayOptions, out: (l: string) => void, err: (l: string) => void): Promise<0 | 1 | 2> {
  const report = await loadReport(path);
  const wanted = report.results.filter((r) => r.status === 'fail' || (o.warned && r.status === 'warn'));
  if (wanted.length === 0) {
    out(`Replay: ${path} has no failed check${o.warned ? ' and no warning' : ''}; nothing to replay`);
    return 0;
  }
  const base = o.baseUrl ?? (report.target.embedded ? undefined : report.target.baseUrl);
  if (!base) throw new ConformanceError('CONF_ERR_BAD_OPTION', 'the report is of the bundled reference server, which ended with its run: give --base-url (e.g. of `conformance mock`)');
  const spec = loadSpec();
  if (report.spec.sha256 !== spec.hash) err(`conformance: the report was judged against another contract (sha256 ${report.spec.sha256.slice(0, 12)}…); the re-run judges with today's`);
  // the run's options that change what is sent, from the report; credentials from the environment only
  const raw: Record<string, unknown> = { ...rawFromEnv(o.env) };
  const shown = report.options as Record<string, unknown>;
  for (const k of RECORDED_OPTIONS) if (k !== 'checks' && shown[k] !== undefined && shown[k] !== null) raw[k] = shown[k];
  raw.seed = report.seed;
  raw.baseUrl = base;
  const checks = wanted.map((r) => r.check);
  raw.checks = checks;
  raw.excludeChecks = [];
  const options = { ...resolveOptions(raw), baseUrl: base, record: undefined };
  const reportDir = o.reportDir ?? (await mkdtemp(join(tmpdir(), 'conformance-replay-')));

  const replayed: Replayed[] = [];
  for (const r of wanted) {
    const resent: Replayed['resent'] = [];
    for (const e of r.evidence) resent.push(await resend(e, report, base, o.env));
    replayed.push({ check: r.check, id: r.id, before: r.status, now: r.status, message: r.message, resent });
  }
  const how = `conformance run --checks ${checks.join(',')} --seed ${report.seed}`;
  const { report: again } = await certify(options, false, {});
  await writeReports(again, spec, reportDir).catch(() => undefined);
  const now = new Map(again.results.map((r) => [r.check, r]));
  for (const x of replayed) {
    const r = now.get(x.check);
    x.now = r?.status ?? 'skip';
    x.message = r?.message ?? 'not reported by the re-run';
  }

  out(`Replaying ${wanted.length} ${o.warned ? 'failed or warned' : 'failed'} check(s) of ${path} against ${again.target.baseUrl}`);
  for (const x of replayed) {
    out('');
    out(`${x.before.toUpperCase()} ${x.id} ${x.check}`);
    for (const s of x.resent) {
      const what = s.note ?? `was ${s.was ?? 'no answer'}, now ${s.now ?? 'no answer'}${s.sameBody === undefined ? '' : s.sameBody ? ', the same body' : ', another body'}`;
      out(`  re-sent ${s.method} ${s.path}: ${what}`);
    }
    const verdict = x.now === 'fail' || (o.warned && x.now === 'warn') ? 'still fails' : x.now === 'skip' ? 'could not be judged' : 'gone';
    out(`  ${verdict}: ${x.message}`);
  }
  out('');
  out(`Judged by re-running the failed checks with the report's seed (${how}); reports in ${reportDir}`);
  const still = replayed.filter((x) => x.now === 'fail' || (o.warned && x.now === 'warn')).length;
  const unjudged = replayed.filter((x) => x.now === 'skip').length;
  out(`Replay: ${replayed.length} check(s): ${still} still fail, ${replayed.length - still - unjudged} gone${unjudged ? `, ${unjudged} could not be judged` : ''}`);
  if (again.incomplete) {
    err(`conformance: the re-run could not judge: ${again.incomplete.message} [${again.incomplete.code}]`);
    return 2;
  }
  return still > 0 ? 1 : unjudged > 0 ? 2 : 0;
}
