/**
 * Escaping for everything a report prints. Evidence is hostile-server data
 * (a body excerpt may hold `<script>`, a header may hold a quote), so every
 * string that reaches HTML, XML or Markdown goes through one of these.
 */

/** C0 controls other than tab, LF and CR, plus lone surrogates and U+FFFE/U+FFFF: not allowed in XML, noise in HTML. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces characters no XML or HTML document may carry with U+FFFD. */
export function clean(text: string): string {
  return text.replace(FORBIDDEN, '\uFFFD');
}

/** Text and attribute values for HTML (and inline SVG). */
export function escapeHtml(value: unknown): string {
  return clean(String(value ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Text and attribute values for XML (JUnit). */
export function escapeXml(value: unknown): string {
  return clean(String(value ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/**
 * Inline Markdown text: Markdown punctuation is backslash-escaped and `<`, `>`,
 * `&` become entities, so a hostile message cannot open a link, an image or an
 * HTML tag in a pull-request comment. Newlines become spaces (table cells).
 */
export function escapeMarkdown(value: unknown): string {
  return clean(String(value ?? ''))
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]|~!]/g, (c) => `\\${c}`)
    .replace(/^([#+-])/, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function markdownFence(body: string, lang = ''): string {
  const text = clean(body);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** An inline code span that survives any backticks inside. */
export function markdownCode(value: unknown): string {
  const text = clean(String(value ?? ''))
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const tick = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${text}${pad}${tick}`;
}

/** Cuts a string to `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
