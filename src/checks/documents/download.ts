/**
 * DOC-DOWNLOAD: every file a documents list names downloads (GET
 * /api/v1/order/{ref}/{filename}/download/): 200, a non-empty body, a `.pdf`
 * that starts with `%PDF-`, and not an error page. The bytes of a file that
 * passes are what the traversal and isolation probes recognise.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Judgement } from '../define.ts';

export interface DownloadInput {
  ref: string;
  /** the file name, as the documents list gave it */
  name: string;
  download: Exchange;
}

/** one finding about a listed file (a function of the module, not a closure per download: the judging runs once per file) */
function failed(ref: string, name: string, ex: Exchange, message: string, extra?: { expected: string; received: string }): Judgement {
  return { passed: 0, findings: [{ message: `listed file ${name} of order ${ref}: ${message}`, exchange: ex, ...extra }] };
}

export const documentDownload = defineCheck<DownloadInput>(import.meta.url, 'document_download', ({ ref, name, download: ex }, env): Judgement => {
  if (ex.status !== 200) return failed(ref, name, ex, `expected 200 / received ${ex.status ?? ex.error?.message}`, { expected: '200', received: String(ex.status) });
  if (ex.bytes === 0) return failed(ref, name, ex, 'expected a non-empty body / received 0 bytes');
  if (/\.pdf$/i.test(name) && ex.body.subarray(0, 5).toString('latin1') !== '%PDF-') {
    return failed(ref, name, ex, `expected a PDF (starting %PDF-) / received bytes starting ${JSON.stringify(env.redactor.cut(ex.body.subarray(0, 16 + env.redactor.reach).toString('latin1'), 16))}`);
  }
  const ct = ex.contentType();
  if (ct === 'text/html' || ct === 'application/json') return failed(ref, name, ex, `expected the file's bytes / received ${ct} (an error page?)`);
  return { passed: 1, findings: [] };
});
