/**
 * The reference server registers its handlers by operationId (mock/app.ts):
 * its routes are the spec's, and start-up fails when the spec and the
 * handlers disagree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../mock/app.ts';
import { resolveOptions } from '../../mock/index.ts';
import { loadModel } from '../../mock/model.ts';
import { Store } from '../../mock/store.ts';
import { DEFAULT_SPEC_PATH, parseSpec } from '../../src/contract/load.ts';

const text = readFileSync(DEFAULT_SPEC_PATH, 'utf8');

async function build(specText: string) {
  const model = loadModel(parseSpec(specText));
  const o = resolveOptions({});
  return buildApp(model, new Store(model, { ...o, behaviour: o.behaviour }), o);
}

describe('routes by operationId', () => {
  it('serves every operation of the spec at its own method and path', async () => {
    const app = await build(text);
    const model = loadModel();
    for (const op of model.spec.operations.values()) {
      expect(app.hasRoute({ method: op.method as 'GET', url: op.path.replace(/\{([^}]+)\}/g, ':$1') }), `${op.method} ${op.path}`).toBe(true);
    }
    await app.close();
  });

  it('fails at start-up when the spec has an operation no handler serves', async () => {
    const extra = text.replace(/^paths:\n/m, "paths:\n  /api/v1/order/{order_reference}/notes/:\n    get:\n      operationId: listOrderNotes\n      responses:\n        '200': { description: ok }\n");
    await expect(build(extra)).rejects.toThrow(/listOrderNotes, which the reference server does not handle/);
  });

  it('fails at start-up when a handler names an operation the spec lost', async () => {
    const renamed = text.replace('operationId: downloadOrderExport', 'operationId: fetchOrderExport');
    await expect(build(renamed)).rejects.toThrow(/handler for downloadOrderExport, which openapi.yaml does not define/);
  });
});
