/**
 * Hostile servers: targets that do not behave like an HTTP API at all. Each
 * listens on 127.0.0.1 (port 0), counts the connections it saw, and closes
 * every socket it holds on `close()`.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Hostile {
  name: string;
  /** what the server does, in the present tense */
  does: string;
  baseUrl: string;
  /** connections accepted so far */
  connections: () => number;
  /** bytes written so far (endless body) */
  written: () => number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function shut(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
}

/** Raw TCP: the handler sees each socket. */
async function tcp(name: string, does: string, onSocket: (s: Socket) => void): Promise<Hostile> {
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createNetServer((s) => {
    n++;
    onSocket(s);
  });
  const port = await listen(server, sockets);
  return { name, does, baseUrl: `http://127.0.0.1:${port}`, connections: () => n, written: () => 0, close: () => shut(server, sockets) };
}

/** HTTP: the handler sees each request. */
async function http(name: string, does: string, onRequest: (req: IncomingMessage, res: ServerResponse, count: (bytes: number) => void) => void): Promise<Hostile> {
  const sockets = new Set<Socket>();
  let n = 0;
  let written = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    onRequest(req, res, (b) => {
      written += b;
    });
  });
  server.on('connection', () => n++);
  const port = await listen(server, sockets);
  return { name, does, baseUrl: `http://127.0.0.1:${port}`, connections: () => n, written: () => written, close: () => shut(server, sockets) };
}

/** Accepts connections, reads the request and never answers. */
export function silentServer(): Promise<Hostile> {
  return tcp('silent', 'accepts connections and never answers', (s) => {
    s.resume();
  });
}

/** Resets every connection as soon as a request arrives. */
export function resettingServer(): Promise<Hostile> {
  return tcp('reset', 'resets every connection as soon as a request arrives', (s) => {
    s.once('data', () => s.resetAndDestroy());
  });
}

/** Answers every request 200 application/json with a body that does not parse. */
export function invalidJsonServer(): Promise<Hostile> {
  return http('invalid-json', 'answers every request 200 application/json with a body that is not JSON', (_req, res) => {
    const body = '{"results": [{"order_reference": "CMD_1", "state": "active",';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
}

/** Answers every request 200 application/json and streams a body that never ends (with backpressure). */
export function endlessServer(): Promise<Hostile> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  chunk.write('{"results": [');
  return http('endless', 'answers every request 200 and streams a JSON body that never ends', (req, res, count) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let open = true;
    const stop = (): void => {
      open = false;
    };
    req.socket.once('close', stop);
    res.once('close', stop);
    const pump = (): void => {
      while (open) {
        count(chunk.length);
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** Answers every request 302 to itself. */
export function redirectLoopServer(): Promise<Hostile> {
  return http('redirect-loop', 'answers every request 302 with a Location pointing at itself', (req, res) => {
    res.writeHead(302, { location: req.url ?? '/', 'content-length': '0' });
    res.end();
  });
}

export const HOSTILE = [silentServer, resettingServer, invalidJsonServer, endlessServer, redirectLoopServer] as const;
