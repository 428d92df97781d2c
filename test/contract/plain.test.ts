import { describe, expect, it } from 'vitest';
import { plainMessage } from '../../src/contract/plain.ts';

describe('plainMessage: validator wording as what was expected', () => {
  it.each([
    ['must be one of "BPE", "BPEA"', 'one of "BPE", "BPEA"'],
    ['must be string', 'a string'],
    ['must be integer,null', 'a whole number or null'],
    ['must be a valid date', 'a date such as 2025-04-23'],
    ['must be a valid date-time', 'a date and time with its offset, such as 2025-04-23T10:00:58Z'],
    ['required property "securing" is missing', 'the required property "securing"'],
    ['has an unexpected property "x"', 'no property "x" (the contract does not list it)'],
    ['must match exactly one schema in oneOf (closest: /name must be string)', 'one of the documented shapes (closest: /name should be a string)'],
    ['must match a schema in anyOf (closest: /1/x must be one of "a")', 'one of the documented shapes (closest: /1/x should be one of "a")'],
    ['must be >= 0', 'a number of at least 0'],
    ['must NOT have fewer than 1 characters', 'at least 1 characters'],
  ])('%s → %s', (message, want) => {
    expect(plainMessage(message)).toBe(want);
    expect(plainMessage(message)).not.toMatch(/\bmust\b|oneOf|anyOf/);
  });
});
