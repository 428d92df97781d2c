/**
 * Schema violations in words people read (issue 18): the one place where a
 * validator's wording ("must be one of", "must match exactly one schema in
 * oneOf") becomes what a finding says was expected. A finding reads
 * "`/state`: expected one of "active", "terminated" / received "actve"".
 */
import type { Violation } from './validators.ts';

const TYPES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list (JSON array)',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  date: 'a date such as 2025-04-23',
  'date-time': 'a date and time with its offset, such as 2025-04-23T10:00:58Z',
  uuid: 'a UUID',
  email: 'an e-mail address',
  uri: 'a URL',
};

function typeWords(list: string): string {
  const names = list.split(',').map((t) => TYPES[t.trim()] ?? t.trim());
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? list);
}

/** One validator message (as src/contract/validators.ts words it) as what was expected, in plain words. */
export function plainMessage(message: string): string {
  const closest = /^(.*?) \(closest: (\S*) (.*)\)$/.exec(message);
  if (closest) return `${plainMessage(closest[1] as string)} (closest: ${closest[2]} should be ${plainMessage(closest[3] as string)})`;
  let m: RegExpExecArray | null;
  if ((m = /^required property "(.*)" is missing$/.exec(message))) return `the required property "${m[1]}"`;
  if ((m = /^must be one of (.*)$/.exec(message))) return `one of ${m[1]}`;
  if ((m = /^must be a valid (.*)$/.exec(message))) return FORMATS[m[1] as string] ?? `a valid ${m[1]}`;
  if ((m = /^has an unexpected property "(.*)"$/.exec(message))) return `no property "${m[1]}" (the contract does not list it)`;
  if ((m = /^must not match (.*)$/.exec(message))) return `a value other than ${m[1]}`;
  if (/^must match (exactly one|a) schema in (oneOf|anyOf)$/.test(message)) return 'one of the documented shapes';
  if ((m = /^must be ([a-z]+(?:,[a-z]+)*)$/.exec(message))) return typeWords(m[1] as string);
  if ((m = /^must be (>=|<=|>|<) (.*)$/.exec(message))) return `a number ${{ '>=': 'of at least', '<=': 'of at most', '>': 'above', '<': 'below' }[m[1] as string]} ${m[2]}`;
  if ((m = /^must NOT have (fewer|more) than (\d+) (characters|items)$/.exec(message))) return `${m[1] === 'fewer' ? 'at least' : 'at most'} ${m[2]} ${m[3]}`;
  if ((m = /^must match pattern "(.*)"$/.exec(message))) return `text matching ${m[1]}`;
  return message.replace(/^must be /, '');
}

/** What a violation expected, in plain words. */
export function plainExpectation(v: Pick<Violation, 'message'>): string {
  return plainMessage(v.message);
}
