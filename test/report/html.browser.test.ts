/**
 * The HTML report of a failing run, opened from disk in headless Chromium
 * (Debian's /usr/bin/chromium driven by playwright-core): it renders with no
 * console error, shows the verdict, the failures with their curl and the
 * lifecycle picture, filters work, and the hostile server data did not run.
 * A screenshot is kept as reports/screenshots/report-failing.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.ts';
import { writeReports } from '../../src/report/write.ts';
import { lifecycleOf } from '../../src/contract/lifecycle.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { failingReport, passingReport, sixFailuresReport } from './fixtures.ts';

/** Debian's chromium; CONFORMANCE_CHROMIUM may point elsewhere (never a downloaded browser). */
const CHROMIUM = process.env.CONFORMANCE_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = join(ROOT, 'reports', 'screenshots');
const MISSING = `Chromium is not installed at ${CHROMIUM} (Debian package "chromium"); the HTML report cannot be checked in a browser`;
const available = existsSync(CHROMIUM);

let browser: Browser | undefined;

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  if (!browser) throw new Error('no browser');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const opened: Opened = { page, problems: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') opened.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => opened.problems.push(`page error: ${e.message}`));
  page.on('request', (r) => opened.requests.push(r.url()));
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return opened;
}

describe('the HTML report in headless Chromium', () => {
  beforeAll(async () => {
    if (!available) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the failing run renders without errors, shows verdict, failures with curl, lifecycle, and filters', async (ctx) => {
    if (!available) {
      if (process.env.CI) throw new Error(MISSING);
      ctx.skip(MISSING);
    }
    const dir = join(SHOTS, 'failing');
    const report = failingReport();
    await writeReports(report, loadSpec(), dir);
    const { page, problems, requests, dialogs } = await open(join(dir, 'index.html'));

    // the verdict and the run's facts
    await expect(page.locator('.verdict').innerText()).resolves.toMatch(/^FAIL/);
    await expect(page.locator('.banner').innerText()).resolves.toContain(report.spec.sha256);
    expect(await page.locator('#problems li').count()).toBe(report.problems.length);

    // every failure is open, with its message and its curl visible
    const failed = page.locator('details.result.st-fail');
    expect(await failed.count()).toBe(report.summary.fail);
    const tenant = page.locator('#check-tenant_isolation');
    expect(await tenant.getAttribute('open')).not.toBeNull();
    await expect(tenant.locator('pre.curl').first().innerText()).resolves.toContain("curl -sS -X GET 'https://staging.fibre.example/api/v1/order/CMD_OTHER_00000017/'");
    expect(await tenant.locator('pre.curl').first().isVisible()).toBe(true);
    await expect(page.locator('#check-order_detail_schema').innerText()).resolves.toContain('/product/commitment');

    // the lifecycle picture: every state drawn, the illegal transitions in red
    const svg = page.locator('#lifecycle svg.lifecycle').first();
    expect(await svg.isVisible()).toBe(true);
    const box = await svg.boundingBox();
    expect(box && box.width > 600 && box.height > 150).toBe(true);
    expect(await svg.locator('.lc-node').count()).toBe(8);
    expect(await svg.locator('path.lc-edge.illegal').count()).toBe(report.observed.transitions.filter((t) => !t.legal).length);
    // on a FAIL the latency chart is folded, one click away
    expect(await page.locator('#latency svg.latency').isVisible()).toBe(false);
    await page.locator('#latency details.fold > summary').click();
    expect(await page.locator('#latency svg.latency').isVisible()).toBe(true);

    // the hostile body excerpt is shown as text and did not run
    await expect(page.locator('#check-order_detail_schema').innerText()).resolves.toContain('<script>window.__pwned = 1; alert(1)</script>');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    // a FAIL opens on "Failed": passing results (and warnings, skips) hidden; "All" brings them back
    const passed = page.locator('details.result.st-pass');
    expect(await passed.first().isVisible()).toBe(false);
    await page.getByRole('button', { name: /^All/ }).click();
    expect(await passed.first().isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Failed/ }).click();
    expect(await page.getByRole('button', { name: /^Failed/ }).getAttribute('aria-pressed')).toBe('true');
    for (const loc of await passed.all()) expect(await loc.isVisible()).toBe(false);
    for (const loc of await page.locator('details.result.st-warn, details.result.st-skip').all()) expect(await loc.isVisible()).toBe(false);
    for (const loc of await failed.all()) expect(await loc.isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Warnings/ }).click();
    for (const loc of await page.locator('details.result.st-warn').all()) expect(await loc.isVisible()).toBe(true);
    expect(await failed.first().isVisible()).toBe(false);
    await page.getByRole('button', { name: /^All/ }).click();
    expect(await passed.first().isVisible()).toBe(true);

    // the copy button answers (clipboard or its fallback) without an error
    const copy = tenant.locator('button.copy').first();
    await copy.click();
    await expect.poll(() => copy.innerText()).toMatch(/Copied|Ctrl\+C/);

    // nothing but the file itself was loaded, and nothing complained
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'report-failing.png'), fullPage: true });
    expect(existsSync(join(SHOTS, 'report-failing.png'))).toBe(true);
    await page.close();
  });

  it('the passing run renders without errors too', async (ctx) => {
    if (!available) {
      if (process.env.CI) throw new Error(MISSING);
      ctx.skip(MISSING);
    }
    const dir = join(SHOTS, 'passing');
    await writeReports(passingReport(), loadSpec(), dir);
    const { page, problems } = await open(join(dir, 'index.html'));
    await expect(page.locator('.verdict').innerText()).resolves.toMatch(/^PASS/);
    expect(await page.locator('#problems').count()).toBe(0);
    await page.getByRole('button', { name: /^Failed/ }).click();
    expect(await page.locator('.empty-note.fail').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'report-passing.png'), fullPage: true });
    await page.close();
  });

  it('a FAIL report opens on the failures: the first failure in the first screen at 1280×800; six failures of one cause on a page under 5,000 px', async (ctx) => {
    if (!available) {
      if (process.env.CI) throw new Error(MISSING);
      ctx.skip(MISSING);
    }
    if (!browser) throw new Error('no browser');
    const heights: Record<string, number> = {};
    for (const [name, report] of [
      ['failing', failingReport()],
      ['six-failures', sixFailuresReport()],
    ] as const) {
      const dir = join(SHOTS, name);
      await writeReports(report, loadSpec(), dir);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load' });
      expect(await page.getByRole('button', { name: /^Failed/ }).getAttribute('aria-pressed')).toBe('true');
      const first = page.locator('details.result.st-fail').first();
      const box = await first.boundingBox();
      expect(box, name).not.toBeNull();
      // its summary line and the start of its evidence are on the first screen, without scrolling
      expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
      expect((box?.y ?? 9999) + 60, `${name}: first failure at y=${box?.y}`).toBeLessThan(800);
      heights[name] = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
      await page.screenshot({ path: join(SHOTS, `report-${name}-first-screen.png`) });
      await page.screenshot({ path: join(SHOTS, `report-${name}-full.png`), fullPage: true });
      await page.close();
    }
    console.log(`page heights at 1280×800: ${JSON.stringify(heights)}`);
    expect(heights['six-failures']).toBeLessThan(5000);
  });

  it('the lifecycle pictures are readable at their default size: every state drawn, no text box over another, illegal transitions in red', async (ctx) => {
    if (!available) {
      if (process.env.CI) throw new Error(MISSING);
      ctx.skip(MISSING);
    }
    if (!browser) throw new Error('no browser');
    const report = failingReport();
    const dir = join(SHOTS, 'lifecycle');
    await writeReports(report, loadSpec(), dir);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load' });
    const measured = await page.evaluate(() => {
      type R = { left: number; top: number; right: number; bottom: number; width: number; height: number };
      type El = { getBoundingClientRect(): R; textContent: string | null; querySelectorAll(s: string): ArrayLike<El> };
      const doc = (globalThis as unknown as { document: El }).document;
      const all = (root: El, sel: string): El[] => Array.from(root.querySelectorAll(sel));
      return all(doc, '#lifecycle svg.lifecycle').map((svg) => {
        const boxes = all(svg, 'text').map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', left: r.left, top: r.top, right: r.right, bottom: r.bottom, height: r.height };
        });
        const names = all(svg, 'text.name').map((t) => t.textContent ?? '');
        // one line of a name: a tspan, or a text without tspans
        const lineHeights = all(svg, 'text.name').flatMap((t) => {
          const spans = all(t, 'tspan');
          return (spans.length > 0 ? spans : [t]).map((x) => x.getBoundingClientRect().height);
        });
        const own = svg.getBoundingClientRect();
        return { boxes, names, lineHeights, width: own.width };
      });
    });
    expect(measured).toHaveLength(3);
    const overlapping: string[] = [];
    for (const { boxes } of measured) {
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i] as (typeof boxes)[number];
          const b = boxes[j] as (typeof boxes)[number];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlapping.push(`"${a.text}" over "${b.text}"`);
        }
      }
    }
    expect(overlapping).toEqual([]);
    // readable: the pictures are drawn at their own size (no shrinking to fit), state names about 12.5 px
    for (const m of measured) expect(Math.min(...m.lineHeights)).toBeGreaterThanOrEqual(12);
    const lc = lifecycleOf(loadSpec());
    const drawn = new Set(measured.flatMap((m) => m.names));
    const wanted = [...new Set([...lc.item.states, ...lc.order.states, ...lc.steps, 'acknowledged', 'held_adv_validation', 'production_in_progress'])];
    expect(wanted.filter((s) => !drawn.has(s))).toEqual([]);
    expect(await page.locator('#lifecycle path.lc-edge.illegal').count()).toBe(report.observed.transitions.filter((t) => !t.legal).length);
    await page.locator('#lifecycle').screenshot({ path: join(SHOTS, 'lifecycle.png') });
    await page.close();
  });

  it("JUnit output is well-formed for the browser's own XML parser", async (ctx) => {
    if (!available) {
      if (process.env.CI) throw new Error(MISSING);
      ctx.skip(MISSING);
    }
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    const report = failingReport();
    const parsed = await page.evaluate((xml) => {
      // runs in the page (the project's tsconfig has no DOM lib)
      type Doc = { getElementsByTagName(name: string): { length: number } };
      const Parser = (globalThis as unknown as { DOMParser: new () => { parseFromString(text: string, type: string): Doc } }).DOMParser;
      const doc = new Parser().parseFromString(xml, 'application/xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        testcases: doc.getElementsByTagName('testcase').length,
        failures: doc.getElementsByTagName('failure').length,
        skipped: doc.getElementsByTagName('skipped').length,
      };
    }, renderJunit(report));
    expect(parsed).toEqual({ errors: 0, testcases: report.summary.total + 1, failures: report.summary.fail, skipped: report.summary.skip });
    await page.close();
  });
});
