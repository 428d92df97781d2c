/**
 * The proxy's records: an exchange it forwarded, made into an ExchangeRecord
 * with the credentials passing through redacted. The proxy cannot know the
 * client's credentials beforehand, so every value of a header that names a
 * secret (Authorization, Cookie, X-Api-Key… as SECRET_HEADER matches) is
 * registered as it is seen, one stable name per distinct value
 * (`Bearer $CLIENT_CREDENTIAL_1`), and masked wherever else it shows (URL,
 * bodies, other headers). Two users stay two names, so the per-user rules
 * still tell them apart.
 */
import { isUtf8 } from 'node:buffer';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ExchangeRecord } from '../cassette/record.ts';
import { SECRET_HEADER } from '../harness/http.ts';
import { Redactor } from '../harness/redact.ts';

export class CredentialMask {
  readonly redactor = new Redactor();
  private readonly names = new Map<string, string>();

  /** The stable name of a secret value (registered on first sight). */
  private nameOf(value: string): string {
    let name = this.names.get(value);
    if (!name) {
      name = `CLIENT_CREDENTIAL_${this.names.size + 1}`;
      this.names.set(value, name);
      this.redactor.add(value, name);
    }
    return name;
  }

  /** Registers the secrets of a header set (call before redacting anything of that exchange). */
  learn(headers: Record<string, string>): void {
    for (const [k, v] of Object.entries(headers)) {
      if (!SECRET_HEADER.test(k) || v === '') continue;
      const m = /^(\S+)\s+(.+)$/.exec(v);
      if (m && /^(bearer|token|basic|digest|apikey)$/i.test(m[1] ?? '')) this.nameOf((m[2] ?? '').trim());
      else this.nameOf(v);
    }
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (SECRET_HEADER.test(k) && v !== '') {
        const m = /^(\S+)\s+(.+)$/.exec(v);
        out[k] = m && /^(bearer|token|basic|digest|apikey)$/i.test(m[1] ?? '') ? `${m[1]} $${this.nameOf((m[2] ?? '').trim())}` : `$${this.nameOf(v)}`;
      } else out[k] = this.redactor.text(v);
    }
    return out;
  }

  text(s: string): string {
    return this.redactor.text(s);
  }
}

/** Headers as one string per name, lower-cased (multi-valued ones joined as HTTP joins them). */
export function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(k.toLowerCase() === 'set-cookie' ? '\n' : ', ') : String(v);
  return out;
}

/** A body whole and compressed, decoded as HAR keeps it (`content.text` is the decoded body); undefined when it cannot be. */
export function decoded(body: Buffer, encoding: string | undefined, max: number): Buffer | undefined {
  const e = (encoding ?? '').trim().toLowerCase();
  try {
    if (e === 'gzip' || e === 'x-gzip') return gunzipSync(body, { maxOutputLength: max });
    if (e === 'deflate') return inflateSync(body, { maxOutputLength: max });
    if (e === 'br') return brotliDecompressSync(body, { maxOutputLength: max });
  } catch {
    return undefined;
  }
  return e === '' || e === 'identity' ? body : undefined;
}

/** The response part of a record: the body as UTF-8 text when it is, else base64; its size and whether it was cut. */
export function responseBody(kept: Buffer, bytes: number, truncated: boolean, mask: CredentialMask): Pick<NonNullable<ExchangeRecord['response']>, 'body' | 'bodyBase64' | 'bytes' | 'truncated'> {
  // checked on the bytes, natively (a body cut at the cap inside a character is kept as base64, as before)
  const utf8 = isUtf8(kept);
  return { ...(utf8 ? { body: mask.text(kept.toString('utf8')) } : { bodyBase64: kept.toString('base64') }), bytes, ...(truncated ? { truncated: true } : {}) };
}
