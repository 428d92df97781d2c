/**
 * Reads a `conformance.json` back (for `conformance diff` and certificate
 * verification). A file that is missing, not JSON, or not shaped like a
 * `Report` is a ConformanceError CONF_ERR_BAD_REPORT with a message that says
 * which file and why; no stack trace reaches the user.
 */
import { readFile } from 'node:fs/promises';
import { ConformanceError } from '../errors.ts';
import type { Report } from './types.ts';

const STATUSES = new Set(['pass', 'fail', 'warn', 'skip']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the fields the report readers rely on; returns what is wrong, or undefined. */
export function reportProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the top level is not a JSON object';
  if (value.verdict !== 'PASS' && value.verdict !== 'FAIL' && value.verdict !== 'INCOMPLETE') return 'it has no verdict PASS, FAIL or INCOMPLETE';
  if (!isObject(value.target) || typeof value.target.baseUrl !== 'string') return 'it has no target.baseUrl';
  if (!isObject(value.summary)) return 'it has no summary';
  if (!isObject(value.spec) || typeof value.spec.sha256 !== 'string') return 'it has no spec.sha256';
  if (!Array.isArray(value.results)) return 'it has no results[]';
  const bad = resultsProblem(value.results, 'results');
  if (bad) return bad;
  // a session of client traffic: the client's side beside the provider's
  if (value.client !== undefined) {
    if (!isObject(value.client) || (value.client.verdict !== 'PASS' && value.client.verdict !== 'FAIL' && value.client.verdict !== 'INCOMPLETE')) return 'its client side has no verdict PASS, FAIL or INCOMPLETE';
    if (!Array.isArray(value.client.results)) return 'its client side has no results[]';
    return resultsProblem(value.client.results, 'client.results');
  }
  return undefined;
}

function resultsProblem(results: unknown[], where: string): string | undefined {
  for (const [i, r] of results.entries()) {
    if (!isObject(r)) return `${where}[${i}] is not an object`;
    if (typeof r.check !== 'string' || typeof r.id !== 'string') return `${where}[${i}] has no check name or requirement id`;
    if (typeof r.status !== 'string' || !STATUSES.has(r.status)) return `${where}[${i}] (${r.check}) has no status pass|fail|warn|skip`;
  }
  return undefined;
}

/** Parses report text; `label` names the source in error messages. */
export function parseReport(text: string, label = 'report'): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConformanceError('CONF_ERR_BAD_REPORT', `${label} is not valid JSON (${(err as Error).message})`);
  }
  const problem = reportProblem(value);
  if (problem) throw new ConformanceError('CONF_ERR_BAD_REPORT', `${label}: ${problem}`);
  const r = value as Report;
  // Older or partial reports: fill what the readers iterate over.
  r.problems = Array.isArray(r.problems) ? r.problems : [];
  for (const res of [...r.results, ...(r.client?.results ?? [])]) res.evidence = Array.isArray(res.evidence) ? res.evidence : [];
  if (r.client && typeof r.client.verdictLabel !== 'string') r.client.verdictLabel = r.client.verdict;
  // reports written before the verdict stated its scope
  if (!Array.isArray(r.notRun)) r.notRun = r.results.filter((x) => x.status === 'skip' && x.severity === 'error').map((x) => ({ check: x.check, id: x.id, reason: x.skipReason ?? x.message }));
  if (typeof r.complete !== 'boolean') r.complete = r.notRun.length === 0;
  if (typeof r.verdictLabel !== 'string') r.verdictLabel = r.verdict === 'PASS' && !r.complete ? 'PASS (partial)' : r.verdict;
  return r;
}

/** Reads a report file and returns both its exact text and the parsed report. */
export async function readReportFile(path: string): Promise<{ text: string; report: Report }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (code ?? (err as Error).message);
    throw new ConformanceError('CONF_ERR_BAD_REPORT', `${path}: ${why}`);
  }
  return { text, report: parseReport(text, path) };
}
