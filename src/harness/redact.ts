/**
 * Credentials never leave the process: every string that reaches a report, a
 * log line or an error message goes through a Redactor first, and reproduction
 * commands name credentials by environment variable, never by value.
 */

export class Redactor {
  private readonly secrets: { value: string; name: string }[] = [];

  /** Registers a secret and the variable name that stands for it in a curl. */
  add(value: string | undefined, name: string): void {
    if (!value || value.length < 4) return;
    if (this.secrets.some((s) => s.value === value)) return;
    this.secrets.push({ value, name });
    // longest first so that a secret containing another is replaced whole
    this.secrets.sort((a, b) => b.value.length - a.value.length);
  }

  /** The variable standing for a secret value, e.g. `$CONFORMANCE_TOKEN`. */
  nameOf(value: string): string | undefined {
    return this.secrets.find((s) => s.value === value)?.name;
  }

  text(s: string): string {
    let out = s;
    for (const { value, name } of this.secrets) {
      if (out.includes(value)) out = out.split(value).join(`$${name}`);
      const enc = encodeURIComponent(value);
      if (enc !== value && out.includes(enc)) out = out.split(enc).join(`$${name}`);
    }
    return out;
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
export function toCurl(
  redactor: Redactor,
  req: { method: string; url: string; headers: Record<string, string>; body?: string },
): string {
  const parts = ['curl', '-sS', '-i', '-X', req.method, shellQuote(redactor.text(req.url))];
  for (const [k, v] of Object.entries(req.headers)) {
    const secretIn = v.match(/^(Bearer |Token |Basic )?(.+)$/);
    const name = secretIn ? redactor.nameOf(secretIn[2] ?? '') : undefined;
    if (name) parts.push('-H', `"${k}: ${secretIn?.[1] ?? ''}$${name}"`);
    else parts.push('-H', shellQuote(`${k}: ${redactor.text(v)}`));
  }
  if (req.body !== undefined) parts.push('--data-raw', shellQuote(redactor.text(req.body.length > 4000 ? `${req.body.slice(0, 4000)}…` : req.body)));
  return parts.join(' ');
}
