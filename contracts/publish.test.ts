/**
 * Publishing: nothing leaves the machine without PACT_BROKER_BASE_URL; with it,
 * the pact is PUT to the broker's API with the token. The broker here is a
 * local fastify app on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PACT_FILE } from './config.ts';
import { publishPacts } from './publish.ts';

describe('pact publishing', () => {
  const received: { method: string; url: string; auth: string | undefined; body: unknown }[] = [];
  const broker = Fastify();
  let brokerUrl = '';

  beforeAll(async () => {
    broker.put('/*', async (req, reply) => {
      received.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: req.body });
      return reply.code(201).send({});
    });
    brokerUrl = await broker.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => broker.close());

  it('sends nothing when PACT_BROKER_BASE_URL is not set, and prints the equivalent command', async () => {
    const spy = vi.fn<typeof fetch>();
    const lines: string[] = [];
    const result = await publishPacts({
      files: [PACT_FILE],
      consumerVersion: '1.2.3',
      branch: 'main',
      env: { PACT_BROKER_TOKEN: 'secret' },
      fetch: spy,
      log: (l) => lines.push(l),
    });
    expect(spy).not.toHaveBeenCalled();
    expect(result).toMatchObject({ published: false, skipped: 'PACT_BROKER_BASE_URL is not set' });
    expect(lines[0]).toBe('PACT_BROKER_BASE_URL is not set: nothing is published (nothing leaves this machine).');
    expect(result.command).toBe('pact-broker publish contracts/pacts/order-tracking-integrator-order-tracking-api.json --consumer-app-version 1.2.3 --branch main --broker-base-url "$PACT_BROKER_BASE_URL" --broker-token "$PACT_BROKER_TOKEN"');
    expect(lines.join('\n')).not.toContain('secret');
  });

  it('PUTs the pact and the branch to the broker, with the bearer token', async () => {
    const result = await publishPacts({
      files: [PACT_FILE],
      consumerVersion: '1.2.3',
      branch: 'feat/x',
      env: { PACT_BROKER_BASE_URL: `${brokerUrl}/`, PACT_BROKER_TOKEN: 't0k3n' },
      log: () => undefined,
    });
    expect(result.published).toBe(true);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /pacts/provider/order-tracking-api/consumer/order-tracking-integrator/version/1.2.3', 'PUT /pacticipants/order-tracking-integrator/branches/feat%2Fx/versions/1.2.3']);
    expect(received.every((r) => r.auth === 'Bearer t0k3n')).toBe(true);
    expect(received[0]?.body).toEqual(JSON.parse(readFileSync(PACT_FILE, 'utf8')));
  });

  it('reports a broker refusal with the request at fault', async () => {
    const refusing = Fastify();
    refusing.put('/*', async (_req, reply) => reply.code(401).send({ error: 'bad token' }));
    const url = await refusing.listen({ host: '127.0.0.1', port: 0 });
    try {
      await expect(publishPacts({ files: [PACT_FILE], consumerVersion: '1', branch: undefined, env: { PACT_BROKER_BASE_URL: url }, log: () => undefined })).rejects.toThrow(/the broker answered 401 to PUT .*\/pacts\/provider\/order-tracking-api\/consumer\/order-tracking-integrator\/version\/1/);
    } finally {
      await refusing.close();
    }
  });
});
