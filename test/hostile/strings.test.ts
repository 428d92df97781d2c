/**
 * The string-level defences, pinned one by one: credentials redacted in every
 * spelling and before any cut, console lines defused, path segments encoded,
 * JSON scanned before it is parsed.
 */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, duplicateKey, scanJson } from '../../src/harness/json.ts';
import { forConsole, Redactor } from '../../src/harness/redact.ts';
import { resolveLink, segment } from '../../src/harness/url.ts';

const TOKEN = 'tok_Zq8vX3mPa7Lw/Kd+9';

function redactor(): Redactor {
  const r = new Redactor();
  r.add(TOKEN, 'CONFORMANCE_TOKEN');
  return r;
}

describe('Redactor', () => {
  const b = Buffer.from(TOKEN);
  const spellings: [string, string][] = [
    ['raw', TOKEN],
    ['encodeURIComponent', encodeURIComponent(TOKEN)],
    ['every byte %XX, upper case', [...b].map((x) => `%${x.toString(16).toUpperCase().padStart(2, '0')}`).join('')],
    ['every byte %xx, lower case', [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')],
    ['JSON \\u escapes', [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['JSON-escaped "/"', TOKEN.replace('/', '\\/')],
    ['hex', b.toString('hex')],
    ['HEX', b.toString('hex').toUpperCase()],
    ['base64', b.toString('base64')],
    ['base64url', b.toString('base64url')],
    ['base64 of "Bearer <token>"', Buffer.from(`Bearer ${TOKEN}`).toString('base64')],
    ['base64url of "user:<token>"', Buffer.from(`user:${TOKEN}`).toString('base64url')],
  ];

  it.each(spellings)('masks the %s spelling inside other text', (_what, spelt) => {
    const out = redactor().text(`before ${spelt} after`);
    expect(out).toContain('$CONFORMANCE_TOKEN');
    expect(out).not.toContain(TOKEN.slice(0, 8));
    // no run of 12 characters of the spelling survives
    for (let i = 0; i + 12 <= spelt.length; i++) expect(out).not.toContain(spelt.slice(i, i + 12));
  });

  it('cuts after redacting: a token straddling the cut leaks none of its characters, wherever the cut falls', () => {
    const r = redactor();
    for (let at = 0; at < 40; at++) {
      const text = `${'.'.repeat(at)}${TOKEN}${'.'.repeat(100)}`;
      const out = r.cut(text, 30);
      expect(out.length).toBeLessThan(30 + '$CONFORMANCE_TOKEN…'.length + 1);
      for (let k = 4; k <= TOKEN.length; k++) expect(out.includes(TOKEN.slice(0, k)), `cut at 30, token at ${at}: ${out}`).toBe(false);
    }
  });

  it('cuts a window of a longer text safely, even when earlier secrets shrink it', () => {
    const r = redactor();
    const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const text = `${escaped}${escaped}${'x'.repeat(10)}${TOKEN}${'y'.repeat(50)}`;
    const window = text.slice(0, 300 + r.reach);
    const out = r.cut(window, 300);
    expect(out).not.toContain(TOKEN.slice(0, 5));
    expect(out.match(/\$CONFORMANCE_TOKEN/g)?.length).toBe(3);
  });
});

describe('forConsole', () => {
  it.each([
    ['ANSI erase and home', '\u001b[2J\u001b[Hfake', 'fake'],
    ['an OSC title', '\u001b]0;owned\u0007x', 'x'],
    ['a C1 CSI', '\u009b31mred', 'red'],
    ['CR and LF, shown', 'a\rb\nc', 'a\\rb\\nc'],
    ['a NUL and a BEL', 'a\u0000b\u0007', 'a\\x00b\\x07'],
    ['GitHub commands', '::error::x ::add-mask::y', ': :error: :x : :add-mask: :y'],
    ['Azure commands', '##vso[task.setvariable variable=X]1 ##[error]e', '# #vso[task.setvariable variable=X]1 # #[error]e'],
    ['an IPv6 loopback, left alone', 'http://[::1]:8080', 'http://[::1]:8080'],
  ])('%s', (_what, input, output) => {
    expect(forConsole(input)).toBe(output);
  });
});

describe('path segments and links', () => {
  it('encodes dot segments and lone surrogates, never throws', () => {
    expect(segment('.')).toBe('%2E');
    expect(segment('..')).toBe('%2E%2E');
    expect(segment('...')).toBe('...');
    expect(segment('a/../b')).toBe('a%2F..%2Fb');
    expect(segment('CMD\uD800')).toBe('CMD%EF%BF%BD');
    expect(segment('\uDC00x')).toBe('%EF%BF%BDx');
    expect(segment('😀')).toBe('%F0%9F%98%80');
  });

  it('resolves a link against its page and refuses what is not http(s) on the origin', () => {
    const page = 'http://127.0.0.1:8080/api/v1/order/?page=1';
    const origin = 'http://127.0.0.1:8080';
    const ok = (link: string): string => {
      const r = resolveLink(link, page, origin);
      if ('error' in r) throw new Error(r.error);
      return r.url.href;
    };
    expect(ok('?page=2')).toBe('http://127.0.0.1:8080/api/v1/order/?page=2');
    expect(ok('/api/v1/order/?page=2')).toBe('http://127.0.0.1:8080/api/v1/order/?page=2');
    expect(ok('HTTP://127.0.0.1:8080/api/v1/order/?page=2')).toBe('http://127.0.0.1:8080/api/v1/order/?page=2');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'data:,x', '//evil.example/x', 'http://127.0.0.1:8081/x', 'https://127.0.0.1:8080/x', 'http://u:p@127.0.0.1:8080/x', 'http://[::1', 'http://\uD800/']) {
      expect('error' in resolveLink(bad, page, origin), bad).toBe(true);
    }
  });
});

describe('scanJson', () => {
  it('bounds depth before parsing, however deep', () => {
    expect(scanJson(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`).problem).toBeUndefined();
    expect(scanJson(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`).problem).toMatch(/nests deeper than 64 levels/);
    expect(scanJson(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`).problem).toMatch(/nests deeper/);
    // brackets inside strings are not nesting
    expect(scanJson(JSON.stringify({ s: '['.repeat(1000), t: 'a\\"[[[' })).problem).toBeUndefined();
  });

  it('finds a key given twice in one object, and only then', () => {
    const same = '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}';
    expect(duplicateKey(same, scanJson(same).keys, JSON.parse(same))).toBeUndefined();
    const twice = '{"results":[{"state":"bogus","ref":"x","state":"active"}]}';
    expect(duplicateKey(twice, scanJson(twice).keys, JSON.parse(twice))).toMatch(/the key "state" appears twice in one object/);
    const escaped = '{"st\\u0061te":1,"state":2}';
    expect(duplicateKey(escaped, scanJson(escaped).keys, JSON.parse(escaped))).toMatch(/"state" appears twice/);
    const proto = '{"__proto__":1,"a":2}';
    expect(duplicateKey(proto, scanJson(proto).keys, JSON.parse(proto))).toBeUndefined();
  });
});
