/**
 * Child: start-up cost in a fresh process. Times the import of the spec and
 * validator modules, the spec load (read + YAML parse + index), the creation
 * of the validators (what a run does first) and the compilation of every
 * schema (the most a run can ever compile).
 * Announces `@@RESULT {importMs, loadMs, createMs, compileAllMs, compiled}`.
 */
import { announce } from './lib.ts';

const t0 = performance.now();
const { loadSpec } = await import('../../src/spec/load.ts');
const { validatorsFor } = await import('../../src/spec/validators.ts');
const t1 = performance.now();
const spec = loadSpec();
const t2 = performance.now();
const validators = validatorsFor(spec);
const t3 = performance.now();
const compiled = validators.compileAll();
const t4 = performance.now();
announce('RESULT', { importMs: t1 - t0, loadMs: t2 - t1, createMs: t3 - t2, compileAllMs: t4 - t3, compiled });
