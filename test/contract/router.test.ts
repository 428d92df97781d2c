/**
 * The one router (src/contract/router.ts): every operation of openapi.yaml is
 * reached by its own path, the route collisions resolve to the most literal
 * template, and paths are built from operationIds.
 */
import { describe, expect, it } from 'vitest';
import { segment } from '../../src/harness/url.ts';
import { loadSpec } from '../../src/contract/load.ts';
import { routerOf } from '../../src/contract/router.ts';

const spec = loadSpec();
const router = routerOf(spec);

const idOf = (method: string, path: string) => {
  const m = router.match(method, path);
  return m?.operation?.operationId;
};

describe('the spec router', () => {
  it('builds a path for every operation that routes back to it', () => {
    for (const op of router.operations()) {
      const params = Object.fromEntries([...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], `v-${m[1]}`]));
      const path = router.path(op.operationId, params);
      const back = router.match(op.method, path);
      expect(back?.operation?.operationId, `${op.method} ${path}`).toBe(op.operationId);
      if (back?.operation) expect(back.params).toEqual(params);
    }
  });

  it('resolves the route collisions to the most literal template', () => {
    expect(idOf('POST', '/api/v1/order/export/csv/')).toBe('startOrderExport');
    expect(idOf('POST', '/api/v1/order/CMD_1/terminate/')).toBe('requestOrderAction');
    expect(idOf('GET', '/api/v1/order/export/3f0c/status/')).toBe('getOrderExportStatus');
    expect(idOf('GET', '/api/v1/order/export/3f0c/download/')).toBe('downloadOrderExport');
    expect(idOf('GET', '/api/v1/order/CMD_1/contract.pdf/download/')).toBe('downloadOrderDocument');
    expect(idOf('GET', '/api/v1/order/CMD_1/historic/')).toBe('getOrderHistory');
  });

  it('tells a path of the spec asked with another method from no path at all', () => {
    expect(router.match('DELETE', '/api/v1/order/CMD_1/')).toEqual({ operation: undefined, allowed: ['GET'], template: '/api/v1/order/{order_reference}/' });
    expect(router.match('GET', '/api/v1/nothing/')).toBeUndefined();
    // the trailing slash is part of the path
    expect(router.match('GET', '/api/v1/order')).toBeUndefined();
    expect(router.match('GET', '/api/v1/order//')).toBeUndefined();
  });

  it('decodes path parameters and ignores the query', () => {
    expect(router.match('GET', '/api/v1/order/CMD%2F1/?x=1')).toMatchObject({ operation: { operationId: 'getOrder' }, params: { order_reference: 'CMD/1' } });
    expect(router.path('getOrder', { order_reference: '..' }, segment)).toBe('/api/v1/order/%2E%2E/');
    expect(() => router.path('getOrder')).toThrow(/order_reference/);
    expect(() => router.path('noSuchOperation')).toThrow(/no operation/);
  });
});
