/**
 * Child: a bare Fastify server whose routes answer constant JSON bodies (the
 * same bytes the reference server sent), the floor the reference server is
 * compared with. Arguments: `{routes: {path: body}}`. Announces `@@READY {baseUrl}`.
 */
import Fastify from 'fastify';
import { announce, childArgs, onStop } from './lib.ts';

const { routes } = childArgs<{ routes: Record<string, string> }>();
const app = Fastify({ logger: false });
for (const [path, body] of Object.entries(routes)) {
  app.get(path, async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(body));
}
const address = await app.listen({ host: '127.0.0.1', port: 0 });
onStop(() => app.close());
announce('READY', { baseUrl: address });
