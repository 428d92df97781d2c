/**
 * The kit's own errors (after fastify's meta-test): each key of ERRORS is the
 * `.code` of the error it makes, has an exit status, and is documented in
 * docs/errors.md with that same status.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asConformanceError, ConformanceError, ERRORS, type ErrorCode } from '../src/errors.ts';

const DOC = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../docs/errors.md'), 'utf8');

/** The rows of docs/errors.md's code table: code → { exit, meaning, todo }. */
function documented(): Map<string, { exit: number; meaning: string; todo: string }> {
  const rows = new Map<string, { exit: number; meaning: string; todo: string }>();
  for (const line of DOC.split('\n')) {
    const m = /^\|\s*`([A-Z_]+)`\s*\|\s*(\d+)\s*\|([^|]*)\|([^|]*)\|\s*$/.exec(line);
    if (m?.[1] && m[2]) rows.set(m[1], { exit: Number(m[2]), meaning: (m[3] ?? '').trim(), todo: (m[4] ?? '').trim() });
  }
  return rows;
}

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('ERRORS', () => {
  it('is not empty, and every code follows the CONF_ERR_ naming', () => {
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) expect(code).toMatch(/^CONF_ERR_[A-Z_]+$/);
  });

  it.each(codes)('%s is the .code of the error it makes, with its exit status', (code) => {
    const err = new ConformanceError(code, 'detail');
    expect(err.code).toBe(code);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConformanceError');
    expect(err.exitCode).toBe(ERRORS[code].exit);
    expect(Number.isInteger(err.exitCode)).toBe(true);
    expect(err.exitCode).toBeGreaterThanOrEqual(2);
    expect(err.exitCode).toBeLessThan(126);
  });

  it.each(codes)('%s has a message template with one %%s for the detail', (code) => {
    expect(ERRORS[code].message.split('%s')).toHaveLength(2);
    expect(new ConformanceError(code, 'DETAIL').message).toContain('DETAIL');
  });

  it('keeps a detail with $ characters as given (no replacement patterns)', () => {
    for (const detail of ["--token $'abc'", 'cost $$ and $& and $` here', '$1 $<name>']) {
      expect(new ConformanceError('CONF_ERR_BAD_OPTION', detail).message).toBe(`Invalid option: ${detail}`);
    }
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new ConformanceError('CONF_ERR_INTERNAL', 'x', { cause }).cause).toBe(cause);
  });
});

describe('asConformanceError', () => {
  it('passes a ConformanceError through untouched', () => {
    const e = new ConformanceError('CONF_ERR_UNREACHABLE', 'x');
    expect(asConformanceError(e)).toBe(e);
  });

  it('turns anything else into CONF_ERR_INTERNAL, keeping the message and the cause', () => {
    const boom = new TypeError('boom');
    const e = asConformanceError(boom);
    expect(e.code).toBe('CONF_ERR_INTERNAL');
    expect(e.message).toContain('boom');
    expect(e.cause).toBe(boom);
    expect(asConformanceError('plain string').message).toContain('plain string');
  });
});

describe('docs/errors.md', () => {
  const rows = documented();

  it.each(codes)('documents %s with the same exit status, a meaning and what to do', (code) => {
    const row = rows.get(code);
    expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
    expect(row?.exit).toBe(ERRORS[code].exit);
    expect(row?.meaning.length).toBeGreaterThan(20);
    expect(row?.todo.length).toBeGreaterThan(20);
  });

  it('documents no code that does not exist', () => {
    expect([...rows.keys()].filter((c) => !(c in ERRORS))).toEqual([]);
  });

  it('explains the exit statuses 0, 1 and 2', () => {
    for (const status of ['0', '1', '2']) expect(DOC).toMatch(new RegExp(`^\\| ${status} \\|`, 'm'));
  });
});
