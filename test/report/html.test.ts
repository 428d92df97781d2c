import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.ts';
import { renderLifecycleSvg } from '../../src/report/lifecycle-svg.ts';
import { lifecycleOf } from '../../src/contract/lifecycle.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { failingReport, HOSTILE_IMG, HOSTILE_SCRIPT, passingReport } from './fixtures.ts';

const spec = loadSpec();
const failing = renderHtml(failingReport(), spec);
const passing = renderHtml(passingReport(), spec);

function blocks(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] as string);
}

describe('renderHtml (static)', () => {
  it('is one self-contained page: one inline script and stylesheet, nothing loaded from elsewhere', () => {
    for (const html of [failing, passing]) {
      expect(html.match(/<script\b/g)).toHaveLength(1);
      expect(html.match(/<style\b/g)).toHaveLength(1);
      // escaped text has no raw "<", so these are the page's real tags
      const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
      expect(tags.filter((t) => /\ssrc=/i.test(t))).toEqual([]);
      expect(tags.filter((t) => /\shref="(?!#|data:)/i.test(t))).toEqual([]);
      expect(tags.filter((t) => /\sstyle=/i.test(t))).toEqual([]);
      expect(tags.filter((t) => /\son[a-z]+=/i.test(t))).toEqual([]);
      expect(html).not.toMatch(/url\((?!#)/);
    }
  });

  it('its CSP allows only its own inline stylesheet and script, by hash, and no network', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(failing)?.[1]?.replace(/&#39;/g, "'") ?? '';
    expect(csp).toContain("default-src 'none'");
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(blocks(failing, 'script')[0] ?? '')}`);
    expect(csp).toContain(`style-src ${hash(blocks(failing, 'style')[0] ?? '')}`);
    expect(csp).not.toContain('unsafe');
  });

  it('escapes hostile server data everywhere', () => {
    expect(failing).not.toContain(HOSTILE_SCRIPT);
    expect(failing).not.toContain(HOSTILE_IMG);
    expect(failing).not.toContain('<svg onload');
    expect(failing).toContain('&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;');
    expect(failing).toContain('&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;');
  });

  it('shows the verdict, the run facts, the problems, each failure with its curl, and filters', () => {
    const r = failingReport();
    expect(failing).toContain('<div class="verdict" role="status" aria-label="Verdict FAIL">FAIL');
    for (const text of [r.target.baseUrl, r.spec.sha256, r.tool.version, String(r.seed), '2025-06-02 14:03:11 UTC', ...r.problems]) expect(failing).toContain(text);
    for (const res of r.results.filter((x) => x.status === 'fail')) {
      expect(failing).toContain(`id="check-${res.check}" open>`);
      expect(failing).toContain(`<a class="req-id" href="#req-${res.id}">${res.id}</a>`);
    }
    expect(failing).toContain('<pre id="curl-1" class="curl">curl -sS -X GET');
    expect(failing).toContain('<code>/product/commitment</code>');
    for (const f of ['fail', 'warn', 'skip', 'all']) expect(failing).toContain(`data-filter="${f}"`);
  });

  it('annotates each requirement with its documentation sentence from the contract', () => {
    for (const id of ['AUTH-TENANT', 'HIST-ORDER', 'HTTP-NO-5XX']) {
      const doc = spec.requirements.get(id)?.doc ?? '';
      const escaped = doc.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
      expect(failing).toContain(`<blockquote class="doc">${escaped}</blockquote>`);
    }
  });
});

describe('renderLifecycleSvg', () => {
  const lc = lifecycleOf(spec);
  it('draws every state and every documented transition of x-lifecycle', () => {
    const svg = renderLifecycleSvg({ machine: lc.order, transitions: [], states: {} });
    // a long name is drawn on two lines (tspans): the name is the text's content
    const names = [...svg.matchAll(/<text class="name" [^>]*>(.*?)<\/text>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
    for (const s of lc.order.states) expect(names).toContain(s);
    const documented = [...lc.order.transitions.values()].reduce((n, to) => n + to.length, 0);
    expect(svg.match(/class="lc-edge unseen"/g)).toHaveLength(documented);
  });

  it('draws observed transitions with their counts and illegal ones as extra red edges', () => {
    const r = failingReport();
    const svg = renderLifecycleSvg({ machine: lc.order, transitions: r.observed.transitions, states: r.observed.states });
    const illegal = r.observed.transitions.filter((t) => !t.legal);
    expect(svg.match(/class="lc-edge illegal"/g)).toHaveLength(illegal.length);
    expect(svg).toContain('terminated → active: ILLEGAL (not in the flowchart), seen 1 time');
    expect(svg).toContain('>×38</text>');
    expect(svg).toContain('>⚠ ×2</text>');
  });

  it('an observed state the contract does not know becomes a flagged node', () => {
    const svg = renderLifecycleSvg({ machine: lc.order, transitions: [{ from: 'active', to: 'frozen', count: 3, legal: false }], states: {} });
    expect(svg).toContain('class="lc-node unknown');
    expect(svg).toContain('>frozen</text>');
  });
});

describe('renderHtml (edge cases)', () => {
  it('a run that reached nothing still renders its verdict and problems', () => {
    const r = failingReport();
    r.results = [];
    r.summary = { total: 0, pass: 0, fail: 0, warn: 0, skip: 0, errors: 0, warnings: 0, requests: 0 };
    r.observed = { transitions: [], productionSteps: [], states: {}, latency: [] };
    r.problems = ['The target cannot be reached: connect ECONNREFUSED 10.0.0.1:443'];
    const html = renderHtml(r, spec);
    expect(html).toContain('The run produced no results.');
    expect(html).toContain('connect ECONNREFUSED 10.0.0.1:443');
    expect(html).toContain('No latency was recorded.');
    expect(html).toContain('<svg class="lifecycle"');
  });

  it('masks anything that looks like a credential in the options shown', () => {
    const r = passingReport();
    r.options = { baseUrl: 'https://x.example', token: 'sekret-1', tokenOtherUser: 'sekret-2', profile: 'documented' };
    const html = renderHtml(r, spec);
    expect(html).not.toContain('sekret');
    expect(html).toContain('&quot;token&quot;: &quot;(redacted)&quot;');
  });
});
