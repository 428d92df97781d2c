/**
 * Writes a run's reports into `--report-dir` (default `reports/`):
 * `conformance.json` (the Report, pretty JSON), `certificate.json` (digest of
 * the exact conformance.json text written), `junit.xml`, `index.html` and
 * `summary.md`. conformance.json is written first, so the machine-readable
 * report survives even if a later file cannot be written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConformanceError } from '../errors.ts';
import type { Spec } from '../spec/load.ts';
import { makeCertificate } from './certificate.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderSummaryMarkdown } from './markdown.ts';
import type { Report } from './types.ts';

export const REPORT_FILES = {
  json: 'conformance.json',
  certificate: 'certificate.json',
  junit: 'junit.xml',
  html: 'index.html',
  summary: 'summary.md',
} as const;

/** The exact text written to conformance.json (the certificate digests it). */
export function serializeReport(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.path ? ` (${e.path})` : ''}` : e instanceof Error ? e.message : String(err);
}

export async function writeReports(report: Report, spec: Spec, dir: string): Promise<{ files: string[] }> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot create ${dir}: ${why(err)}`, { cause: err });
  }
  const files: string[] = [];
  const put = async (name: string, render: () => string) => {
    let text: string;
    try {
      text = render();
    } catch (err) {
      throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot render ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const path = join(dir, name);
    try {
      await writeFile(path, text, 'utf8');
    } catch (err) {
      throw new ConformanceError('CONF_ERR_REPORT_WRITE', `cannot write ${path}: ${why(err)}`, { cause: err });
    }
    files.push(path);
    return text;
  };
  const json = await put(REPORT_FILES.json, () => serializeReport(report));
  await put(REPORT_FILES.certificate, () => `${JSON.stringify(makeCertificate(report, json), null, 2)}\n`);
  await put(REPORT_FILES.junit, () => renderJunit(report));
  await put(REPORT_FILES.summary, () => renderSummaryMarkdown(report));
  await put(REPORT_FILES.html, () => renderHtml(report, spec));
  return { files };
}
