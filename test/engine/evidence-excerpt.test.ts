import { describe, expect, it } from 'vitest';
import { offsetOfPointer } from '../../src/harness/pointer-at.ts';
import { Redactor } from '../../src/harness/redact.ts';

describe('offsetOfPointer', () => {
  const text = JSON.stringify(
    {
      a: 1,
      results: [
        { x: 'a/b', s: 'ok' },
        { 'a/b': 2, s: 'bad' },
      ],
    },
    null,
    1,
  );
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

describe("Redactor: a fragment of a secret's base64", () => {
  const secret = 'tok_Zm9vYmFyYmF6cXV1eC1jb25mb3JtYW5jZQ';
  const r = new Redactor();
  r.add(secret, 'CONFORMANCE_TOKEN');
  // 24 characters from the middle of the base64 of a text holding the secret, at each alignment
  const fragments = ['x', 'xy', 'xyz'].map((p) => Buffer.from(`${p}${secret}`).toString('base64').slice(4, 28));
  it.each(fragments)('%s is masked by text, cut and window', (frag) => {
    const text = `${'a '.repeat(300)}seen ${frag} here ${'b '.repeat(300)}`;
    expect(r.text(text)).not.toContain(frag.slice(0, 16));
    expect(r.cut(text, 700)).not.toContain(frag.slice(0, 16));
    expect(r.window(text, 500, 300)).not.toContain(frag.slice(0, 16));
    expect(r.window(text, 500, 300)).toContain('$CONFORMANCE_TOKEN');
  });
  it('leaves other base64 alone', () => {
    const other = Buffer.from('nothing secret in this text at all').toString('base64');
    expect(r.text(other)).toBe(other);
  });
});
