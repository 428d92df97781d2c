/**
 * Credentials never leave the process: every string that reaches a report, a
 * log line or an error message goes through a Redactor first, and reproduction
 * commands name credentials by environment variable, never by value.
 */

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One character of a secret in any of its URL or JSON spellings: itself, %HH (its UTF-8 bytes), \uHHHH. */
function charForms(ch: string): string {
  const forms = [escapeRe(ch)];
  const bytes = Buffer.from(ch, 'utf8');
  forms.push([...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  for (let i = 0; i < ch.length; i++) forms.push(`\\\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`);
  if (ch === '/') forms.push('\\\\/');
  if (ch === ' ') forms.push('\\+');
  return `(?:${forms.join('|')})`;
}

/**
 * The base64 spellings of `bytes` wherever they sit in a longer base64 text:
 * at each of the three alignments, the characters that depend on the secret's
 * bytes alone (those shared with a neighbour byte are left out).
 */
function base64Forms(bytes: Buffer): string[] {
  const out = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const total = k + bytes.length;
    const head = k === 0 ? 0 : k === 1 ? 2 : 3;
    const tail = total % 3 === 0 ? 0 : 1;
    const core = b64.slice(head, b64.length - tail);
    if (core.length >= 8) {
      out.add(core);
      out.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

/**
 * Credentials never leave the process in any spelling: raw, percent-encoded
 * (any case, any mix of encoded and plain characters), JSON `\u` escapes,
 * hex, base64 and base64url (at any alignment inside a longer base64 text).
 * Text is redacted before it is cut (`cut`), so a credential that straddles
 * a cut cannot leak its first characters.
 */
/** base64 characters a fragment of a secret's base64 is told by: this many in a row (12 bytes of the secret) */
const FRAGMENT = 16;
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}/g;
/** what a secret's escaped spellings need: a percent-escape, or a backslash (JSON `\u`, `\/`, `\+`) */
const ESCAPED = /%[0-9a-f]{2}|\\/i;

/** the characters of BASE64_RUN, by char code */
const IS_B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') IS_B64[c.charCodeAt(0)] = 1;
const HASH_BASE = 31;
/** HASH_BASE ** (FRAGMENT - 1), mod 2^32 */
let HASH_TOP = 1;
for (let i = 1; i < FRAGMENT; i++) HASH_TOP = Math.imul(HASH_TOP, HASH_BASE);

/** A polynomial hash of FRAGMENT characters from `at` (the rolling hash of `mayHoldFragment` computes the same). */
function windowHash(s: string, at: number): number {
  let h = 0;
  for (let i = 0; i < FRAGMENT; i++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(at + i)) | 0;
  return h;
}

/**
 * How the quick tests compare characters: ASCII letters in lower case, and
 * `+` as a space (a form-encoded space, one of a secret's unescaped spellings).
 */
const FOLD = new Uint8Array(256);
for (let c = 0; c < 256; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c === 43 ? 32 : c;
const foldCode = (c: number): number => (c < 256 ? (FOLD[c] as number) : c);
const foldText = (s: string): string => {
  const lower = s.toLowerCase();
  return lower.includes('+') ? lower.replace(/\+/g, ' ') : lower;
};

/** windowHash of `n` characters (FRAGMENT by default), folded (FOLD) */
function foldedHash(s: string, at: number, n = FRAGMENT): number {
  let h = 0;
  for (let i = 0; i < n; i++) h = (Math.imul(h, HASH_BASE) + foldCode(s.charCodeAt(at + i))) | 0;
  return h;
}

const fold16 = (h: number): number => ((h >>> 16) ^ h) & 0xffff;

/**
 * Whether some FRAGMENT characters in a row of `s`, letters folded to lower
 * case, hash as one of `hashes` (one pass, no allocation). `Redactor.text`
 * holds there the hashes of every window of every base64 fragment and of the
 * first window of every plain spelling: false means `s` holds none of them.
 */
function quickHit(s: string, hashes: Set<number>, bits: Uint8Array): boolean {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    else if (c === 43) c = 32;
    if (i < FRAGMENT) h = (Math.imul(h, HASH_BASE) + c) | 0;
    else {
      let out = s.charCodeAt(i - FRAGMENT);
      if (out >= 65 && out <= 90) out += 32;
      else if (out === 43) out = 32;
      h = (Math.imul((h - Math.imul(out, HASH_TOP)) | 0, HASH_BASE) + c) | 0;
    }
    if (i >= FRAGMENT - 1) {
      const f = fold16(h);
      if ((bits[f >>> 3] as number) & (1 << (f & 7)) && hashes.has(h)) return true;
    }
  }
  return false;
}

/**
 * Whether some FRAGMENT characters in a row of base64 characters in `s` hash
 * as one of `hashes` (a rolling hash, one pass, no allocation): false means
 * no fragment of a secret's base64 is in `s`, so the exact search (which
 * slices every window) can be skipped. Redacting every body of a recorded
 * run goes through here.
 */
function mayHoldFragment(s: string, hashes: Set<number>, bits: Uint8Array): boolean {
  let h = 0;
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || IS_B64[c] === 0) {
      len = 0;
      h = 0;
      continue;
    }
    if (len < FRAGMENT) {
      h = (Math.imul(h, HASH_BASE) + c) | 0;
      len++;
    } else h = (Math.imul((h - Math.imul(s.charCodeAt(i - FRAGMENT), HASH_TOP)) | 0, HASH_BASE) + c) | 0;
    // a bit per 16-bit fold of the hash first (one load), the set only on a hit
    if (len === FRAGMENT) {
      const f = ((h >>> 16) ^ h) & 0xffff;
      if ((bits[f >>> 3] as number) & (1 << (f & 7)) && hashes.has(h)) return true;
    }
  }
  return false;
}

/** hex digits, by byte: `%` and two of them is a percent-escape */
const IS_HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') IS_HEX[c.charCodeAt(0)] = 1;

/** Whether `b` holds a byte `\` or a percent-escape (`%` and two hex digits): ESCAPED, on bytes. */
function escapedBytes(b: Uint8Array): boolean {
  if (b.indexOf(0x5c) !== -1) return true;
  for (let i = b.indexOf(0x25); i !== -1 && i + 2 < b.length; i = b.indexOf(0x25, i + 1)) {
    if (IS_HEX[b[i + 1] as number] && IS_HEX[b[i + 2] as number]) return true;
  }
  return false;
}

/**
 * What `wordHit` looks for: every 4 characters in a row of every unescaped
 * spelling of every secret (raw, hex, base64; the fragments of a base64
 * spelling are parts of it), as a little-endian 32-bit word with 0x20 set in
 * each byte (ASCII letters in either case fold together; a space of a secret
 * also as `+`, its form-encoded spelling). `undefined`: a secret's raw
 * spelling is shorter than 7 characters, and only the text path tells it.
 */
interface WordScan {
  words: Set<number>;
  /** a bit per 16-bit hash of a word: one load before the set */
  bits: Uint8Array;
}

const WORD_FOLD = 0x20202020;
const wordBit = (w: number): number => Math.imul(w, 0x9e3779b1) >>> 16;

/**
 * Whether one of the 32-bit words of `b` at offsets 0, 4, 8, … (folded as
 * the scan's are) is one of the scan's words. A spelling of 7 characters or
 * more, wherever it sits, covers one of those words whole: so false means
 * the UTF-8 text of `b` holds no unescaped spelling of a secret (every one
 * is ASCII, and an ASCII character is the same byte in UTF-8). A quarter of
 * the loads of a rolling hash, and no multiplication per byte.
 */
function wordHit(b: Uint8Array, scan: WordScan): boolean {
  const { words, bits } = scan;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const end = b.length - 3;
  for (let i = 0; i < end; i += 4) {
    const w = v.getUint32(i, true) | WORD_FOLD;
    const f = wordBit(w);
    if ((bits[f >>> 3] as number) & (1 << (f & 7)) && words.has(w)) return true;
  }
  return false;
}

/**
 * wordHit on a string: the words of 4 characters at offsets 0, 4, 8, …, a
 * word with a character past ASCII skipped (no spelling holds one). The
 * same reasoning holds: a spelling of 7 characters or more covers one word.
 */
function wordHitText(s: string, scan: WordScan): boolean {
  const { words, bits } = scan;
  const end = s.length - 3;
  for (let i = 0; i < end; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    if ((a | b | c | d) > 0x7f) continue;
    const w = a | (b << 8) | (c << 16) | (d << 24) | WORD_FOLD | 0;
    const f = wordBit(w);
    if ((bits[f >>> 3] as number) & (1 << (f & 7)) && words.has(w)) return true;
  }
  return false;
}

export class Redactor {
  private readonly secrets: { value: string; name: string; re: RegExp; reach: number }[] = [];
  /** every FRAGMENT-character window of every secret's base64 spellings, and the secret's variable */
  private readonly fragments = new Map<string, string>();
  /** the windowHash of every fragment */
  private readonly fragmentHashes = new Set<number>();
  private readonly fragmentBits = new Uint8Array(8192);
  /** the longest spelling of any secret: a window this much wider than a cut sees every secret the cut could touch */
  reach = 0;

  /** Registers a secret and the variable name that stands for it in a curl. */
  add(value: string | undefined, name: string): void {
    if (!value || value.length < 4) return;
    if (this.secrets.some((s) => s.value === value)) return;
    const bytes = Buffer.from(value, 'utf8');
    const alternatives = [[...value].map(charForms).join(''), escapeRe(bytes.toString('hex')), ...base64Forms(bytes).map(escapeRe)];
    const reach = Math.max(value.length * 12, bytes.length * 6 + 6);
    for (const core of base64Forms(bytes)) {
      for (let i = 0; i + FRAGMENT <= core.length; i++) {
        this.fragments.set(core.slice(i, i + FRAGMENT), name);
        const h = windowHash(core, i);
        this.fragmentHashes.add(h);
        const f = ((h >>> 16) ^ h) & 0xffff;
        this.fragmentBits[f >>> 3] = (this.fragmentBits[f >>> 3] as number) | (1 << (f & 7));
        this.quick(foldedHash(core, i));
      }
    }
    this.secrets.push({ value, name, re: new RegExp(alternatives.join('|'), 'gi'), reach });
    // the spellings without % or \ forms, in lower case, for the quick test of `mayHoldSecret`
    if (/^[\x20-\x7e]*$/.test(value)) {
      // folded as the text they are looked for in is (FOLD): a space of the secret may be spelt `+`
      const plain = [value, bytes.toString('hex'), ...base64Forms(bytes)].map(foldText);
      this.plain.push(...plain);
      // a text holding a plain spelling holds its first FRAGMENT characters; shorter spellings are looked for whole
      for (const p of plain) {
        if (p.length >= FRAGMENT) this.quick(foldedHash(p, 0));
        else this.shortPlain.push(p);
      }
    } else this.allPlain = false;
    this.reach = Math.max(this.reach, reach);
    // longest first so that a secret containing another is replaced whole
    this.secrets.sort((a, b) => b.value.length - a.value.length);
  }

  /** the folded hashes of `quickHit`, and their bitmap */
  private readonly quickHashes = new Set<number>();
  private readonly quickBits = new Uint8Array(8192);
  private readonly shortPlain: string[] = [];

  private quick(h: number): void {
    this.quickHashes.add(h);
    const f = fold16(h);
    this.quickBits[f >>> 3] = (this.quickBits[f >>> 3] as number) | (1 << (f & 7));
  }

  /**
   * Whether `s` may hold a secret in any spelling or a fragment of one, in one
   * pass and never wrongly false: a text with a percent-escape or a backslash
   * (or any text, once a secret is not printable ASCII) is left to the exact
   * search; any other can only hold unescaped spellings (raw, hex, base64, a
   * space as `+`) or base64 fragments, and those show in `wordHitText` (every
   * secret 7 characters or longer) or else in `quickHit` and `shortPlain`.
   */
  private suspicious(s: string): boolean {
    if (!this.allPlain || ESCAPED.test(s)) return true;
    // every secret 7 characters or longer: a word in 4 of the text tells it (wordHitText), no hash per character
    const scan = this.wordScanNow();
    if (scan !== undefined) return wordHitText(s, scan);
    if (quickHit(s, this.quickHashes, this.quickBits)) return true;
    if (this.shortPlain.length === 0) return false;
    const folded = foldText(s);
    return this.shortPlain.some((p) => folded.includes(p));
  }

  /** every spelling of every secret that a text without `%` and `\` can hold, folded (FOLD) */
  private readonly plain: string[] = [];
  /** false once a secret is not printable ASCII (its case folding is left to the pattern) */
  private allPlain = true;

  /**
   * Whether `s` may hold a secret, quickly and never wrongly false: a text
   * without a percent-escape and `\` can only hold a secret's spellings in which no
   * character is escaped (raw, hex, base64), each found by indexOf in its
   * lower case; any other text is left to the patterns.
   */
  private mayHoldSecret(s: string): boolean {
    if (!this.allPlain || ESCAPED.test(s)) return true;
    const folded = foldText(s);
    for (const p of this.plain) if (folded.includes(p)) return true;
    return false;
  }

  /** the word scan of `mayHoldBytes`, and how many secrets it was made for (made again when one is added) */
  private scan: WordScan | undefined;
  private scanOf = 0;

  /**
   * Whether the UTF-8 text of `bytes` may hold a secret in any spelling or a
   * fragment of one, told before it is decoded and never wrongly false: false
   * means `text` would give that text back unchanged. A spelling with a
   * percent-escape or a backslash shows in two memchr; every other is at
   * least 7 ASCII characters long (raw, hex, base64 and its fragments of 16)
   * and shows in `wordHit`. Most bodies of a run hold no credential: the
   * recorder tells them here and never decodes them to look.
   */
  mayHoldBytes(bytes: Uint8Array): boolean {
    if (this.secrets.length === 0) return false;
    if (!this.allPlain || escapedBytes(bytes)) return true;
    const scan = this.wordScanNow();
    return scan === undefined || wordHit(bytes, scan);
  }

  private wordScanNow(): WordScan | undefined {
    if (this.scanOf !== this.secrets.length) {
      this.scan = this.wordScan();
      this.scanOf = this.secrets.length;
    }
    return this.scan;
  }

  private wordScan(): WordScan | undefined {
    const words = new Set<number>();
    const bits = new Uint8Array(8192);
    for (const { value } of this.secrets) {
      if (value.length < 7) return undefined;
      const bytes = Buffer.from(value, 'utf8');
      for (const spelling of [value, bytes.toString('hex'), ...base64Forms(bytes)]) {
        for (let i = 0; i + 4 <= spelling.length; i++) {
          // each space of the four also as `+`
          let grams = [spelling.slice(i, i + 4)];
          for (let k = 0; k < 4; k++) grams = grams.flatMap((g) => (g[k] === ' ' ? [g, `${g.slice(0, k)}+${g.slice(k + 1)}`] : [g]));
          for (const g of grams) {
            const w = g.charCodeAt(0) | (g.charCodeAt(1) << 8) | (g.charCodeAt(2) << 16) | (g.charCodeAt(3) << 24) | WORD_FOLD | 0;
            words.add(w);
            const f = wordBit(w);
            bits[f >>> 3] = (bits[f >>> 3] as number) | (1 << (f & 7));
          }
        }
      }
    }
    return { words, bits };
  }

  /** every secret's spellings in one pattern (made again when a secret is added) */
  private any: RegExp | undefined;
  private anyOf = 0;

  private anySecret(): RegExp | undefined {
    if (this.secrets.length < 2) return undefined;
    if (this.anyOf !== this.secrets.length) {
      this.any = new RegExp(this.secrets.map((x) => x.re.source).join('|'), 'i');
      this.anyOf = this.secrets.length;
    }
    return this.any;
  }

  /** how many secrets are registered: what was redacted before may need redacting again once it grows */
  get size(): number {
    return this.secrets.length;
  }

  /** The variable standing for a secret value, e.g. `$CONFORMANCE_TOKEN`. */
  nameOf(value: string): string | undefined {
    return this.secrets.find((s) => s.value === value)?.name;
  }

  text(s: string): string {
    if (this.secrets.length > 0 && !this.suspicious(s)) return s;
    let out = s;
    // one pass tells a text that holds no secret (the usual case) from one that does, then each is replaced
    const any = this.anySecret();
    if (any) any.lastIndex = 0;
    if (this.secrets.length > 0 && this.mayHoldSecret(out) && (any === undefined || any.test(out))) {
      for (const { name, re } of this.secrets) {
        re.lastIndex = 0;
        if (re.test(out)) out = out.replace(re, () => `$${name}`);
      }
    }
    return this.fragments.size === 0 || !mayHoldFragment(out, this.fragmentHashes, this.fragmentBits) ? out : out.replace(BASE64_RUN, (run) => this.maskFragments(run));
  }

  /**
   * Spans of `w` that are part of a secret's base64 (at any alignment) though
   * not the whole of it: a run of base64 characters sharing FRAGMENT or more
   * in a row with a secret's spelling.
   */
  private fragmentHits(w: string): { start: number; end: number; name: string }[] {
    const hits: { start: number; end: number; name: string }[] = [];
    if (this.fragments.size === 0) return hits;
    for (const m of w.matchAll(BASE64_RUN)) {
      const run = m[0];
      for (let i = 0; i + FRAGMENT <= run.length; ) {
        const name = this.fragments.get(run.slice(i, i + FRAGMENT));
        if (!name) {
          i++;
          continue;
        }
        let end = i + FRAGMENT;
        while (end < run.length && this.fragments.has(run.slice(end - FRAGMENT + 1, end + 1))) end++;
        hits.push({ start: m.index + i, end: m.index + end, name });
        i = end;
      }
    }
    return hits;
  }

  private maskFragments(run: string): string {
    let out = '';
    let pos = 0;
    for (const h of this.fragmentHits(run)) {
      out += run.slice(pos, h.start) + `$${h.name}`;
      pos = h.end;
    }
    return out + run.slice(pos);
  }

  /**
   * At most about `max` characters of `s`, redacted first: no raw character
   * at or past `max` is shown, and every secret that starts before `max` is
   * replaced whole (it ends within `reach` of it). `s` may itself be a window
   * of a longer text, as long as it extends `reach` past `max`.
   */
  /** A server value for a message: as JSON, redacted, then cut to about `max` characters (a long string is sliced before it is encoded). */
  show(v: unknown, max = 300): string {
    return this.cut(typeof v === 'string' && v.length > max + this.reach ? JSON.stringify(v.slice(0, max + this.reach)) : safeJson(v), max);
  }

  cut(s: string, max: number): string {
    if (s.length <= max) return this.text(s);
    const window = s.slice(0, max + this.reach);
    const hits = this.hitsIn(window);
    let out = '';
    let pos = 0;
    for (const h of hits) {
      if (h.start >= max) break;
      if (h.start < pos) continue;
      out += window.slice(pos, h.start) + `$${h.name}`;
      pos = h.end;
    }
    if (pos < max) out += window.slice(pos, max);
    return `${out}…`;
  }

  /** Every secret in `w`, whole spellings and base64 fragments, in order (the longer first where two start together). */
  private hitsIn(w: string): { start: number; end: number; name: string }[] {
    const hits = this.fragmentHits(w);
    for (const { name, re } of this.secrets) {
      re.lastIndex = 0;
      for (const m of w.matchAll(re)) if (m[0].length > 0) hits.push({ start: m.index, end: m.index + m[0].length, name });
    }
    return hits.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  /**
   * About `max` characters of `s` from `from`, redacted first, as `cut` is
   * for a prefix: every secret that overlaps the part shown is replaced whole
   * (one that begins before `from` too); no raw character before `from` or at
   * or past `from + max` is shown. Marked `…` on the sides that were cut.
   */
  window(s: string, from: number, max: number): string {
    if (from <= 0) return this.cut(s, max);
    const lo = Math.max(0, from - this.reach);
    const w = s.slice(lo, from + max + this.reach);
    const start = from - lo;
    const end = Math.min(w.length, start + max);
    const hits = this.hitsIn(w);
    let out = '';
    let pos = start;
    for (const h of hits) {
      if (h.start >= end) break;
      if (h.end <= pos) continue;
      if (h.start < pos) {
        // a secret across the left edge (or overlapping the previous one, already replaced)
        if (pos === start && out === '') {
          out = `$${h.name}`;
          pos = h.end;
        }
        continue;
      }
      out += w.slice(pos, h.start) + `$${h.name}`;
      pos = h.end;
    }
    if (pos < end) out += w.slice(pos, end);
    return `…${out}${from + max < s.length ? '…' : ''}`;
  }

  /** Deep-redacts any JSON-like value. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x);
      return out as T;
    }
    return v;
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A reproduction command. Header values that are registered secrets become
 * `"$VAR"` references so the command runs as-is once the variable is set.
 */
export function toCurl(redactor: Redactor, req: { method: string; url: string; headers: Record<string, string>; body?: string }): string {
  const parts = ['curl', '-sS', '-i', '-X', req.method, shellQuote(redactor.text(req.url))];
  for (const [k, v] of Object.entries(req.headers)) {
    const secretIn = v.match(/^(Bearer |Token |Basic )?(.+)$/);
    const name = secretIn ? redactor.nameOf(secretIn[2] ?? '') : undefined;
    if (name) parts.push('-H', `"${k}: ${secretIn?.[1] ?? ''}$${name}"`);
    else parts.push('-H', shellQuote(`${k}: ${redactor.text(v)}`));
  }
  if (req.body !== undefined) parts.push('--data-raw', shellQuote(redactor.cut(req.body, 4000)));
  return parts.join(' ');
}

/** ANSI escape sequences: CSI (`ESC [` or the C1 byte 0x9b), OSC (`ESC ]` … BEL or ST), and two-byte ESC sequences. */
const ANSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/g;

/**
 * A line for a terminal or a CI log, whatever server strings it carries:
 * ANSI/CSI/OSC sequences removed, every other control character (CR and LF
 * included, so no server string starts a line of its own) shown as `\xHH`,
 * and CI workflow commands defused: GitHub's `::error::`, `::add-mask::` …
 * (`::` before a letter becomes `: :`) and Azure's `##vso[` / `##[`
 * (`# #vso[`). The kit's own lines contain none of these.
 */
export function forConsole(line: string): string {
  return line
    .replace(ANSI, '')
    .replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
    .replace(/::(?=[A-Za-z])/g, ': :')
    .replace(/##(?=vso\[|\[)/gi, '# #');
}

/** JSON.stringify that never throws and never recurses past the JSON depth bound (it is only called on parsed JSON). */
export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
