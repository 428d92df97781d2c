/**
 * The fuzz arbitraries and encodings (src/fuzz/arbitraries.ts, request.ts):
 * derived from openapi.yaml, every value sendable, every "invalid" body
 * invalid by the spec's own validators, filter readings as a DRF-style server
 * may read them.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RAW_TRICKS, UNKNOWN_NAMES, invalidActionBody, invalidProductOrderBody, isNormalisedAway, parametersOf, queryArb, segmentArb, type Body } from '../../src/fuzz/arbitraries.ts';
import { readings } from '../../src/fuzz/properties.ts';
import { encode, queryString, segment, withQuery } from '../../src/fuzz/request.ts';
import { validatorsFor } from '../../src/contract/validators.ts';
import { spec } from './support.ts';

const REASONS = ["Cessation d'activité", 'Autres motifs, précisez en commentaire'];
/** What undici accepts as a request target. */
const SENDABLE = /^[\u0021-\u007e]*$/;

describe('parametersOf', () => {
  it.each([
    { operationId: 'listOrders', want: ['query page integer', 'query page_size integer'] },
    { operationId: 'listOrderRequests', want: ['query order_reference string', 'query action string', 'query page integer', 'query page_size integer'] },
    { operationId: 'downloadOrderDocument', want: ['path order_reference string', 'path filename string'] },
    { operationId: 'getOrderExportStatus', want: ['path task_id string'] },
  ])('reads the parameters of $operationId from the spec', ({ operationId, want }) => {
    expect(parametersOf(spec, operationId).map((p) => `${p.in} ${p.name} ${String(p.schema.type)}`)).toEqual(want);
  });

  it('follows the PageSize reference to its bounds', () => {
    expect(parametersOf(spec, 'listOrders').find((p) => p.name === 'page_size')?.schema).toMatchObject({ minimum: 1, maximum: 1000 });
  });
});

describe('queries', () => {
  it('names only declared and known-unknown parameters, and sends every value as a valid request target', () => {
    const declared = ['page', 'page_size'];
    fc.assert(
      fc.property(queryArb(parametersOf(spec, 'listOrders')), (parts) => {
        for (const p of parts) expect([...declared, ...UNKNOWN_NAMES]).toContain(p.name);
        for (const p of parts.filter((x) => x.raw)) expect(RAW_TRICKS).toContain(p.value);
        expect(withQuery('/api/v1/order/', parts)).toMatch(SENDABLE);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it.each([
    { parts: [], want: '' },
    { parts: [{ name: 'page_size', value: '\u0080' }], want: 'page_size=%C2%80' },
    {
      parts: [
        { name: 'page', value: '1' },
        { name: 'page', value: '2' },
      ],
      want: 'page=1&page=2',
    },
    { parts: [{ name: 'page', value: '%zz', raw: true as const }], want: 'page=%zz' },
    { parts: [{ name: 'a b', value: 'x&y=z' }], want: 'a%20b=x%26y%3Dz' },
    { parts: [{ name: 'action', value: '\uD800' }], want: 'action=%EF%BF%BD' },
  ])('encodes $parts as "$want"', ({ parts, want }) => {
    expect(queryString(parts)).toBe(want);
  });

  it('encodes a lone surrogate instead of throwing', () => {
    expect(encode('a\uDC00b')).toBe('a%EF%BF%BDb');
  });
});

describe('path segments', () => {
  it.each([
    { s: { value: '..' }, want: true },
    { s: { value: '.' }, want: true },
    { s: { value: '' }, want: true },
    { s: { value: '%2e%2e', raw: true as const }, want: true },
    { s: { value: '%2F', raw: true as const }, want: false },
    { s: { value: '...' }, want: false },
    { s: { value: 'CMD_X_1' }, want: false },
  ])('$s is normalised away by URL rules: $want', ({ s, want }) => {
    expect(isNormalisedAway(s)).toBe(want);
  });

  it('never yields a segment URL normalisation would remove, and every one is sendable', () => {
    fc.assert(
      fc.property(segmentArb(['CMD_X_00000001']), (s) => {
        expect(isNormalisedAway(s)).toBe(false);
        expect(segment(s)).toMatch(/^[\u0021-\u007e]+$/);
        expect(segment(s)).not.toContain('/');
      }),
      { seed: 2, numRuns: 300 },
    );
  });
});

describe('invalid bodies', () => {
  const validators = validatorsFor(spec);
  const invalid = (operationId: string, body: Body, extra: (json: unknown) => boolean = () => false): boolean => {
    if ('text' in body) {
      try {
        const parsed = JSON.parse(body.text) as unknown;
        return (validators.request(operationId)?.(parsed).length ?? 0) > 0 || extra(parsed);
      } catch {
        return true;
      }
    }
    return (validators.request(operationId)?.(body.json).length ?? 0) > 0 || extra(body.json);
  };

  it('a termination body is always refused by the spec or names a reason not in the list', () => {
    const unlisted = (json: unknown): boolean => {
      const reason = (json as { reason?: unknown } | null)?.reason;
      return typeof reason === 'string' && !REASONS.includes(reason);
    };
    fc.assert(
      fc.property(invalidActionBody(REASONS), (body) => {
        expect(invalid('requestOrderAction', body, unlisted), JSON.stringify(body)).toBe(true);
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it('never pads a listed reason with spaces (serialisers trim it back into a valid one)', () => {
    fc.assert(
      fc.property(invalidActionBody(REASONS), (body) => {
        const reason = 'json' in body ? (body.json as { reason?: unknown } | null)?.reason : undefined;
        if (typeof reason === 'string') expect(REASONS.includes(reason.trim()) && reason !== reason.trim()).toBe(false);
      }),
      { seed: 4, numRuns: 500 },
    );
  });

  it('a product order body is always refused by the spec', () => {
    fc.assert(
      fc.property(invalidProductOrderBody(spec), (body) => {
        expect(invalid('createProductOrder', body), JSON.stringify(body).slice(0, 300)).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

describe('filter readings', () => {
  it.each([
    { v: 'Résiliation', want: ['Résiliation'] },
    { v: ' Résiliation ', want: [' Résiliation ', 'Résiliation'] },
    { v: 'Re\u0301siliation', want: ['Re\u0301siliation', 'Résiliation'] },
    { v: '', want: ['', undefined] },
    { v: '  ', want: ['  ', '', undefined] },
  ])('"$v" may mean $want', ({ v, want }) => {
    expect(readings(v)).toEqual(want);
  });
});
