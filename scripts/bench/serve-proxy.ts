/**
 * Child: `conformance proxy` in front of a target, on 127.0.0.1 and a free
 * port, announced as `@@READY {url}`. Arguments: `{target, bare?}`. Its
 * findings are counted, not printed (printing is not what is measured).
 * With `bare`, a forwarder that only forwards (node:http → undici, no
 * record, no judging): the price of the extra hop alone, for comparison.
 * With `relay`, not even HTTP: a TCP relay (node:net, each connection piped
 * to one of its own to the target), the floor of any proxy hop.
 */
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, connect } from 'node:net';
import { Agent } from 'undici';
import { announce, childArgs, onStop } from './lib.ts';

const args = childArgs<{ target: string; bare?: boolean; relay?: boolean }>();
if (args.relay) {
  const target = new URL(args.target);
  const server = createTcpServer((client) => {
    const up = connect(Number(target.port), target.hostname);
    client.setNoDelay(true);
    up.setNoDelay(true);
    client.pipe(up).on('error', () => client.destroy());
    up.pipe(client).on('error', () => up.destroy());
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onStop(() => void server.close());
  announce('READY', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
} else if (args.bare) {
  const agent = new Agent({ connections: 256 });
  const origin = new URL(args.target).origin;
  const server = createServer(async (req, res) => {
    const { host: _host, connection: _c, ...headers } = req.headers;
    const up = await agent.request({ origin, path: req.url ?? '/', method: (req.method ?? 'GET') as 'GET', headers: headers as Record<string, string> });
    res.writeHead(up.statusCode, Object.fromEntries(Object.entries(up.headers).filter(([k]) => k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding')) as Record<string, string>);
    for await (const c of up.body) if (!res.write(c)) await new Promise((r) => res.once('drain', r));
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onStop(async () => {
    server.closeAllConnections();
    server.close();
    await agent.destroy();
  });
  announce('READY', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
} else {
  const { startProxy, loadSpec } = await import('../../src/index.ts');
  let findings = 0;
  const proxy = await startProxy({ spec: loadSpec(), target: args.target, onFinding: () => void findings++ });
  onStop(() => proxy.close());
  announce('READY', { url: proxy.url });
}
