/**
 * DOC-TRAVERSAL: a traversal-shaped file name (`..%2F..%2Fetc%2Fpasswd`, a
 * NUL byte, an overlong `/`, `.` and `..` themselves…) sent raw in
 * GET /api/v1/order/{ref}/{filename}/download/ is refused, and never answered
 * with another file's bytes.
 *
 * What a refusal is. The documentation does not speak of such names; it names
 * the error answers of its endpoints (401, 403 "permission denied", 404 "task
 * or file not found"), and ANALYSIS.md's open points add 400 for a name that
 * is no file name. A provider may also answer before its own route is
 * reached: a framework or a firewall in front refuses an encoded `/` or NUL
 * with its own 4xx (400, 403), and a name that normalises onto another route
 * (`.` puts the path on the POST-only action route) draws that route's 405.
 * None of these hands out a file, which is the rule, so every 4xx is a
 * refusal; whether the status is one the contract declares is
 * `response_status_declared`'s to judge. A 2xx, a redirect (the kit does not
 * follow it, so cannot tell where it leads), a 5xx or no answer is not a
 * refusal, and neither is any answer carrying the bytes of a file of another
 * order or name, whatever its status.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Judgement } from '../define.ts';

/** sha256 of a downloaded file's bytes → `REF/NAME`: the files the run has seen (a Map, or an object in a case) */
export type KnownFiles = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface TraversalProbe {
  /** the order and the listed file the names are aimed from */
  doc: { ref: string; name: string };
  /** the name as sent (already encoded: it is the path segment on the wire) */
  name: string;
  answer: Exchange;
  known: KnownFiles;
}

/** No order with a document to aim the names from: nothing is judged. */
export type TraversalInput = TraversalProbe | { doc: undefined | null };

export const REFUSAL = 'a 4xx refusal';

function lookup(known: KnownFiles, digest: string): string | undefined {
  return known instanceof Map ? known.get(digest) : Object.hasOwn(known, digest) ? (known as Record<string, string>)[digest] : undefined;
}

export const documentTraversal = defineCheck<TraversalInput>(import.meta.url, 'document_traversal', (input): Judgement => {
  if (!input.doc) return { passed: 0, findings: [], skip: 'no order with a document was found to aim traversal at' };
  const { doc, name, answer: ex, known } = input as TraversalProbe;
  const reached = ex.bytes > 0 ? lookup(known, ex.digest()) : undefined;
  if (reached !== undefined && reached !== `${doc.ref}/${doc.name}`) {
    return { passed: 0, findings: [{ message: `file name "${name}": expected a refusal / received the bytes of ${reached}`, exchange: ex }] };
  }
  if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) return { passed: 1, findings: [] };
  const received = ex.status === undefined ? `no answer (${ex.error?.message})` : String(ex.status);
  return { passed: 0, findings: [{ message: `file name "${name}": expected ${REFUSAL} (400, 403, 404…) / received ${received}`, exchange: ex, expected: REFUSAL, received }] };
});
