/**
 * The loader: stable error codes for a contract that does not load or is not
 * usable, and agreement between openapi.yaml's requirement IDs and
 * ../shared/api/ANALYSIS.md.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConformanceError, type ErrorCode } from '../../src/errors.ts';
import { DEFAULT_SPEC_PATH, deref, enumOf, loadSpec, parseSpec } from '../../src/contract/load.ts';
import { REPO } from './support.ts';

/** The ConformanceError code a call throws (fails when it throws anything else, or nothing). */
function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConformanceError);
    return (err as ConformanceError).code;
  }
  throw new Error('expected a ConformanceError, nothing was thrown');
}

const MINIMAL = `openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /a/:
    get:
      operationId: getA
      x-requirements: [A-ONE]
      responses:
        '200': { description: ok }
x-lifecycle: {}
x-requirements:
  A-ONE: { area: x, source: documented, title: One }
`;

describe('parseSpec error codes', () => {
  it('a minimal valid contract parses', () => {
    const s = parseSpec(MINIMAL);
    expect(s.operations.get('getA')?.requirements).toEqual(['A-ONE']);
    expect(s.requirements.get('A-ONE')?.source).toBe('documented');
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  const rows: [string, string, ErrorCode][] = [
    ['malformed YAML', 'openapi: 3.1.0\npaths: {\n  broken: [', 'CONF_ERR_SPEC_LOAD'],
    ['YAML with a duplicate key', 'openapi: 3.1.0\nopenapi: 3.1.0\n', 'CONF_ERR_SPEC_LOAD'],
    ['an OpenAPI 3.0 document', MINIMAL.replace('openapi: 3.1.0', 'openapi: 3.0.3'), 'CONF_ERR_SPEC_INVALID'],
    ['a Swagger 2.0 document', MINIMAL.replace('openapi: 3.1.0', 'swagger: "2.0"'), 'CONF_ERR_SPEC_INVALID'],
    ['a YAML scalar', 'just a string', 'CONF_ERR_SPEC_INVALID'],
    ['an empty file', '', 'CONF_ERR_SPEC_INVALID'],
    ['a document without paths', MINIMAL.replace(/paths:[\s\S]*?x-lifecycle/, 'x-lifecycle'), 'CONF_ERR_SPEC_INVALID'],
    ['a document without x-lifecycle', MINIMAL.replace('x-lifecycle: {}\n', ''), 'CONF_ERR_SPEC_INVALID'],
    ['a document without x-requirements', MINIMAL.replace(/x-requirements:\n[\s\S]*$/, ''), 'CONF_ERR_SPEC_INVALID'],
    ['an operation citing an unknown requirement ID', MINIMAL.replace('[A-ONE]', '[A-ONE, NOPE-TWO]'), 'CONF_ERR_SPEC_INVALID'],
    ['a document with a YAML alias', MINIMAL.replace("info: { title: t, version: '1' }", "info: &info { title: t, version: '1' }\nx-copy: *info"), 'CONF_ERR_SPEC_INVALID'],
    ['a requirement whose title an unquoted comma split (an unknown key)', MINIMAL.replace('title: One', 'title: One, two and three'), 'CONF_ERR_SPEC_INVALID'],
    ['a requirement without a documented/inferred source', MINIMAL.replace('source: documented', 'source: folklore'), 'CONF_ERR_SPEC_INVALID'],
    ['a reference to another file', MINIMAL.replace("'200': { description: ok }", "'200': { $ref: 'other.yaml#/x' }"), 'CONF_ERR_SPEC_INVALID'],
    ['an unresolved local reference', MINIMAL.replace("'200': { description: ok }", "'200': { $ref: '#/components/responses/Nope' }"), 'CONF_ERR_SPEC_INVALID'],
  ];
  for (const [name, text, code] of rows) {
    it(`${name} → ${code}`, () => {
      expect(codeOf(() => parseSpec(text))).toBe(code);
    });
  }

  it('refuses an alias bomb at once, without expanding it', () => {
    const lines = ['openapi: 3.1.0', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 30; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    // 10^31 leaves if expanded: an implementation that expands never returns (the test timeout fails it)
    expect(() => parseSpec(lines.join('\n'))).toThrow(/YAML alias/);
  });

  it('names the unknown requirement and the operation citing it', () => {
    expect(() => parseSpec(MINIMAL.replace('[A-ONE]', '[NOPE-TWO]'))).toThrow(/getA cites unknown requirement NOPE-TWO/);
  });

  it('gives CONF_ERR_SPEC_LOAD and CONF_ERR_SPEC_INVALID an exit status of 2', () => {
    expect(new ConformanceError('CONF_ERR_SPEC_LOAD', 'x').exitCode).toBe(2);
    expect(new ConformanceError('CONF_ERR_SPEC_INVALID', 'x').exitCode).toBe(2);
  });
});

describe('loadSpec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spec-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file → CONF_ERR_SPEC_LOAD, naming the file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(codeOf(() => loadSpec(missing))).toBe('CONF_ERR_SPEC_LOAD');
    expect(() => loadSpec(missing)).toThrow(/nope\.yaml.*ENOENT/);
  });

  it('a directory → CONF_ERR_SPEC_LOAD', () => {
    expect(codeOf(() => loadSpec(dir))).toBe('CONF_ERR_SPEC_LOAD');
  });

  it('a malformed file → CONF_ERR_SPEC_LOAD, naming the file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'openapi: [3.1\n');
    expect(codeOf(() => loadSpec(bad))).toBe('CONF_ERR_SPEC_LOAD');
    expect(() => loadSpec(bad)).toThrow(/bad\.yaml is not valid YAML/);
  });

  it('loads the project contract once, hashing its bytes', () => {
    const a = loadSpec();
    expect(loadSpec(DEFAULT_SPEC_PATH)).toBe(a);
    expect(a.hash).toBe(parseSpec(readFileSync(DEFAULT_SPEC_PATH, 'utf8')).hash);
    expect(a.operations.size).toBeGreaterThanOrEqual(12);
  });

  it('deref follows references and leaves other nodes alone', () => {
    const s = loadSpec();
    expect(deref(s.doc, { $ref: '#/components/schemas/OrderState' })).toBe(s.schemas.OrderState);
    expect(deref(s.doc, 'plain')).toBe('plain');
  });

  it('enumOf refuses a schema without an enum with CONF_ERR_SPEC_INVALID', () => {
    expect(codeOf(() => enumOf(loadSpec(), 'OrderDetail'))).toBe('CONF_ERR_SPEC_INVALID');
    expect(enumOf(loadSpec(), 'OfferFamily')).toEqual(['BPE', 'BPEA']);
  });
});

