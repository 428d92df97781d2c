/**
 * The command line that runs a report's run again (issue 18: "Run details"
 * has it), written from `report.options`. Credentials appear as the
 * variables the kit reads (`"$CONFORMANCE_TOKEN"`), never as values; options
 * at their "off" value are left out. The flags are those of the options
 * table (src/engine/options.ts; test/report/command.test.ts holds the two
 * together): a key's flag is its name in kebab case, but for the few below.
 */
import type { Report } from './types.ts';

const FLAG_OF: Record<string, string> = { areas: '--area', disposableOrders: '--disposable-order', specPath: '--spec', headers: '--header', secretHeaders: '--secret-header' };
/** repeatable options: one flag per value */
const REPEATED = new Set(['disposableOrders', 'secretHeaders']);
const SECRET_VARIABLE: Record<string, string> = { token: 'CONFORMANCE_TOKEN', tokenOtherUser: 'CONFORMANCE_TOKEN_OTHER_USER', tokenOtherTenant: 'CONFORMANCE_TOKEN_OTHER_TENANT' };
/** keys that are no option of `run`, or whose value the report cannot give back (a file's content) */
const NOT_FLAGS: Record<string, string> = { productOrderBody: 'a product order body', terminateBody: 'a termination body' };

export function flagOf(key: string): string {
  return FLAG_OF[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A word for a POSIX shell: bare when it is plainly safe, single-quoted otherwise. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `npx conformance run …` for the run of `report`, and what it could not say (a product order or termination body given as a file). */
export function reproduceCommand(report: Pick<Report, 'options' | 'target'>): { command: string; notes: string[] } {
  const words = ['npx', 'conformance', 'run'];
  const notes: string[] = [];
  for (const [key, value] of Object.entries(report.options ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'baseUrl' && report.target.embedded) continue;
    if (Object.hasOwn(NOT_FLAGS, key)) {
      notes.push(`${flagOf(key)} FILE: the run was given ${NOT_FLAGS[key]}; pass the same file`);
      continue;
    }
    // extra headers are kept in the report by name only (their values may be secrets)
    if (key === 'headers' && Array.isArray(value)) {
      if (value.length > 0) notes.push(`--header 'NAME: VALUE' for each of ${value.join(', ')}: the values are not kept in the report`);
      continue;
    }
    if (/^tokenCommand/.test(key) && value === '(set)') {
      notes.push(`${flagOf(key)} CMD: the run took a credential from a command, which is not kept in the report`);
      continue;
    }
    const flag = flagOf(key);
    if (key in SECRET_VARIABLE) {
      if (value !== '(none)') words.push(flag, `"$${SECRET_VARIABLE[key]}"`);
      continue;
    }
    // a key that names a credential is never given back; --secret-header takes header names, not secrets
    if (/token|secret|password|authorization/i.test(key) && key !== 'secretHeaders') continue;
    if (value === true) words.push(flag);
    else if (Array.isArray(value)) {
      if (REPEATED.has(key)) for (const v of value) words.push(flag, shellWord(String(v)));
      else if (value.length > 0) words.push(flag, shellWord(value.join(',')));
    } else if (typeof value === 'string' || typeof value === 'number') words.push(flag, value === '' ? "''" : shellWord(String(value)));
  }
  return { command: words.join(' '), notes };
}
