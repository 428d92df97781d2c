/**
 * Child: `conformance proxy` in front of a target, on 127.0.0.1 and a free
 * port, announced as `@@READY {url}`. Arguments: `{target}`. Its findings
 * are counted, not printed (printing is not what is measured).
 */
import { announce, childArgs, onStop } from './lib.ts';

const args = childArgs<{ target: string }>();
const { startProxy } = await import('../../src/proxy/server.ts');
const { loadSpec } = await import('../../src/spec/load.ts');
let findings = 0;
const proxy = await startProxy({ spec: loadSpec(), target: args.target, onFinding: () => void findings++ });
onStop(() => proxy.close());
announce('READY', { url: proxy.url });
