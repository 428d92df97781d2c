/**
 * The provider's side of the proxy passes every provider variant the
 * documentation allows (mock/variants.ts): the careful client's traffic
 * through the proxy in front of each variant of the reference server gives
 * no provider failure. The export is made ready at once (exportMs 0), so the
 * careful client polls once and no test waits for its pace.
 */
import { describe, expect, it } from 'vitest';
import { carefulClient } from '../../examples/clients/careful.ts';
import { VARIANT_NAMES } from '../../mock/variants.ts';
import { sessionReports } from '../../src/proxy/report.ts';
import { startProxy } from '../../src/proxy/server.ts';
import { loadSpec } from '../../src/contract/load.ts';

const spec = loadSpec();

describe('provider variants behind the proxy', () => {
  it.each(VARIANT_NAMES)('%s: no provider check fails', async (variant) => {
    const proxy = await startProxy({ spec, mock: { exportMs: 0, variants: [variant] } });
    try {
      await carefulClient(proxy.url, 'demo-token-a1', { scheme: variant === 'token-auth' ? 'Token' : 'Bearer' });
    } finally {
      await proxy.close();
    }
    const r = sessionReports(proxy.judge, { target: proxy.target, embedded: true, startedAt: proxy.startedAt, source: 'proxy' });
    expect(r.provider.results.filter((x) => x.status === 'fail').map((x) => `${x.check}: ${x.message}`)).toEqual([]);
    expect(r.provider.verdict).toBe('PASS');
    expect(r.provider.summary.requests).toBeGreaterThan(8);
    expect(r.client.verdict).toBe('PASS');
  });
});
