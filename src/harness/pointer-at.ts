/**
 * Where a JSON pointer's value starts in a JSON text, without parsing the
 * whole document: the evidence shows the part of the body around the value at
 * fault, not the body's first bytes (issue 18). A pointer to a member that is
 * missing locates the nearest object or array that holds it.
 */

function skipWs(t: string, i: number): number {
  while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++;
  return i;
}

function skipString(t: string, i: number): number {
  // t[i] is the opening quote
  for (let j = i + 1; j < t.length; j++) {
    if (t[j] === '\\') j++;
    else if (t[j] === '"') return j + 1;
  }
  return t.length;
}

/** The offset just past the JSON value starting at `i`. */
function skipValue(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return skipString(t, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t[j];
      if (d === '"') j = skipString(t, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return t.length;
  }
  let j = i;
  while (j < t.length && !',}] \n\r\t'.includes(t[j] as string)) j++;
  return j;
}

function unescapeToken(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value's offset in `text` for `pointer` (RFC 6901), or of its nearest container; undefined when the text is not JSON there. */
export function offsetOfPointer(text: string, pointer: string): number | undefined {
  if (pointer !== '' && !pointer.startsWith('/')) return undefined;
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken);
  let i = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (i >= text.length) return undefined;
  for (const token of tokens) {
    const open = text[i];
    if (open === '{') {
      let j = skipWs(text, i + 1);
      let found: number | undefined;
      while (j < text.length && text[j] === '"') {
        const keyEnd = skipString(text, j);
        let key: unknown;
        try {
          key = JSON.parse(text.slice(j, keyEnd));
        } catch {
          return i;
        }
        j = skipWs(text, keyEnd);
        if (text[j] !== ':') return i;
        j = skipWs(text, j + 1);
        if (key === token) {
          found = j;
          break;
        }
        j = skipWs(text, skipValue(text, j));
        if (text[j] !== ',') break;
        j = skipWs(text, j + 1);
      }
      if (found === undefined) return i;
      i = found;
    } else if (open === '[') {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return i;
      let n = Number(token);
      let j = skipWs(text, i + 1);
      if (text[j] === ']') return i;
      while (n > 0) {
        j = skipWs(text, skipValue(text, j));
        if (text[j] !== ',') return i;
        j = skipWs(text, j + 1);
        n--;
      }
      i = j;
    } else return i;
  }
  return i;
}
