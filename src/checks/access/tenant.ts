/**
 * AUTH-TENANT: another customer's token reads none of the user's data. Its
 * reads of the user's orders, histories, documents, files and export task
 * are refused (403 or 404: the documentation allows either) and carry none
 * of the data (a file's bytes are recognised by their digest); its own order
 * list shows none of the user's orders. The driver
 * (src/engine/phases/access.ts, export.ts) sends the probes and hands over
 * what part it has: each part given is judged.
 */
import type { Exchange } from '../../harness/http.ts';
import { both, statusJudgement } from '../response.ts';
import { defineCheck, type Finding, type Judgement } from '../define.ts';

export interface TenantRead {
  /** another customer's request for the user's resource */
  exchange: Exchange;
  /** what was read, for the message ("order ORD-1 read by another customer") */
  what: string;
  /** known document bytes (sha256 → where), when a file was asked for: a refusal that carries them leaks */
  known?: ReadonlyMap<string, string> | Record<string, string>;
}

export interface TenantInput {
  reads?: TenantRead[];
  /** the other customer's own order list, walked */
  list?: {
    /** the user's order references (the list the run read) */
    ours: readonly string[] | ReadonlySet<string>;
    /** every item of the other customer's list, with the page that carried it */
    items: { ref: unknown; exchange: Exchange }[];
    /** the walk reached the list's end (a broken walk proves nothing) */
    complete: boolean;
  };
  /** the other customer's request for the status of the user's export task */
  exportTask?: { exchange: Exchange; taskId: string };
}

/** the leaks of the other customer's list reported one by one; the rest are counted in the one result */
const LIST_LEAKS_SHOWN = 3;

function knownAs(known: TenantRead['known'], digest: string): string | undefined {
  if (!known || digest === '') return undefined;
  return known instanceof Map ? known.get(digest) : (known as Record<string, string>)[digest];
}

/** 403 or 404 and none of the data: the body must not be the resource. */
function refused({ exchange: ex, what, known }: TenantRead): Judgement {
  if (ex.status === 403 || ex.status === 404) {
    const where = knownAs(known, ex.bytes > 0 ? ex.digest() : '');
    if (where !== undefined) return { passed: 0, findings: [{ message: `${what}: expected no data / received the bytes of ${where}`, exchange: ex }] };
    return { passed: 1, findings: [] };
  }
  const received = ex.status === undefined ? `no answer (${ex.error?.message})` : String(ex.status);
  return { passed: 0, findings: [{ message: `${what}: expected 403 or 404 / received ${received}`, exchange: ex, expected: '403 or 404', received }] };
}

function listShowsNone(list: NonNullable<TenantInput['list']>): Judgement {
  const ours = list.ours instanceof Set ? list.ours : new Set(list.ours as readonly string[]);
  const findings: Finding[] = [];
  for (const { ref, exchange } of list.items) {
    if (typeof ref !== 'string' || !ours.has(ref)) continue;
    findings.push({ message: `the other customer's order list shows our order ${ref}: expected none of our orders / received it`, exchange, value: ref });
    if (findings.length === LIST_LEAKS_SHOWN) break;
  }
  return { passed: list.complete ? 1 : 0, findings };
}

export const tenantIsolation = defineCheck<TenantInput>(import.meta.url, 'tenant_isolation', (input) => {
  const parts: Judgement[] = (input.reads ?? []).map(refused);
  if (input.list) parts.push(listShowsNone(input.list));
  if (input.exportTask) parts.push(statusJudgement(input.exportTask.exchange, [403, 404], `export task ${input.exportTask.taskId} read by another customer`));
  return both(...parts);
});
