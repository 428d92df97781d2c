import { describe, expect, it } from 'vitest';
import { offsetOfPointer } from '../../src/harness/pointer-at.ts';
import { Redactor } from '../../src/harness/redact.ts';

describe('offsetOfPointer', () => {
  const text = JSON.stringify({ a: 1, results: [{ x: 'a/b', s: 'ok' }, { 'a/b': 2, s: 'bad' }] }, null, 1);
  const at = (p: string) => {
    const o = offsetOfPointer(text, p);
    return o === undefined ? undefined : text.slice(o, o + 5);
  };
  it.each([
    ['', '{\n "a'],
    ['/a', '1,\n "'],
    ['/results/1/s', '"bad"'],
    ['/results/1/a~1b', '2,\n  '],
    ['/results/1/missing', '{\n   '],
    ['/results/5', '[\n  {'],
  ])('%s starts at %j', (pointer, want) => expect(at(pointer)).toBe(want));
  it('is undefined on no text and on a pointer that is not one', () => {
    expect(offsetOfPointer('', '/a')).toBeUndefined();
    expect(offsetOfPointer(text, 'a')).toBeUndefined();
  });
});

describe('Redactor.window', () => {
  const r = new Redactor();
  r.add('s3cr3t-token-value', 'CONFORMANCE_TOKEN');
  const text = `${'x'.repeat(100)}s3cr3t-token-value${'y'.repeat(100)}s3cr3t-token-value${'z'.repeat(100)}`;
  it('replaces a secret across the left edge whole', () => {
    const w = r.window(text, 105, 50);
    expect(w.startsWith('…$CONFORMANCE_TOKEN')).toBe(true);
    expect(w).not.toMatch(/cr3t|token-value/);
  });
  it('replaces a secret across the right edge whole and marks both cuts', () => {
    const w = r.window(text, 50, 60);
    expect(w).toMatch(/^…x+\$CONFORMANCE_TOKEN…$/);
  });
  it('shows no raw character before from', () => {
    expect(r.window('abcdefghij', 4, 3)).toBe('…efg…');
  });
});
