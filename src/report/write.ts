/**
 * Writes a run's reports into `--report-dir` (default `reports/`):
 * `conformance.json` (the Report, pretty JSON), `certificate.json` (digest of
 * the exact conformance.json text written), `junit.xml`, `index.html`,
 * `summary.md` and `summary.txt` (the same summary for logs that do not
 * render Markdown). conformance.json is written first, so the machine-readable
 * report survives even if a later file cannot be written.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConformanceError } from '../errors.ts';
import { loadSpec, type Spec } from '../contract/load.ts';
import { makeCertificate } from './certificate.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderSummaryMarkdown } from './markdown.ts';
import { renderSummaryText } from './text.ts';
import type { Report } from './types.ts';

export const REPORT_FILES = {
  json: 'conformance.json',
  certificate: 'certificate.json',
  junit: 'junit.xml',
  html: 'index.html',
  summary: 'summary.md',
  summaryText: 'summary.txt',
} as const;

/** The exact text written to conformance.json (the certificate digests it). */
export function serializeReport(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.path ? ` (${e.path})` : ''}` : e instanceof Error ? e.message : String(err);
}

/** Filesystems that are not places for reports (and on which a recursive mkdir can spin). */
const SPECIAL = ['/proc', '/sys', '/dev'];

/**
 * Checks, before any request, that `dir` is (or can be made) a plain,
 * writable directory: each missing level is created one at a time, and a
 * probe file is written and removed. CONF_ERR_REPORT_DIR otherwise.
 */
export async function checkReportDir(dir: string): Promise<void> {
  const abs = resolve(dir);
  const fail = (why: string): never => {
    throw new ConformanceError('CONF_ERR_REPORT_DIR', `${dir}: ${why}`);
  };
  if (SPECIAL.some((p) => abs === p || abs.startsWith(`${p}/`))) fail(`${abs.split('/').slice(0, 2).join('/')} is a special filesystem, not a place for reports`);
  // the nearest level that exists must be a directory
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    const st = await stat(cur).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : fail(e.code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : `cannot inspect ${cur} (${e.code})`)));
    if (st) {
      if (!st.isDirectory()) fail(`${cur} exists and is not a directory`);
      break;
    }
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) fail('no existing parent directory');
    cur = up;
  }
  for (const m of missing) {
    await mkdir(m).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : fail(`cannot create ${m} (${e.code})`)));
  }
  const probe = join(abs, `.conformance-write-probe-${process.pid}`);
  await writeFile(probe, '').catch((e: NodeJS.ErrnoException) => fail(`cannot write there (${e.code})`));
  await rm(probe, { force: true });
}

/** The report directory raw options name, when it can be told without the other options (for a run that could not be made). */
export function tryReportDir(raw: Record<string, unknown>): string | undefined {
  const v = raw.reportDir;
  if (v === undefined) return 'reports';
  return typeof v === 'string' && v.trim() !== '' && !v.includes('\0') ? v : undefined;
}

/**
 * Writes every report of a run, replacing the previous run's as a whole: all
 * files are rendered first, written into a fresh directory beside them, then
 * moved in; a report file of the old set that the new one lacks is removed.
 * `spec` draws the HTML page (default: the bundled contract).
 */
export async function writeReports(report: Report, spec: Spec | undefined, dir: string): Promise<{ files: string[] }> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot create ${dir}: ${why(err)}`, { cause: err });
  }
  const rendered: [string, string][] = [];
  const render = (name: string, fn: () => string): string => {
    let text: string;
    try {
      text = fn();
    } catch (err) {
      throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot render ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    rendered.push([name, text]);
    return text;
  };
  const json = render(REPORT_FILES.json, () => serializeReport(report));
  render(REPORT_FILES.certificate, () => `${JSON.stringify(makeCertificate(report, json), null, 2)}\n`);
  render(REPORT_FILES.junit, () => renderJunit(report));
  render(REPORT_FILES.summary, () => renderSummaryMarkdown(report));
  render(REPORT_FILES.summaryText, () => renderSummaryText(report));
  let page: Spec | undefined = spec;
  if (!page) {
    try {
      page = loadSpec();
    } catch {
      page = undefined;
    }
  }
  if (page) render(REPORT_FILES.html, () => renderHtml(report, page));
  const staging = await mkdtemp(join(dir, '.conformance-new-')).catch((err: unknown) => {
    throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot write in ${dir}: ${why(err)}`, { cause: err });
  });
  const files: string[] = [];
  try {
    for (const [name, text] of rendered) {
      try {
        await writeFile(join(staging, name), text, 'utf8');
      } catch (err) {
        throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot write ${join(dir, name)}: ${why(err)}`, { cause: err });
      }
    }
    const written = new Set(rendered.map(([n]) => n));
    for (const name of Object.values(REPORT_FILES)) if (!written.has(name)) await rm(join(dir, name), { force: true });
    for (const [name] of rendered) {
      await rename(join(staging, name), join(dir, name));
      files.push(join(dir, name));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { files };
}
