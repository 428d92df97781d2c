/**
 * Runs the data-driven schema cases of test/contract/cases/*.json (after the
 * JSON-Schema-Test-Suite): each file is first checked against
 * test/contract/cases.schema.json, then each case becomes one `it`, named by its
 * description, asserting validity, the worst severity and where it is earned.
 * A last block checks coverage: every object component has valid instances and
 * a failing instance for each field class it has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/contract/load.ts';
import { validatorsFor, type Violation } from '../../src/contract/validators.ts';
import { Ajv2020, addFormats, checkOf, classOf, fieldClassesOf, HERE, instanceOf, isObject, readCaseFiles, under, worst, type CaseGroup, type FieldClass } from './support.ts';

const spec = loadSpec();
const validators = validatorsFor(spec);
const files = readCaseFiles();

const caseSchema = JSON.parse(readFileSync(join(HERE, 'cases.schema.json'), 'utf8')) as object;
const metaAjv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
addFormats(metaAjv);
const validateCaseFile = metaAjv.compile(caseSchema);

describe('case files', () => {
  it('there are case files to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });
  for (const { file, groups } of files) {
    it(`${file} follows cases.schema.json`, () => {
      const ok = validateCaseFile(groups);
      expect(validateCaseFile.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    });
  }
});

describe('cases.schema.json refuses a malformed case file', () => {
  const ok = { description: 'an instance with data', data: 1, valid: true };
  const rows: [string, unknown][] = [
    ['an empty file', []],
    ['a group without tests', [{ description: 'g', schema: 'OrderState' }]],
    ['a test without valid', [{ description: 'g', schema: 'OrderState', tests: [{ description: 'an instance without a verdict', data: 1 }] }]],
    ['an invalid test without severity and pointer', [{ description: 'g', schema: 'OrderState', tests: [{ description: 'an instance refused somewhere', data: 1, valid: false }] }]],
    ['a valid test carrying a severity', [{ description: 'g', schema: 'OrderState', tests: [{ ...ok, severity: 'error' }] }]],
    ['a description in the "should" style', [{ description: 'g', schema: 'OrderState', tests: [{ ...ok, description: 'should refuse a bad state' }] }]],
    ['a patch without a base', [{ description: 'g', schema: 'OrderState', tests: [{ description: 'a patched instance without base', patch: { '/a': 1 }, valid: true }] }]],
    ['data and patch together', [{ description: 'g', schema: 'OrderState', base: '/x', tests: [{ ...ok, patch: { '/a': 1 } }] }]],
    ['an unknown severity', [{ description: 'g', schema: 'OrderState', tests: [{ description: 'an instance with a made-up severity', data: 1, valid: false, severity: 'fatal', pointer: '' }] }]],
    ['a pointer without a leading slash', [{ description: 'g', schema: 'OrderState', tests: [{ description: 'an instance with a bad pointer', data: 1, valid: false, severity: 'error', pointer: 'state' }] }]],
    ['an operation without a status', [{ description: 'g', schema: { operationId: 'getOrder' }, tests: [ok] }]],
    ['an unknown property in a test', [{ description: 'g', schema: 'OrderState', tests: [{ ...ok, expected: true }] }]],
  ];
  it.each(rows)('%s is refused', (_name, file) => {
    expect(validateCaseFile(file)).toBe(false);
  });
  it('a minimal well-formed file is accepted', () => {
    expect(validateCaseFile([{ description: 'g', schema: 'OrderState', tests: [ok] }])).toBe(true);
  });
});

/** Files that pass the case schema, typed; a file that fails is reported above and skipped here. */
const groupsByFile = files.filter(({ groups }) => validateCaseFile(groups)).map(({ file, groups }) => ({ file, groups: groups as CaseGroup[] }));

function label(ref: CaseGroup['schema']): string {
  if (typeof ref === 'string') return ref;
  return 'request' in ref ? `${ref.operationId} request` : `${ref.operationId} ${ref.status}`;
}

function judge(group: CaseGroup, test: CaseGroup['tests'][number]): Violation[] {
  return checkOf(validators, group.schema)(instanceOf(spec, group, test));
}

for (const { file, groups } of groupsByFile) {
  describe(file, () => {
    for (const group of groups) {
      describe(`${group.description} [${label(group.schema)}]`, () => {
        for (const test of group.tests) {
          it(test.description, () => {
            const violations = judge(group, test);
            if (test.valid) {
              expect(violations).toEqual([]);
              return;
            }
            expect(violations.length, 'the instance is refused').toBeGreaterThan(0);
            expect(worst(violations), JSON.stringify(violations)).toBe(test.severity);
            const where = violations.filter((v) => v.pointer === test.pointer && v.severity === test.severity);
            expect(where.length, `a ${test.severity} at "${test.pointer}" in ${JSON.stringify(violations)}`).toBeGreaterThan(0);
            const elsewhere = violations.filter((v) => !under(v.pointer, test.pointer ?? ''));
            expect(elsewhere, 'no violation outside the pointer').toEqual([]);
          });
        }
      });
    }
  });
}

describe('coverage of the object components', () => {
  const objectComponents = Object.entries(spec.schemas)
    .filter(([, s]) => s.type === 'object' || isObject(s.properties))
    .map(([name]) => name);
  const allGroups = groupsByFile.flatMap((f) => f.groups);

  it('the components the issue names are object schemas of openapi.yaml', () => {
    const named = [
      'OrderSummary',
      'OrderDetail',
      'Product',
      'ProductOption',
      'ContactInformation',
      'Manager',
      'TerminationError',
      'HistoryEntry',
      'OrderHistory',
      'DocumentGroup',
      'TerminateReasons',
      'OrderRequest',
      'OrderActionCreate',
      'ProductOrderCreate',
      'ProductOrder',
      'ProductOrderItem',
      'ExportTask',
      'ExportStatus',
    ];
    expect(objectComponents).toEqual(expect.arrayContaining(named));
  });

  for (const name of objectComponents) {
    it(`${name} has valid instances and a refused one for each of its field classes`, () => {
      const groups = allGroups.filter((g) => g.schema === name);
      expect(groups.length, `a case group for ${name}`).toBeGreaterThan(0);
      const tests = groups.flatMap((g) => g.tests.map((t) => ({ g, t })));
      expect(tests.filter(({ t }) => t.valid).length, `a valid ${name}`).toBeGreaterThan(0);
      const seen = new Set<FieldClass>();
      for (const { g, t } of tests) {
        if (t.valid) continue;
        for (const v of judge(g, t)) {
          const c = classOf(v);
          if (c) seen.add(c);
        }
      }
      const needed = [...fieldClassesOf(spec, spec.schemas[name] ?? {})].sort();
      expect(needed.length).toBeGreaterThan(0);
      expect([...seen].filter((c) => needed.includes(c)).sort()).toEqual(needed);
    });
  }
});
