/**
 * Child: start-up cost in a fresh process. Times the import of the spec and
 * validator modules, the spec load (read + YAML parse + index), the creation
 * of the validators (ajv, formats, the component schemas added), then either
 * the validators a run compiles (`keys`, as recorded from a run: they are
 * compiled lazily, on first use) or every schema (`compileAll`).
 * Announces `@@RESULT {importMs, loadMs, createMs, compileMs, compiled}`.
 */
import { announce, childArgs } from './lib.ts';

// the import of the contract's two modules is what is timed: they are imported alone, not through src/index.ts (test/layers.test.ts)

const { keys } = childArgs<{ keys?: string[] }>();
const t0 = performance.now();
const { loadSpec } = await import('../../src/contract/load.ts');
const { validatorsFor } = await import('../../src/contract/validators.ts');
const t1 = performance.now();
const spec = loadSpec();
const t2 = performance.now();
const validators = validatorsFor(spec);
const t3 = performance.now();
let compiled = 0;
if (keys) {
  // keys as the validators cache them: component:NAME, response:OP:STATUS:MEDIA, request:OP
  for (const key of keys) {
    const [kind, a = '', b = '', ...media] = key.split(':');
    if (kind === 'component') validators.component(a);
    else if (kind === 'request') validators.request(a);
    else if (kind === 'response') validators.response(a, b === 'default' ? 500 : Number(b.replace(/XX$/, '00')), media.join(':'));
    compiled++;
  }
} else compiled = validators.compileAll();
const t4 = performance.now();
announce('RESULT', { importMs: t1 - t0, loadMs: t2 - t1, createMs: t3 - t2, compileMs: t4 - t3, compiled });
