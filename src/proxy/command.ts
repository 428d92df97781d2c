/**
 * The two commands of the client side, thin over src/proxy/: `conformance
 * proxy` (serve, judge as it goes, report at SIGINT/SIGTERM or --duration)
 * and `conformance judge FILE` (a proxy cassette or a HAR, judged offline).
 * Exit 0 when both verdicts are PASS, 1 when either is FAIL, 2 on an error of
 * the kit's own (CONF_ERR_*).
 */
import { readFile } from 'node:fs/promises';
import { forConsole } from '../harness/redact.ts';
import type { Report } from '../report/types.ts';
import { ConformanceError } from '../errors.ts';
import { loadSpec } from '../contract/load.ts';
import { parseCassette, readCassette, recordingFormat } from '../cassette/file.ts';
import { harToRecords, isHar } from './har.ts';
import { TrafficJudge, type LiveFinding } from './judge.ts';
import { verdictLines, writeSessionReports } from './report.ts';
import { startProxy } from './server.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface ProxyCommandOptions {
  target?: string;
  host?: string;
  port?: number;
  record?: string;
  /** seconds to serve before reporting (default: until SIGINT/SIGTERM) */
  duration?: number;
  reportDir?: string;
  deadlineMs?: number;
  headersTimeoutMs?: number;
  /** resolves to stop the proxy (tests; the command itself waits for a signal or --duration) */
  stop?: Promise<void>;
}

export function findingLine(f: LiveFinding, seq: number | undefined): string {
  return forConsole(`${f.side === 'client' ? 'CLIENT  ' : 'PROVIDER'} ${f.severity === 'error' ? 'error  ' : 'warning'} ${f.requirement} ${f.check} #${seq ?? '?'}: ${f.message}`);
}

function exitOf(r: { client: Report; provider: Report }): number {
  return r.client.verdict === 'FAIL' || r.provider.verdict === 'FAIL' ? 1 : 0;
}

function number(name: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) throw new ConformanceError('CONF_ERR_BAD_OPTION', `${name}: expected a number from ${min} to ${max} / received ${JSON.stringify(v)}`);
  return n;
}

export async function proxyCommand(raw: Record<string, unknown>, io: Io): Promise<number> {
  const o: ProxyCommandOptions = {
    ...(typeof raw.target === 'string' ? { target: raw.target } : {}),
    ...(typeof raw.host === 'string' ? { host: raw.host } : {}),
    ...(raw.port !== undefined ? { port: number('--port', raw.port, 0, 65535) } : {}),
    ...(typeof raw.record === 'string' ? { record: raw.record } : {}),
    ...(raw.duration !== undefined ? { duration: number('--duration', raw.duration, 0, 86_400 * 30) } : {}),
    reportDir: typeof raw.reportDir === 'string' ? raw.reportDir : 'reports',
    ...(raw.deadlineMs !== undefined ? { deadlineMs: number('--deadline-ms', raw.deadlineMs, 1, 3_600_000) } : {}),
    ...(raw.stop instanceof Promise ? { stop: raw.stop as Promise<void> } : {}),
  };
  const spec = loadSpec();
  const proxy = await startProxy({
    spec,
    ...(o.target ? { target: o.target } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.record ? { record: o.record } : {}),
    ...(o.deadlineMs ? { deadlineMs: o.deadlineMs } : {}),
    onFinding: (f, record) => io.out(findingLine(f, record.seq)),
  });
  io.out(forConsole(`conformance proxy: listening on ${proxy.url}, forwarding to ${proxy.target}${proxy.embedded ? ' (the bundled reference server)' : ''}${o.record ? `, recording to ${o.record}` : ''}`));
  io.out(`point your client at ${proxy.url}; ${o.duration !== undefined ? `reports in ${o.duration} s` : 'Ctrl-C writes the reports'}`);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = o.duration !== undefined ? setTimeout(done, o.duration * 1000) : undefined;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    o.stop?.then(done, done);
  });
  await proxy.close();
  const reports = await writeSessionReports(o.reportDir ?? 'reports', proxy.judge, { target: proxy.target, embedded: proxy.embedded, startedAt: proxy.startedAt, source: 'proxy' });
  for (const l of verdictLines(reports)) io.out(l);
  io.out(`reports: ${o.reportDir}/conformance.json, ${o.reportDir}/client/, ${o.reportDir}/provider/`);
  return exitOf(reports);
}

const RUN_CASSETTE = (file: string): string => `${file}: expected a client's traffic (a HAR, or a cassette of conformance proxy: "kind":"proxy") / received a run's cassette (judge it with conformance judge, which makes the run again)`;

/** Reads a recording: a HAR 1.2 file, or a cassette (JSON Lines with a header line). */
export async function readRecording(file: string, o: { heldWhole?: number } = {}): Promise<{ kind: string; records: ReturnType<typeof harToRecords>; target: string }> {
  // a long session's cassette is read as `judge` reads a run's: a line at a time past 64 MiB (a HAR is one JSON document, read whole)
  const format = recordingFormat(file);
  if (format === 'run' || format === 'proxy') {
    const { kind, header, records } = readCassette(file, o);
    if (kind !== 'proxy') throw new ConformanceError('CONF_ERR_CASSETTE', RUN_CASSETTE(file));
    return { kind, records, target: header.target };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConformanceError('CONF_ERR_CASSETTE', `${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (isHar(doc)) {
    const records = harToRecords(doc);
    const hosts = [...new Set(records.map((r) => /^[a-z]+:\/\/[^/]+/i.exec(r.request.url)?.[0] ?? ''))].filter(Boolean);
    return { kind: 'har', records, target: hosts.join(', ') };
  }
  const { kind, header, records } = parseCassette(text, file);
  if (kind !== 'proxy') throw new ConformanceError('CONF_ERR_CASSETTE', RUN_CASSETTE(file));
  return { kind, records, target: header.target };
}

export async function judgeCommand(file: string, raw: Record<string, unknown>, io: Io): Promise<number> {
  const reportDir = typeof raw.reportDir === 'string' ? raw.reportDir : 'reports';
  const { kind, records, target } = await readRecording(file);
  const judge = new TrafficJudge({ spec: loadSpec() });
  judge.onLate = (f, r) => io.out(findingLine(f, r.seq));
  for (const r of records) for (const f of judge.add(r)) io.out(findingLine(f, r.seq));
  await judge.settled();
  const startedAt = records[0]?.at ?? new Date().toISOString();
  const last = records.at(-1);
  const finishedAt = last?.at ? new Date(Date.parse(last.at) + (last.durationMs ?? 0)).toISOString() : startedAt;
  const reports = await writeSessionReports(reportDir, judge, { target, embedded: false, startedAt, finishedAt, source: kind });
  for (const l of verdictLines(reports)) io.out(l);
  io.out(`reports: ${reportDir}/conformance.json, ${reportDir}/client/, ${reportDir}/provider/`);
  return exitOf(reports);
}
