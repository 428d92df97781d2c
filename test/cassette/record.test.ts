/**
 * The cassette's record of an exchange, on data (no server): credentials
 * redacted everywhere (URL, request and response headers and bodies, in any
 * spelling, binary bodies included), bodies kept up to the cap and beyond
 * it their size and sha256, and a record read back as the exchange it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CassetteWriter, parseCassette } from '../../src/cassette/file.ts';
import { CASSETTE_VERSION, type CassetteHeader, fromRecord, recordLine, toRecord } from '../../src/cassette/record.ts';
import { exchangeOf, type Exchange, type Harness } from '../../src/harness/http.ts';
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
      method: 'post',
      url: `http://x/api/v1/order/?t=${encodeURIComponent(TOKEN)}`,
      requestHeaders: { Authorization: `Bearer ${TOKEN}`, cookie: 'session=abc123' },
      requestBody: `{"token":"${TOKEN}"}`,
      status: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': 'sid=s3cr3t-value', 'x-echo': TOKEN },
      body: Buffer.from(body),
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

  it("keeps a binary body as base64, with the credential's bytes masked", () => {
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

describe("the Redactor finds a fragment of a credential's base64 however it sits, also on its fast path", () => {
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

describe("the Redactor's quick pass never lets a secret through", () => {
  it('on texts made of spellings of the credentials and other text, it redacts exactly as the full search does', () => {
    const fast = redactor();
    const full = redactor();
    // the full search on every text: the quick pass switched off
    Object.defineProperty(full, 'suspicious', { value: () => true });
    const b = Buffer.from(TOKEN);
    const pieces = [
      TOKEN,
      TOKEN.toUpperCase(),
      TOKEN.slice(0, 10),
      b.toString('hex'),
      b.toString('hex').toUpperCase(),
      b.toString('base64'),
      b.toString('base64url'),
      Buffer.from(`x${TOKEN}`).toString('base64'),
      Buffer.from(`xy${TOKEN}`).toString('base64').slice(3, 30),
      encodeURIComponent(TOKEN),
      '%74ok_Zq8xW2vR7nLp4KjT9sYb3mHc',
      'tok_other_0123456789abcdef',
      '{"a":"',
      '"}',
      ' ',
      '%PDF-1.4',
      'CMD_X_00000001',
      'ordinary words',
      'Zq8xW2vR7nLp',
      '\u00e9t\u00e9',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 8 }), (ps, noise) => {
        const text = ps.map((p, i) => p + (noise[i] ?? '')).join('');
        expect(fast.text(text)).toBe(full.text(text));
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});

describe("the recorder's fast path: bodies told clean on their bytes, lines written without decoding", () => {
  const PASS = 'correct horse battery staple';
  // a space in every 4 characters in a row: every word the fast path compares holds one
  const SPACED = 'k1 q2 z3 w4 v5';
  const spelt = (r: Redactor): Redactor => {
    r.add(PASS, 'CONFORMANCE_KEY_PASSPHRASE');
    r.add(SPACED, 'CONFORMANCE_OAUTH_CLIENT_SECRET');
    return r;
  };
  const b = Buffer.from(TOKEN);
  /** a credential planted in every spelling a response can carry it in */
  const planted: [string, string][] = [
    ['plain', TOKEN],
    ['upper case', TOKEN.toUpperCase()],
    ['base64', b.toString('base64')],
    ['base64 of "Bearer <token>"', Buffer.from(`Bearer ${TOKEN}`).toString('base64')],
    ['base64url, shifted', Buffer.from(`xy${TOKEN}`).toString('base64url')],
    ['URL-encoded', encodeURIComponent(`a=${TOKEN}&b=/`)],
    ['every byte %XX', [...b].map((x) => `%${x.toString(16).toUpperCase()}`).join('')],
    ['JSON \\u escapes', [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['hex', b.toString('hex')],
    ['form-encoded passphrase (spaces as +)', new URLSearchParams({ p: PASS }).toString().slice(2)],
    ['form-encoded client secret (spaces as +)', new URLSearchParams({ p: SPACED }).toString().slice(2)],
  ];

  it('a credential planted in a response body or a header never reaches the cassette, in any spelling, though clean bodies take the fast path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cassette-fast-'));
    try {
      const r = spelt(redactor());
      let fastClean = 0;
      const mayHold = r.mayHoldBytes.bind(r);
      r.mayHoldBytes = (bytes) => {
        const may = mayHold(bytes);
        if (!may) fastClean++;
        return may;
      };
      let listener: ((ex: Exchange) => void) | undefined;
      const harness = { redactor: r, onExchange: (fn: (ex: Exchange) => void) => void (listener = fn) } as unknown as Harness;
      const file = join(dir, 'c.jsonl');
      const w = CassetteWriter.open(file, { cassette: CASSETTE_VERSION, tool: { name: 't', version: '0' }, contract: 'x', target: 'x', startedAt: 'x' });
      w.attach(harness, 1 << 20);
      const innocent = JSON.stringify({ results: [{ id: 'e7aadcc3-4542-4a17-8bbb-f7cd1b8fdf6a', reason: 'Annulation à la demande du client', note: 'a quoted word' }] });
      for (const [what, s] of planted) {
        listener!(exchangeOf({ method: 'GET', url: 'http://x/o', status: 200, headers: { 'content-type': 'application/json', 'x-echo': s }, body: Buffer.from(`{"echo":"${s}","what":"${what}"}`) }));
        listener!(exchangeOf({ method: 'GET', url: 'http://x/d', status: 200, headers: { 'content-type': 'application/pdf' }, body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s)]) }));
        listener!(exchangeOf({ method: 'GET', url: 'http://x/l', status: 200, body: Buffer.from(innocent) }));
      }
      w.close();
      const text = readFileSync(file, 'utf8');
      expect(fastClean).toBe(planted.length);
      const records = parseCassette(text).records;
      expect(records.filter((x) => x.response?.body === innocent).length).toBe(planted.length);
      for (const [what, s] of planted) {
        expect(text.includes(s), what).toBe(false);
        // no 12 characters in a row of the spelling survive (the JSON of the line escapes \u as \\u)
        for (let i = 0; i + 12 <= s.length; i += 4) expect(text.includes(JSON.stringify(s.slice(i, i + 12)).slice(1, -1)), `${what}: ${s.slice(i, i + 12)}`).toBe(false);
      }
      for (const x of records.filter((x) => x.request.url === 'http://x/o')) {
        expect(x.response?.headers?.['x-echo']).toMatch(/\$CONFORMANCE_(TOKEN|KEY_PASSPHRASE|OAUTH_CLIENT_SECRET)/);
        expect(x.response?.body).toMatch(/\$CONFORMANCE_(TOKEN|KEY_PASSPHRASE|OAUTH_CLIENT_SECRET)/);
      }
      // the binary bodies, decoded from their base64, hold no 8 bytes in a row of either secret
      for (const x of records.filter((x) => x.request.url === 'http://x/d')) {
        const bytes = Buffer.from(x.response!.bodyBase64!.replace(/\$CONFORMANCE_\w+/g, ''), 'base64').toString('latin1');
        for (const secret of [TOKEN, PASS, SPACED]) for (let i = 0; i + 8 <= secret.length; i++) expect(bytes.includes(secret.slice(i, i + 8))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mayHoldBytes is never false where the full search would change the text', () => {
    const fast = spelt(redactor());
    const full = spelt(redactor());
    Object.defineProperty(full, 'suspicious', { value: () => true });
    const pieces = [
      ...planted.map(([, s]) => s),
      PASS,
      PASS.replace(/ /g, '+'),
      'correct+horse battery+staple',
      SPACED,
      'k1+q2 z3+w4+v5',
      TOKEN.slice(0, 10),
      Buffer.from(`x${TOKEN}`).toString('base64').slice(5, 25),
      '{"a":"',
      '"}',
      ' ',
      '+',
      '%',
      '%PDF-1.4',
      '\\',
      'CMD_X_00000001',
      'Résiliation',
      '\u00e9t\u00e9',
      '\u2028',
      'e7aadcc3-4542-4a17',
      '\n\t',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 8 }), (ps, noise) => {
        const text = ps.map((p, i) => p + (noise[i] ?? '')).join('');
        if (!fast.mayHoldBytes(Buffer.from(text, 'utf8'))) expect(full.text(text)).toBe(text);
      }),
      { numRuns: 600, seed: 29 },
    );
  });

  it("a record's line is the UTF-8 of JSON.stringify(toRecord(…)), byte for byte, whatever the body (clean or not, text or binary, cut or whole) and the other fields; the writer's lines too", () => {
    const r = spelt(redactor());
    const written = new Map<number, Exchange[]>();
    const parts = [
      ...planted.map(([, s]) => Buffer.from(s)),
      Buffer.from('{"q":"a \\"b\\" c\\\\d"}'),
      Buffer.from('Annulation à la demande — ✓ 𝄞'),
      Buffer.from([0, 1, 0x1f, 0x7f, 0x0a, 0x0d, 0x09]),
      Buffer.from('\u2028\u2029'),
      Buffer.from([0xc3]),
      Buffer.from([0xff, 0xd8]),
      Buffer.from('"\\u0000cassette:body\\u0000"'),
      Buffer.from('plain text '),
    ];
    const strings = fc.constantFrom('ok', 'é', '𝄞', '"q"', '\u0000', TOKEN, `Bearer ${TOKEN}`, 'sid=abc', '');
    const exchange = fc.record({
      body: fc.array(fc.constantFrom(...parts), { maxLength: 6 }).map((ps) => Buffer.concat(ps)),
      cap: fc.constantFrom(8, 64, 1 << 20),
      partial: fc.boolean(),
      headers: fc.dictionary(fc.constantFrom('content-type', 'x-echo', 'set-cookie', 'Authorization', '123', '__proto__', 'x-é'), strings),
      requestHeaders: fc.dictionary(fc.constantFrom('accept', 'Authorization', 'cookie', 'x-api-key'), strings),
      requestBody: fc.option(strings, { nil: undefined }),
      status: fc.option(fc.constantFrom(200, 404), { nil: undefined }),
      error: fc.option(fc.record({ code: fc.constantFrom('timeout' as const, 'reset' as const), message: strings }), { nil: undefined }),
      operationId: fc.option(fc.constantFrom('getOrder', ''), { nil: undefined }),
      purpose: fc.option(fc.constantFrom('sample', 'probe:no-credentials'), { nil: undefined }),
      principal: fc.option(fc.constantFrom('main', 'none', 'otherUser'), { nil: undefined }),
      truncated: fc.boolean(),
      streamed: fc.boolean(),
      durationMs: fc.double({ min: 0, max: 1e5, noNaN: true }),
    });
    fc.assert(
      fc.property(exchange, (x) => {
        const ex = exchangeOf({
          method: 'GET',
          url: `http://x/o?e=${encodeURIComponent(x.headers['x-echo'] ?? '')}`,
          requestHeaders: x.requestHeaders,
          requestBody: x.requestBody,
          status: x.status,
          headers: x.headers,
          body: x.body,
          bytes: x.partial ? x.body.length + 10 : x.body.length,
          truncated: x.truncated,
          error: x.error,
          durationMs: x.durationMs,
          operationId: x.operationId,
        });
        ex.sentAt = 1_764_590_000_000;
        if (x.purpose) ex.purpose = x.purpose;
        if (x.principal) ex.principal = x.principal;
        if (x.streamed) ex.streamed = true;
        expect(Buffer.from(recordLine(ex, 3, r, x.cap), 'latin1').toString('utf8')).toBe(JSON.stringify(toRecord(ex, 3, r, x.cap)));
        expect(Buffer.from(recordLine(ex, 3, r, x.cap), 'latin1').equals(Buffer.from(JSON.stringify(toRecord(ex, 3, r, x.cap)), 'utf8'))).toBe(true);
        (written.get(x.cap) ?? written.set(x.cap, []).get(x.cap)!).push(ex);
      }),
      { numRuns: 500, seed: 31 },
    );
    // the writer's lines are those same bytes, in order, numbered from 1
    const dir = mkdtempSync(join(tmpdir(), 'cassette-lines-'));
    try {
      for (const [cap, exchanges] of written) {
        let listener: ((ex: Exchange) => void) | undefined;
        const file = join(dir, `c-${cap}.jsonl`);
        const w = CassetteWriter.open(file, { cassette: CASSETTE_VERSION, tool: { name: 't', version: '0' }, contract: 'x', target: 'x', startedAt: 'x' });
        w.attach({ redactor: r, onExchange: (fn: (ex: Exchange) => void) => void (listener = fn) } as unknown as Harness, cap);
        for (const ex of exchanges) listener!(ex);
        w.close();
        const lines = readFileSync(file).toString('utf8').split('\n').slice(1, -1);
        expect(lines.length).toBe(exchanges.length);
        for (const [i, ex] of exchanges.entries()) expect(lines[i]).toBe(JSON.stringify(toRecord(ex, i + 1, r, cap)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a body larger than its batch, and bodies that fill the batch, whole and in order', () => {
    const r = redactor();
    const dir = mkdtempSync(join(tmpdir(), 'cassette-big-'));
    try {
      let listener: ((ex: Exchange) => void) | undefined;
      const file = join(dir, 'c.jsonl');
      const w = CassetteWriter.open(file, { cassette: CASSETTE_VERSION, tool: { name: 't', version: '0' }, contract: 'x', target: 'x', startedAt: 'x' });
      w.attach({ redactor: r, onExchange: (fn: (ex: Exchange) => void) => void (listener = fn) } as unknown as Harness, 1 << 20);
      // all quotes: 300 KB escape to 600 KB, past the 512 KiB batch; the others fill it unevenly
      const bodies = [Buffer.alloc(300_000, 0x22), ...Array.from({ length: 40 }, (_, i) => Buffer.from(`{"n":${i},"pad":"${'x"\\'.repeat(1000 + i * 977)}"}`.replaceAll('"\\', '\\"'))), Buffer.alloc(900_000, 0x0a)];
      const exchanges = bodies.map((body, i) => exchangeOf({ method: 'GET', url: `http://x/${i}`, status: 200, headers: {}, body }));
      for (const ex of exchanges) listener!(ex);
      w.close();
      const records = parseCassette(readFileSync(file, 'utf8')).records;
      expect(records.map((x) => x.response?.body)).toEqual(bodies.map((b) => b.toString('utf8')));
      expect(records.map((x) => x.seq)).toEqual(bodies.map((_, i) => i + 1));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes lines in batches: fewer than a batch are written on the next turn of the event loop, at a flush, and when the process exits without closing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cassette-batch-'));
    try {
      const header: CassetteHeader = { cassette: CASSETTE_VERSION, tool: { name: 't', version: '0' }, contract: 'x', target: 'x', startedAt: 'x' };
      const linesOf = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(1, -1);
      let listener: ((ex: Exchange) => void) | undefined;
      const file = join(dir, 'c.jsonl');
      const w = CassetteWriter.open(file, header);
      w.attach({ redactor: redactor(), onExchange: (fn: (ex: Exchange) => void) => void (listener = fn) } as unknown as Harness, 1 << 20);
      for (let i = 0; i < 5; i++) listener!(exchangeOf({ method: 'GET', url: `http://x/${i}`, status: 200, headers: {}, body: Buffer.from(`{"n":${i}}`) }));
      expect(w.records).toBe(5);
      const waiting = (): number => (w as unknown as { pending: unknown[] }).pending.length;
      expect(waiting()).toBe(5);
      // made into lines on the next turn of the event loop (the answers are not held longer than that)
      await new Promise((res) => setImmediate(res));
      expect(waiting()).toBe(0);
      w.flush();
      expect(linesOf(file).map((l) => JSON.parse(l).request.url)).toEqual([0, 1, 2, 3, 4].map((i) => `http://x/${i}`));
      // 3 more, then a flush at once: written in their order after the first 5
      for (let i = 5; i < 8; i++) listener!(exchangeOf({ method: 'GET', url: `http://x/${i}`, status: 200, headers: {}, body: Buffer.from(`{"n":${i}}`) }));
      w.flush();
      expect(linesOf(file).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      w.close();
      // a process that records 5 exchanges and exits at once (process.exit, no close): its cassette holds all 5
      const child = join(dir, 'child.ts');
      const src = (m: string): string => JSON.stringify(join(process.cwd(), m));
      writeFileSync(
        child,
        [
          `import { CassetteWriter } from ${src('src/cassette/file.ts')};`,
          `import { exchangeOf } from ${src('src/harness/http.ts')};`,
          `import { Redactor } from ${src('src/harness/redact.ts')};`,
          `const w = CassetteWriter.open(process.argv[2], ${JSON.stringify(header)});`,
          'let listener;',
          'w.attach({ redactor: new Redactor(), onExchange: (fn) => void (listener = fn) }, 1 << 20);',
          "for (let i = 0; i < 5; i++) listener(exchangeOf({ method: 'GET', url: 'http://x/'.concat(String(i)), status: 200, headers: {}, body: Buffer.from('{}') }));",
          'process.exit(0);',
        ].join('\n'),
      );
      const exited = join(dir, 'exited.jsonl');
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, exited], { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(linesOf(exited).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces a cassette of an earlier run as a new file (the old one left whole to whoever reads it), and writes into what is not a regular file as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cassette-again-'));
    try {
      const file = join(dir, 'c.jsonl');
      const header: CassetteHeader = { cassette: CASSETTE_VERSION, tool: { name: 't', version: '0' }, contract: 'x', target: 'first', startedAt: 'x' };
      CassetteWriter.open(file, header).close();
      const reader = openSync(file, 'r');
      try {
        CassetteWriter.open(file, { ...header, target: 'second' }).close();
        const old = Buffer.alloc(4096);
        expect(old.subarray(0, readSync(reader, old)).toString('utf8')).toContain('"target":"first"');
      } finally {
        closeSync(reader);
      }
      expect(readFileSync(file, 'utf8')).toContain('"target":"second"');
      const w = CassetteWriter.open('/dev/null', header);
      w.close();
      expect(existsSync('/dev/null')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