describe('the project contract', () => {
  const spec = loadSpec();

  it('covers the 12 documented endpoints', () => {
    const documented = [
      'POST /api/v1/product_order/',
      'GET /api/v1/order/',
      'GET /api/v1/order/{order_reference}/',
      'GET /api/v1/order/{order_reference}/documents/',
      'GET /api/v1/order/{order_reference}/{filename}/download/',
      'GET /api/v1/order/{order_reference}/historic/',
      'GET /api/v1/terminate_reason/',
      'POST /api/v1/order/{order_reference}/{action}/',
      'GET /api/v1/order_request/',
      'POST /api/v1/order/export/csv/',
      'GET /api/v1/order/export/{task_id}/status/',
      'GET /api/v1/order/export/{task_id}/download/',
    ];
    const have = [...spec.operations.values()].map((o) => `${o.method} ${o.path}`);
    expect(have).toEqual(expect.arrayContaining(documented));
  });

  it('every operation cites at least one requirement, and only known ones', () => {
    for (const op of spec.operations.values()) {
      expect(op.requirements.length, op.operationId).toBeGreaterThan(0);
      for (const id of op.requirements) expect(spec.requirements.has(id), `${op.operationId} → ${id}`).toBe(true);
    }
  });

  it('every operation has a unique operationId and a 401 response (bearer auth everywhere)', () => {
    const ids = [...spec.operations.values()].map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of spec.operations.values()) expect(Object.keys(op.responses), op.operationId).toContain('401');
  });
});

// ------------------------------------------------------ ANALYSIS.md agreement
const ANALYSIS_PATH = join(REPO, '../shared/api/ANALYSIS.md');

/** The rows of ANALYSIS.md's "Requirement IDs" table: ID → D or I. */
function analysisRequirements(text: string): Map<string, 'D' | 'I'> {
  const section = text.slice(text.indexOf('## Requirement IDs'));
  const end = section.indexOf('\n## ', 3);
  const rows = new Map<string, 'D' | 'I'>();
  for (const line of (end > 0 ? section.slice(0, end) : section).split('\n')) {
    const m = /^\|\s*`([A-Z0-9-]+)`\s*\|[^|]*\|\s*([DI])\b/.exec(line);
    if (m?.[1] && (m[2] === 'D' || m[2] === 'I')) rows.set(m[1], m[2]);
  }
  return rows;
}

describe.skipIf(!existsSync(ANALYSIS_PATH))('agreement with ../shared/api/ANALYSIS.md', () => {
  const spec = loadSpec();
  const rows = analysisRequirements(existsSync(ANALYSIS_PATH) ? readFileSync(ANALYSIS_PATH, 'utf8') : '');

  it('the requirement table is read (more than 25 IDs)', () => {
    expect(rows.size).toBeGreaterThan(25);
  });

  it('every requirement ID of ANALYSIS.md exists in x-requirements', () => {
    expect([...rows.keys()].filter((id) => !spec.requirements.has(id))).toEqual([]);
  });

  it('every requirement ID has the same documented/inferred source as in ANALYSIS.md', () => {
    const differ = [...rows].filter(([id, src]) => spec.requirements.get(id)?.source !== (src === 'D' ? 'documented' : 'inferred')).map(([id, src]) => `${id}: ANALYSIS says ${src}, openapi.yaml says ${spec.requirements.get(id)?.source}`);
    expect(differ).toEqual([]);
  });
});
