/**
 * Memory against big answers from an otherwise conforming server (a proxy in
 * front of the reference server, built here, on 127.0.0.1): 25 MB documents
 * (downloads are hashed as they stream and never held whole) and 30 MB
 * string fields in order details (a value is shown cut, never copied into
 * messages, evidence or reports). The whole test process stays under 512 MB.
 */
import { describe, expect, it } from 'vitest';
import { editResponse } from '../faults/proxy.ts';
import { fault, fileTarget, sampleRss } from './support.ts';

const MiB = 1024 * 1024;

const target = fileTarget({ orders: 30 });

/** Runs `fn` while sampling this process's RSS; resolves to the peak. */
async function peakRss(fn: () => Promise<void>): Promise<number> {
  return (await sampleRss(fn)).peak;
}

describe('big answers, bounded memory', () => {
  it('every document 25 MB: each is downloaded and hashed, the run passes, the process stays under 512 MB', async () => {
    // one buffer, written to every download (the proxy holds no copy per request)
    const pdf = Buffer.alloc(25 * 1000 * 1000, 0x20);
    pdf.write('%PDF-1.7\n');
    let served = 0;
    const big = editResponse(
      'downloadOrderDocument',
      (res) => ({
        ...res,
        pump: (out) => {
          served++;
          out.end(pdf);
        },
      }),
      (_q, r) => r.status === 200,
    );
    let passed = false;
    const peak = await peakRss(async () => {
      const { report } = await target().run(fault('documents-25mb', 'document_download', big), { timeoutMs: 20_000, concurrency: 8 });
      const dl = report.results.find((r) => r.check === 'document_download');
      expect(dl?.status, dl?.message).toBe('pass');
      passed = true;
    });
    expect(passed).toBe(true);
    expect(served).toBeGreaterThanOrEqual(8);
    expect(peak).toBeLessThan(512 * MiB);
  }, 120_000);

  it('every order detail with a 30 MB field of the wrong type: a finding with the value cut, the process stays under 512 MB', async () => {
    // one body for every detail, built once (the proxy holds no copy per request): the first order's
    // detail, whose vlan_reference (a nullable number) is a 30 MB string, one type error
    let body: Buffer | undefined;
    const huge = editResponse(
      'getOrder',
      (res) => {
        if (!body) {
          const detail = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
          delete detail.vlan_reference;
          body = Buffer.concat([Buffer.from('{"vlan_reference":"'), Buffer.alloc(30 * 1000 * 1000, 0x78), Buffer.from(`",${JSON.stringify(detail).slice(1)}`)]);
        }
        const shared = body;
        return { ...res, pump: (out) => out.end(shared) };
      },
      (_q, r) => r.status === 200,
    );
    let message = '';
    let evidence = '';
    const peak = await peakRss(async () => {
      const { report } = await target().run(fault('fields-30mb', 'order_detail_schema', huge), { timeoutMs: 20_000, concurrency: 8 });
      const detail = report.results.find((r) => r.check === 'order_detail_schema');
      message = detail?.message ?? '';
      evidence = JSON.stringify(detail?.evidence ?? []);
    });
    expect(message).toMatch(/\/vlan_reference: expected/);
    expect(message.length).toBeLessThan(2_000);
    expect(evidence.length).toBeLessThan(100_000);
    expect(peak).toBeLessThan(512 * MiB);
  }, 120_000);
});
