/**
 * A server's JSON is hostile input: before it is parsed (or walked by a
 * validator, a redactor or a report writer, all recursive) one linear scan
 * bounds its nesting depth and finds keys given twice in one object (a
 * consumer's parser keeps the last value, another's the first: the document
 * means two things), and measures its longest string. No recursion, no
 * allocation per value, one `Set` per object.
 */

/** Deepest nesting the kit parses; the contract's documents nest under 10 levels. */
export const MAX_JSON_DEPTH = 64;

export interface JsonScan {
  /** why the text must not be parsed or trusted, if it must not */
  problem?: string;
  /** length of the longest string (as written, escapes included) */
  longest: number;
}

/**
 * Scans JSON text (assumed well-formed; JSON.parse judges that) for nesting
 * deeper than `maxDepth`; counts the keys it holds and measures its longest
 * string. With `names`, also finds a key given twice in one object (slower:
 * a `Set` per object), which `duplicateKey` does only when the counts say so.
 */
export function scanJson(text: string, maxDepth = MAX_JSON_DEPTH, names = false): JsonScan & { keys: number } {
  // per open container: a Set of keys for an object (with `names`), null otherwise; `objects` says which is which
  const stack: (Set<string> | null)[] = [];
  const objects: boolean[] = [];
  let expectKey = false;
  let longest = 0;
  let keys = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: find its closing quote (one not escaped by an odd run of backslashes)
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) return { longest, keys };
        let k = j - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (expectKey) {
        keys++;
        expectKey = false;
        const top = stack[stack.length - 1];
        if (top) {
          let key = text.slice(i + 1, j);
          if (key.includes('\\')) {
            try {
              key = JSON.parse(`"${key}"`) as string;
            } catch {
              // JSON.parse of the whole text will say so
            }
          }
          if (top.has(key)) return { problem: `the key ${JSON.stringify(key.slice(0, 100))} appears twice in one object (at character ${i})`, longest, keys };
          top.add(key);
        }
      }
      if (j - i - 1 > longest) longest = j - i - 1;
      i = j;
    } else if (c === 123 || c === 91) {
      if (stack.length >= maxDepth) return { problem: `the JSON nests deeper than ${maxDepth} levels (at character ${i})`, longest, keys };
      stack.push(c === 123 && names ? new Set() : null);
      objects.push(c === 123);
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      stack.pop();
      objects.pop();
      expectKey = false;
    } else if (c === 44) {
      expectKey = objects[objects.length - 1] === true;
    }
  }
  return { longest, keys };
}

/** How many keys a parsed JSON value holds, all objects counted (iterative: no recursion). */
export function countKeys(value: unknown): number {
  let n = 0;
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') todo.push(x);
      continue;
    }
    for (const k in v) {
      n++;
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') todo.push(x);
    }
  }
  return n;
}

/**
 * Why a parsed document means two things, if it does: its text holds more
 * keys than the value JSON.parse made of it (a key given twice keeps one
 * value); the slow scan then names the key.
 */
export function duplicateKey(text: string, keysInText: number, value: unknown): string | undefined {
  if (countKeys(value) === keysInText) return undefined;
  return scanJson(text, MAX_JSON_DEPTH, true).problem ?? 'a key appears twice in one object';
}

/** Longest string value the kit keeps from a JSON body; longer ones are judged by their head. */
export const MAX_JSON_STRING = 1024 * 1024;

/**
 * JSON.parse, with every string longer than MAX_JSON_STRING cut to it (a
 * fresh copy, so the 30 MB original is not kept alive by a slice) and marked
 * with "…". Used only when the scan saw such a string: a huge field then
 * costs its head, not its size, for as long as the exchange is kept.
 */
export function parseCut(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' && v.length > MAX_JSON_STRING ? `${Buffer.from(v.slice(0, MAX_JSON_STRING), 'utf8').toString('utf8')}…` : v));
}
