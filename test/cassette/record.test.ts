/**
 * The cassette's record of an exchange, on data (no server): credentials
 * redacted everywhere (URL, request and response headers and bodies, in any
 * spelling, binary bodies included), bodies kept up to the cap and beyond
 * it their size and sha256, and a record read back as the exchange it was.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRecord, toRecord } from '../../src/cassette/record.ts';
import { exchangeOf } from '../../src/harness/http.ts';
import { Redactor } from '../../src/harness/redact.ts';

const TOKEN = 'tok_Zq8xW2vR7nLp4KjT9sYb3mHc';
const redactor = (): Redactor => {
  const r = new Redactor();
  r.add(TOKEN, 'CONFORMANCE_TOKEN');
  r.add('tok_other_0123456789abcdef', 'CONFORMANCE_TOKEN_OTHER_USER');
  return r;
};
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('toRecord', () => {
  it('redacts the credential in the URL, the headers and both bodies, in raw, URL-encoded and base64 spellings', () => {
    const body = JSON.stringify({ echo: TOKEN, url: encodeURIComponent(TOKEN), b64: Buffer.from(`Bearer ${TOKEN}`).toString('base64') });
    const ex = exchangeOf({
      method: 'post', url: `http://x/api/v1/order/?t=${encodeURIComponent(TOKEN)}`, requestHeaders: { Authorization: `Bearer ${TOKEN}`, cookie: 'session=abc123' },
      requestBody: `{"token":"${TOKEN}"}`, status: 200, headers: { 'content-type': 'application/json', 'set-cookie': 'sid=s3cr3t-value', 'x-echo': TOKEN }, body: Buffer.from(body),
    });
    const line = JSON.stringify(toRecord(ex, 1, redactor(), 1 << 20));
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain(encodeURIComponent(TOKEN).slice(0, 12));
    expect(line).not.toContain(Buffer.from(TOKEN).toString('base64').slice(0, 16));
    expect(line).toContain('"Authorization":"Bearer $CONFORMANCE_TOKEN"');
    // secret-named headers whose value is not a known credential are masked
    expect(line).not.toContain('s3cr3t-value');
    expect(line).not.toContain('abc123');
    expect(line).toContain('"x-echo":"$CONFORMANCE_TOKEN"');
  });

  it('keeps a binary body as base64, with the credential\'s bytes masked', () => {
    const bin = Buffer.concat([Buffer.from([0xff, 0xd8, 0x00, 0x01]), Buffer.from(`xx${TOKEN}yy`), Buffer.alloc(40, 0xfe)]);
    const rec = toRecord(exchangeOf({ method: 'GET', url: 'http://x/f.pdf', status: 200, headers: { 'content-type': 'application/pdf' }, body: bin }), 2, redactor(), 1 << 20);
    expect(rec.response?.body).toBeUndefined();
    expect(rec.response?.bodyBase64).toContain('$CONFORMANCE_TOKEN');
    expect(Buffer.from(rec.response!.bodyBase64!.replace(/\$CONFORMANCE_TOKEN/g, ''), 'base64').toString('latin1')).not.toContain(TOKEN.slice(4, 16));
    const plain = Buffer.concat([Buffer.from([0xff, 0xd8, 0x00]), Buffer.alloc(100, 7)]);
    const back = fromRecord(toRecord(exchangeOf({ method: 'GET', url: 'http://x/g', status: 200, body: plain }), 3, redactor(), 1 << 20));
    expect(back.body.equals(plain)).toBe(true);
    expect(back.digest()).toBe(sha(plain));
  });

  it('keeps a body up to the cap, and beyond it its size and sha256 (marked cut, not truncated)', () => {
    const big = Buffer.from(JSON.stringify({ results: Array.from({ length: 400 }, (_, i) => ({ ref: `CMD_${i}`, state: 'active' })) }));
    const rec = toRecord(exchangeOf({ method: 'GET', url: 'http://x/l', status: 200, headers: { 'content-type': 'application/json' }, body: big }), 4, redactor(), 2048);
    expect(rec.response?.body?.length).toBe(2048);
    expect(rec.response).toMatchObject({ bytes: big.length, cut: true, sha256: sha(big) });
    expect(rec.response?.truncated).toBeUndefined();
    const back = fromRecord(rec);
    expect(back.truncated).toBe(false);
    expect(back.bytes).toBe(big.length);
    expect(back.digest()).toBe(sha(big));
    // a body within the cap is kept whole, without size or digest (its bytes say both)
    const small = toRecord(exchangeOf({ method: 'GET', url: 'http://x/s', status: 200, body: Buffer.from('{"a":1}') }), 5, redactor(), 2048);
    expect(small.response).toEqual({ status: 200, headers: {}, body: '{"a":1}' });
  });

  it('records a transport failure, the principal and the purpose', () => {
    const ex = exchangeOf({ method: 'GET', url: 'http://x/o', error: { code: 'timeout', message: 'no complete answer within the time limit' } });
    ex.principal = 'none';
    ex.purpose = 'probe:no-credentials';
    const rec = toRecord(ex, 6, redactor(), 2048);
    expect(rec).toMatchObject({ seq: 6, principal: 'none', purpose: 'probe:no-credentials', error: { code: 'timeout' } });
    expect(rec.response).toBeUndefined();
    expect(fromRecord(rec).error?.code).toBe('timeout');
  });
});

describe('the Redactor finds a fragment of a credential\'s base64 however it sits, also on its fast path', () => {
  it('masks 16 base64 characters of the secret at each alignment, and leaves base64 without them alone', () => {
    const r = redactor();
    for (const pad of ['', 'x', 'xy']) {
      const b64 = Buffer.from(`${pad}${TOKEN}and more text after it`).toString('base64');
      const shown = r.text(`data:${b64}`);
      expect(shown).toContain('$CONFORMANCE_TOKEN');
      // every window of 16 characters that overlaps the token's base64 is gone
      const tokenEnd = Math.floor(((pad.length + TOKEN.length) * 4) / 3);
      const leaks = [];
      for (let i = 0; i + 16 <= tokenEnd; i++) if (shown.includes(b64.slice(i, i + 16)) && i + 16 > Math.ceil((pad.length * 4) / 3) + 2) leaks.push(i);
      expect(leaks).toEqual([]);
    }
    const innocent = Buffer.from('nothing to see here, only ordinary text of some length').toString('base64');
    expect(r.text(innocent)).toBe(innocent);
  });
});

describe('the Redactor\'s quick pass never lets a secret through', () => {
  it('on texts made of spellings of the credentials and other text, it redacts exactly as the full search does', () => {
    const fast = redactor();
    const full = redactor();
    // the full search on every text: the quick pass switched off
    Object.defineProperty(full, 'suspicious', { value: () => true });
    const b = Buffer.from(TOKEN);
    const pieces = [
      TOKEN, TOKEN.toUpperCase(), TOKEN.slice(0, 10), b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url'),
      Buffer.from(`x${TOKEN}`).toString('base64'), Buffer.from(`xy${TOKEN}`).toString('base64').slice(3, 30), encodeURIComponent(TOKEN), '%74ok_Zq8xW2vR7nLp4KjT9sYb3mHc',
      'tok_other_0123456789abcdef', '{"a":"', '"}', ' ', '%PDF-1.4', 'CMD_X_00000001', 'ordinary words', 'Zq8xW2vR7nLp', '\u00e9t\u00e9',
    ];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 8 }), (ps, noise) => {
      const text = ps.map((p, i) => p + (noise[i] ?? '')).join('');
      expect(fast.text(text)).toBe(full.text(text));
    }), { numRuns: 400, seed: 13 });
  });
});
