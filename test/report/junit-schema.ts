/**
 * The shape of the common JUnit XSD (the "JUnit.xsd" of Ant's XML formatter,
 * as published by windyroad and followed by GitHub test reporters, GitLab's
 * `artifacts:reports:junit` and Jenkins), checked on a parsed tree without a
 * network or an XSD engine. Elements and their order, required attributes,
 * and the simple types: `time` a decimal number of seconds, `timestamp` an
 * ISO 8601 date-time without a timezone, counts non-negative integers.
 * Returns the problems found (empty: valid).
 */
import type { XmlElement } from './xml.ts';

type Rule = { required: string[]; optional: string[]; children: { name: string; min: number; max: number }[]; text?: boolean };

const DECIMAL = /^-?\d+(\.\d+)?$/;
const COUNT = /^\d+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const MANY = Number.POSITIVE_INFINITY;

const RULES: Record<string, Rule> = {
  testsuites: { required: [], optional: ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time'], children: [{ name: 'testsuite', min: 0, max: MANY }] },
  testsuite: {
    required: ['name', 'tests'],
    optional: ['failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp', 'hostname', 'id', 'package'],
    children: [
      { name: 'properties', min: 0, max: 1 },
      { name: 'testcase', min: 0, max: MANY },
      { name: 'system-out', min: 0, max: 1 },
      { name: 'system-err', min: 0, max: 1 },
    ],
  },
  properties: { required: [], optional: [], children: [{ name: 'property', min: 1, max: MANY }] },
  property: { required: ['name', 'value'], optional: [], children: [] },
  testcase: {
    required: ['name'],
    optional: ['classname', 'time', 'assertions', 'status', 'file', 'line'],
    // skipped, error and failure are alternatives; system-out/err after them
    children: [
      { name: 'skipped', min: 0, max: 1 },
      { name: 'error', min: 0, max: MANY },
      { name: 'failure', min: 0, max: MANY },
      { name: 'system-out', min: 0, max: MANY },
      { name: 'system-err', min: 0, max: MANY },
    ],
  },
  skipped: { required: [], optional: ['message'], children: [], text: true },
  error: { required: ['type'], optional: ['message'], children: [], text: true },
  failure: { required: ['type'], optional: ['message'], children: [], text: true },
  'system-out': { required: [], optional: [], children: [], text: true },
  'system-err': { required: [], optional: [], children: [], text: true },
};

const TYPED: Record<string, RegExp> = { time: DECIMAL, tests: COUNT, failures: COUNT, errors: COUNT, skipped: COUNT, disabled: COUNT, timestamp: TIMESTAMP, assertions: COUNT };

export function junitProblems(root: XmlElement): string[] {
  const problems: string[] = [];
  const visit = (el: XmlElement, path: string): void => {
    const rule = RULES[el.name];
    if (!rule) return void problems.push(`${path}: element <${el.name}> is not in the schema`);
    for (const a of rule.required) if (!(a in el.attrs)) problems.push(`${path}: required attribute ${a} missing`);
    for (const [a, v] of Object.entries(el.attrs)) {
      if (!rule.required.includes(a) && !rule.optional.includes(a)) problems.push(`${path}: attribute ${a} is not in the schema`);
      const type = TYPED[a];
      if (type && !type.test(v)) problems.push(`${path}: ${a}="${v}" is not of its type`);
    }
    const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string');
    if (!rule.text && el.children.some((c) => typeof c === 'string' && c.trim() !== '')) problems.push(`${path}: text where only elements may be`);
    // the children in the rule's order, each within its bounds
    let at = 0;
    for (const c of rule.children) {
      let n = 0;
      while (elements[at]?.name === c.name) {
        n++;
        at++;
      }
      if (n < c.min || n > c.max) problems.push(`${path}: ${n} <${c.name}> (allowed ${c.min} to ${c.max})`);
    }
    if (at < elements.length) problems.push(`${path}: <${elements[at]?.name}> out of place`);
    if (el.name === 'testcase' && elements.filter((c) => ['skipped', 'error', 'failure'].includes(c.name)).length > 1) problems.push(`${path}: more than one of skipped, error, failure`);
    elements.forEach((c, i) => {
      visit(c, `${path}/${c.name}[${i}]`);
    });
  };
  visit(root, root.name);
  return problems;
}
