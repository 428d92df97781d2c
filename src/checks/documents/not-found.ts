/**
 * DOC-NOT-FOUND: a file name an order's documents list does not name answers
 * 404 (asked of an order that has documents, so the 404 is the file's).
 */
import type { Exchange } from '../../harness/http.ts';
import { defineCheck, type Judgement } from '../define.ts';
import { statusJudgement } from '../response.ts';

/** The order asked and the unlisted name, or no order with a document to ask (nothing is judged). */
export type DocumentNotFoundInput = { ref: string; name: string; answer: Exchange } | { ref?: undefined | null };

export const documentNotFound = defineCheck<DocumentNotFoundInput>(import.meta.url, 'document_not_found', (input): Judgement => {
  if (!('answer' in input)) return { passed: 0, findings: [], skip: 'no order with a document was found to ask for a missing file' };
  return statusJudgement(input.answer, [404], `file ${input.name} not listed for ${input.ref}`);
});
