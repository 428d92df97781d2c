/**
 * Child: a forward-to-upstream proxy that adds `delayMs` to every answer
 * (the latency of a distant staging), on 127.0.0.1 and a free port,
 * announced as `@@READY {baseUrl}`. The request goes upstream at once; its
 * answer, fully read, is held `delayMs` more before it is sent back (so an
 * answer takes the upstream's time plus `delayMs`). The Host
 * header is passed through, so the upstream's absolute links name the proxy.
 * With `busyAbove`, a request that arrives while that many are in flight is
 * answered 429 at once (`Retry-After: 1`), as a gateway's concurrency limit
 * does (the `auto` section: a target that refuses load above 16).
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, childArgs, onStop } from './lib.ts';

const args = childArgs<{ upstream: string; delayMs: number; busyAbove?: number }>();
const up = new URL(args.upstream);
// as many upstream connections as the client opens: the proxy adds latency, never a queue
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
let answered = 0;
let upstreamMs = 0;
/** requests answered 429 for arriving above `busyAbove` in flight */
let refused = 0;
// requests in flight, integrated over time: their mean over a span is how busy the client kept the proxy
let inFlight = 0;
let inFlightMs = 0;
let lastChange = performance.now();
const move = (d: number): void => {
  const now = performance.now();
  inFlightMs += inFlight * (now - lastChange);
  lastChange = now;
  inFlight += d;
};

function forward(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/_delay/stats') {
    // the parent's question, answered at once: how many answers, and the upstream's own time per answer
    res.writeHead(200, { 'content-type': 'application/json' });
    move(0);
    res.end(JSON.stringify({ answered, refused, upstreamMs: upstreamMs / Math.max(1, answered), inFlightMs, at: lastChange }));
    return;
  }
  if (args.busyAbove !== undefined && inFlight >= args.busyAbove) {
    refused++;
    req.resume();
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end('{"detail":"Request was throttled."}');
    return;
  }
  const started = performance.now();
  move(1);
  res.once('close', () => move(-1));
  const send = (again: boolean): void => {
    const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = { ...r.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        upstreamMs += performance.now() - started;
        setTimeout(() => {
          answered++;
          res.writeHead(r.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        }, args.delayMs);
      });
    });
    fwd.on('error', (err: NodeJS.ErrnoException) => {
      // a kept-alive socket the upstream closed just as it was reused (Node's documented race): a GET is sent
      // again once, so that the bench's own hop never shows the kit a 502 the target did not give
      if (again && req.method === 'GET' && fwd.reusedSocket && err.code === 'ECONNRESET') return send(false);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"detail":"upstream"}');
    });
    if (req.method === 'GET' || req.method === 'HEAD') fwd.end();
    else req.pipe(fwd);
  };
  if (req.method === 'GET' || req.method === 'HEAD') req.resume();
  send(true);
}

const server = createServer({ keepAliveTimeout: 30_000 }, forward);
server.listen(0, '127.0.0.1', () => {
  announce('READY', { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
onStop(
  () =>
    new Promise<void>((r) => {
      process.stderr.write(`delay proxy: ${answered} answers, upstream ${(upstreamMs / Math.max(1, answered)).toFixed(2)} ms each on average\n`);
      server.close(() => r());
      server.closeAllConnections();
    }),
);
