/**
 * DOC-LIST: a sampled order's documents (GET /api/v1/order/{ref}/documents/)
 * answer 200 and match [DocumentGroup]. Its files are downloaded only when the
 * list is usable (`documentsUsable`), and judged by ./download.ts.
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Judgement } from '../define.ts';
import { schemaJudgement, statusJudgement } from '../response.ts';

export interface DocumentsJudgement extends Judgement {
  /** the list answered 200, parsed, and broke no rule graded an error: its files can be downloaded */
  usable: boolean;
}

export const documentsSchema = defineCheck<{ ref: string; documents: Exchange }>(import.meta.url, 'documents_schema', ({ ref, documents }, env): DocumentsJudgement => {
  const status = statusJudgement(documents, [200], `documents of order ${ref}`);
  if (status.passed === 0) return { ...status, usable: false };
  const schema = schemaJudgement(env, documents, 'listOrderDocuments');
  return { passed: status.passed + schema.passed, findings: schema.findings, usable: schema.usable };
});

/** Whether a documents list judged by `documentsSchema` can be walked for its files. */
export function documentsUsable(j: Judgement): boolean {
  return (j as DocumentsJudgement).usable === true;
}
