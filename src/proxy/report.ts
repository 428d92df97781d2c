/**
 * The reports of a session of client traffic (the proxy's, or a recording
 * judged): one full report set per side, in the run's formats, so the run's
 * writers serve them unchanged —
 *
 *   DIR/client/    conformance.json, junit.xml, index.html, summary.md … (the client verdict)
 *   DIR/provider/  the same for the provider verdict
 *   DIR/conformance.json  a Report (the run's shape, so `conformance diff` and every
 *                         reader of conformance.json take it): the provider's verdict
 *                         and results as a run's, the client's under `client`
 *   DIR/summary.md        both verdicts and every finding, for a CI summary
 *
 * The two verdicts never mix: the client's checks are all in client/, the
 * provider's in provider/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suiteSha256, toolVersion } from '../engine/run.ts';
import { ConformanceError } from '../errors.ts';
import type { ClientSide, Report } from '../report/types.ts';
import { writeReports } from '../report/write.ts';
import { sideReport, type TrafficJudge } from './judge.ts';

export interface Session {
  target: string;
  embedded: boolean;
  startedAt: string;
  finishedAt?: string;
  /** proxy, har, cassette */
  source: string;
  problems?: string[];
}

export interface SessionReports {
  client: Report;
  provider: Report;
  files: string[];
}

/** The two reports of what a judge saw. */
export function sessionReports(judge: TrafficJudge, s: Session): { client: Report; provider: Report } {
  const { client, provider } = judge.results();
  const spec = judge.options.spec;
  const info = { ...s, finishedAt: s.finishedAt ?? new Date().toISOString(), toolVersion: toolVersion(), suiteSha256: suiteSha256(spec) };
  return { client: sideReport('client', client, judge, info), provider: sideReport('provider', provider, judge, info) };
}

function line(side: string, r: Report): string {
  return `${side.padEnd(8)} ${r.verdictLabel} — ${r.summary.pass} passed, ${r.summary.fail} failed, ${r.summary.warn} warned, ${r.summary.skip} not judged (nothing seen), over ${r.summary.requests} exchanges`;
}

/** The two verdicts as lines for a terminal. */
export function verdictLines(r: { client: Report; provider: Report }): string[] {
  return [line('CLIENT', r.client), line('PROVIDER', r.provider)];
}

function markdown(r: { client: Report; provider: Report }): string {
  const out = ['# Client and provider verdicts', '', `- **Client**: ${r.client.verdictLabel} (client/summary.md)`, `- **Provider**: ${r.provider.verdictLabel} (provider/summary.md)`, ''];
  for (const [side, rep] of [
    ['Client', r.client],
    ['Provider', r.provider],
  ] as const) {
    out.push(`## ${side}`, '', '| check | requirement | status | findings | first finding |', '| --- | --- | --- | --- | --- |');
    for (const x of rep.results) out.push(`| ${x.check} | ${x.id} | ${x.status} | ${x.violations} | ${x.status === 'pass' || x.status === 'skip' ? '' : x.message.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300)} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/**
 * The top-level conformance.json of a session: a Report whose verdict and
 * results are the provider's (a Report's verdict judges the provider), with
 * the client's verdict and results under `client`, so that `conformance diff`
 * of two sessions diffs each side (a client check newly failing is a
 * regression) and nothing that reads a Report refuses it. `kind`,
 * `exchanges` and `provider` say what the session was and where each side's
 * full report set is.
 */
export function sessionReport(r: { client: Report; provider: Report }, source: string, exchanges: number): Report & { kind: string; exchanges: number; provider: { verdict: Report['verdict']; verdictLabel: string; summary: Report['summary']; report: string } } {
  const client: ClientSide = { verdict: r.client.verdict, verdictLabel: r.client.verdictLabel, complete: r.client.complete, notRun: r.client.notRun, summary: r.client.summary, results: r.client.results, report: 'client/conformance.json' };
  return {
    ...r.provider,
    kind: source,
    exchanges,
    client,
    provider: { verdict: r.provider.verdict, verdictLabel: r.provider.verdictLabel, summary: r.provider.summary, report: 'provider/conformance.json' },
  };
}

export async function writeSessionReports(dir: string, judge: TrafficJudge, s: Session): Promise<SessionReports> {
  const r = sessionReports(judge, s);
  const spec = judge.options.spec;
  const files = [...(await writeReports(r.client, spec, join(dir, 'client'))).files, ...(await writeReports(r.provider, spec, join(dir, 'provider'))).files];
  const both = sessionReport(r, s.source, judge.records.length);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'conformance.json'), `${JSON.stringify(both, null, 2)}\n`, 'utf8');
    await writeFile(join(dir, 'summary.md'), markdown(r), 'utf8');
  } catch (err) {
    throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot write in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  files.push(join(dir, 'conformance.json'), join(dir, 'summary.md'));
  return { ...r, files };
}
