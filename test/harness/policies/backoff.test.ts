/**
 * The backoff policy on data: Retry-After read as RFC 9110 §10.2.3 writes it
 * (delay-seconds, or an HTTP-date in any of its three forms) and nothing
 * else, and what the harness does with a busy answer.
 */
import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_WAIT_S, httpDate, retryAfterSeconds } from '../../../src/harness/policies/backoff.ts';

const NOW = Date.parse('2026-12-01T09:00:00Z');

describe('Retry-After', () => {
  it('delay-seconds: digits only', () => {
    expect(retryAfterSeconds('120', NOW)).toBe(120);
    expect(retryAfterSeconds('007', NOW)).toBe(7);
    expect(retryAfterSeconds(' 0 ', NOW)).toBe(0);
  });

  it('an HTTP-date in each of its forms names the same instant (RFC 9110 §5.6.7)', () => {
    const at = Date.parse('1994-11-06T08:49:37Z');
    expect(httpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(at);
    expect(httpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(at);
    expect(httpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(at);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 09:00:30 GMT', NOW)).toBe(30);
    expect(retryAfterSeconds('Tuesday, 01-Dec-26 09:01:00 GMT', NOW)).toBe(60);
    expect(retryAfterSeconds('Tue Dec  1 09:00:05 2026', NOW)).toBe(5);
    // a date past is no wait at all
    expect(retryAfterSeconds('Mon, 01 Jan 2001 00:00:00 GMT', NOW)).toBe(0);
  });

  it("an rfc850-date's two-digit year is the latest not more than 50 years ahead", () => {
    expect(new Date(httpDate('Friday, 01-Jan-76 00:00:00 GMT', NOW) as number).getUTCFullYear()).toBe(2076);
    expect(new Date(httpDate('Friday, 01-Jan-77 00:00:00 GMT', NOW) as number).getUTCFullYear()).toBe(1977);
  });

  it('what Date.parse would take and the RFC does not: absent', () => {
    for (const v of [
      '1.5',
      '-5',
      '+5',
      '1e3',
      '0x10',
      '2026-10-21',
      '2026-12-01T09:00:30Z',
      'tomorrow',
      'soon',
      'Tue, 1 Dec 2026 09:00:30 GMT',
      'Tue, 01 Dec 2026 09:00:30 UTC',
      'Tue, 01 Dec 2026 09:00:30 +0000',
      'tue, 01 dec 2026 09:00:30 GMT',
      'Tue, 31 Feb 2026 09:00:30 GMT',
      'Tue, 01 Dec 2026 24:00:00 GMT',
      'Tuesday, 01 Dec 2026 09:00:30 GMT',
      '12/01/2026',
      '',
      '   ',
      undefined,
    ]) {
      expect(retryAfterSeconds(v, NOW), JSON.stringify(v)).toBeUndefined();
    }
  });
});

describe('the backoff', () => {
  const answer = (status: number, retryAfter?: string) => ({ method: 'GET', url: 'http://t/orders/', status, retryAfter });
  const o = { attempt: 0, retry: true, now: NOW, leftS: 3600 };

  it('a 429 waits what it asks for (at least 100 ms); a 503 only when it says when to come back; two waits at most', () => {
    const b = new Backoff(10, () => undefined);
    expect(b.step(answer(429, '2'), o)).toEqual({ kind: 'wait', ms: 2000 });
    expect(b.step(answer(429, '0'), o)).toEqual({ kind: 'wait', ms: 100 });
    expect(b.step(answer(503, '1'), o)).toEqual({ kind: 'wait', ms: 1000 });
    expect(b.step(answer(503), o)).toEqual({ kind: 'answer' });
    expect(b.step(answer(200, '5'), o)).toEqual({ kind: 'answer' });
    expect(b.step(answer(429, '1'), { ...o, attempt: 2 })).toEqual({ kind: 'answer' });
    expect(b.step(answer(429, '1'), { ...o, retry: false })).toEqual({ kind: 'answer' });
  });

  it('a wait past the longest the kit honours, or past what the run has left, stops the run', () => {
    const b = new Backoff(10, () => undefined);
    const long = b.step(answer(429, '11'), o);
    expect(long.kind).toBe('stop');
    expect(long.kind === 'stop' && long.message).toMatch(/asking to wait 11 s \(Retry-After: "11"\), longer than the longest wait the kit honours \(10 s\)/);
    const left = b.step(answer(429, '5'), { ...o, leftS: 4.5 });
    expect(left.kind === 'stop' && left.message).toMatch(/longer than the time the run has left \(4 s of --max-run-s\)/);
  });

  it('a Retry-After the kit cannot read waits the default, and is noted once per run', () => {
    const notes: string[] = [];
    const b = new Backoff(10, (m) => notes.push(m));
    expect(b.step(answer(429, '1.5'), o)).toEqual({ kind: 'wait', ms: DEFAULT_WAIT_S * 1000 });
    expect(b.step(answer(429, '2026-10-21'), o)).toEqual({ kind: 'wait', ms: DEFAULT_WAIT_S * 1000 });
    expect(b.step(answer(429), o)).toEqual({ kind: 'wait', ms: DEFAULT_WAIT_S * 1000 });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/expected delay-seconds or an HTTP-date \(RFC 9110 §10\.2\.3\) \/ received "1\.5"/);
  });
});
