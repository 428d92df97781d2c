/**
 * Child: the reference server, on 127.0.0.1 and a free port, announced as
 * `@@READY {baseUrl, tokens, startMs}`. Arguments: the options of `startMock`.
 */
import { announce, childArgs, onStop } from './lib.ts';

const args = childArgs<{ seed?: number; orders?: number; stepMs?: number; exportMs?: number; exportWindowS?: number }>();
const t0 = performance.now();
const { startMock, DEMO_TOKENS } = await import('../../mock/index.ts');
const mock = await startMock({ ...args, host: '127.0.0.1', port: 0 });
onStop(() => mock.close());
announce('READY', { baseUrl: mock.baseUrl, tokens: DEMO_TOKENS, startMs: Math.round(performance.now() - t0) });
