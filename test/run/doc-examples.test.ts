/**
 * Honest in both directions: a server that answers with nothing but the
 * provider's own documentation examples (as embedded in openapi.yaml) gets
 * zero errors. Where the documentation contradicts itself the suite may only
 * warn: its history example's timestamps go backwards (HIST-TIME), and its
 * list and detail say `in_progress` while its history ends `active`
 * (ORD-CONSISTENT).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/engine/options.ts';
import { runConformance } from '../../src/engine/run.ts';
import type { Report } from '../../src/report/types.ts';
import { loadSpec, type JsonObject } from '../../src/contract/load.ts';

const TOKEN = 'doc-examples-token-7f3a';
const spec = loadSpec();
const doc = spec.doc as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { examples?: Record<string, { value?: unknown; $ref?: string }> }> }> }>>;
  components: { examples: Record<string, { value: unknown }> };
};

/** The `documentation` example of an operation's 200 response, resolving $ref. */
function docExample(path: string, method = 'get'): unknown {
  const ex = doc.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.examples?.documentation;
  if (!ex) throw new Error(`no documentation example for ${method} ${path}`);
  if (ex.$ref) return doc.components.examples[ex.$ref.split('/').pop() ?? '']?.value;
  return ex.value;
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');

function docServer(): FastifyInstance {
  const app = Fastify();
  const list = docExample('/api/v1/order/') as JsonObject[];
  const detail = docExample('/api/v1/order/{order_reference}/') as JsonObject;
  const history = docExample('/api/v1/order/{order_reference}/historic/');
  const documents = docExample('/api/v1/order/{order_reference}/documents/') as { type: string; values: string[] }[];
  const reasons = docExample('/api/v1/terminate_reason/');
  const requests = docExample('/api/v1/order_request/') as JsonObject[];
  const ref = String(detail.order_reference);
  const files = new Set(documents.flatMap((g) => g.values));
  app.addHook('onRequest', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) await reply.code(401).send({ detail: 'Authentication credentials were not provided.' });
  });
  const notFound = { detail: 'Not found.' };
  app.get('/api/v1/order/', async () => list);
  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/', async (req, reply) => (req.params.ref === ref ? detail : reply.code(404).send(notFound)));
  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/historic/', async (req, reply) => (req.params.ref === ref ? history : reply.code(404).send(notFound)));
  app.get<{ Params: { ref: string } }>('/api/v1/order/:ref/documents/', async (req, reply) => (req.params.ref === ref ? documents : reply.code(404).send(notFound)));
  app.get<{ Params: { ref: string; file: string } }>('/api/v1/order/:ref/:file/download/', async (req, reply) => (req.params.ref === ref && files.has(req.params.file) ? reply.type('application/pdf').send(PDF) : reply.code(404).send(notFound)));
  app.get('/api/v1/terminate_reason/', async () => reasons);
  app.get<{ Querystring: Record<string, string> }>('/api/v1/order_request/', async (req) => requests.filter((r) => ['order_reference', 'action'].every((k) => req.query[k] === undefined || r[k] === req.query[k])));
  app.get('/api/v1/order/export/:task/status/', async (_req, reply) => reply.code(404).send(notFound));
  app.get('/api/v1/order/export/:task/download/', async (_req, reply) => reply.code(404).send(notFound));
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send(notFound));
  return app;
}

describe('the documentation examples, served as they are', () => {
  let app: FastifyInstance;
  let report: Report;

  beforeAll(async () => {
    app = docServer();
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const outcome = await runConformance(resolveOptions({ baseUrl, token: TOKEN, seed: 7, fuzzRuns: 0 }));
    report = outcome.report;
  });
  afterAll(async () => {
    await app.close();
  });

  it('pass with zero errors', () => {
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.check}: ${r.message}`);
    expect(failed).toEqual([]);
    expect(report.summary.errors).toBe(0);
    expect(report.verdict).toBe('PASS');
  });

  it('warn only where the documentation contradicts itself', () => {
    const warned = report.results
      .filter((r) => r.status === 'warn')
      .map((r) => r.id)
      .sort();
    expect(warned).toEqual(['HIST-TIME', 'ORD-CONSISTENT']);
  });

  it('examine the documented shapes rather than skip them', () => {
    const examined = Object.fromEntries(report.results.map((r) => [r.check, r.examined]));
    for (const check of ['order_list_schema', 'order_detail_schema', 'history_schema', 'history_order', 'documents_schema', 'document_download', 'terminate_reasons_schema', 'order_requests_schema', 'order_requests_filter', 'auth_missing_credentials', 'order_not_found']) {
      expect(examined[check], check).toBeGreaterThan(0);
    }
  });
});
