/**
 * A small, strict XML reader for the tests: it rejects what a real parser
 * rejects in the documents we write (unbalanced or crossed tags, unquoted or
 * repeated attributes, a raw `<` or a bare `&`, characters XML forbids, text
 * outside the root) and returns the element tree with entities decoded.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(text: string, where: number): string {
  if (text.includes('<')) throw new Error(`raw "<" at ${where}`);
  return text.replace(/&([^;]*);?/g, (m, ent: string) => {
    if (!m.endsWith(';')) throw new Error(`bare "&" at ${where}`);
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (ent in named) return named[ent] as string;
    const num = /^#x([0-9A-Fa-f]+)$/.exec(ent) ?? /^#([0-9]+)$/.exec(ent);
    if (num) return String.fromCodePoint(parseInt(num[1] as string, ent.startsWith('#x') ? 16 : 10));
    throw new Error(`unknown entity &${ent}; at ${where}`);
  });
}

export function parseXml(text: string): XmlElement {
  if (BAD_CHAR.test(text)) throw new Error('a character XML forbids');
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (chunk.trim() !== '') fail('text outside the root element');
      } else top.children.push(decode(chunk, i));
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA');
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA outside the root');
      top?.children.push(text.slice(i + 9, end));
      i = end + 3;
    } else if (text.startsWith('</', i)) {
      const m = NAME.exec(text.slice(i + 2));
      if (!m) fail('bad closing tag');
      const name = (m as RegExpExecArray)[0];
      const top = stack.pop();
      if (!top || top.name !== name) fail(`closing </${name}> does not match <${top?.name}>`);
      i += 2 + name.length;
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '>') fail('bad closing tag');
      i++;
    } else {
      const m = NAME.exec(text.slice(i + 1));
      if (!m) fail('bad tag name');
      const el: XmlElement = { name: (m as RegExpExecArray)[0], attrs: {}, children: [] };
      i += 1 + el.name.length;
      for (;;) {
        const ws = /^\s*/.exec(text.slice(i))?.[0].length ?? 0;
        i += ws;
        if (text.startsWith('/>', i) || text[i] === '>') break;
        if (ws === 0) fail('attributes must be separated by space');
        const a = NAME.exec(text.slice(i));
        if (!a) fail('bad attribute name');
        const an = (a as RegExpExecArray)[0];
        i += an.length;
        if (text[i] !== '=') fail(`attribute ${an} has no value`);
        i++;
        const q = text[i];
        if (q !== '"' && q !== "'") fail(`attribute ${an} is not quoted`);
        const end = text.indexOf(q as string, i + 1);
        if (end < 0) fail('unterminated attribute');
        if (an in el.attrs) fail(`repeated attribute ${an}`);
        el.attrs[an] = decode(text.slice(i + 1, end), i);
        i = end + 1;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('a second root element');
      else root = el;
      if (text.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element named `name`, depth first. */
export function all(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.name === name) out.push(c);
    out.push(...all(c, name));
  }
  return out;
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
