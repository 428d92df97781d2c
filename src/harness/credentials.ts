/**
 * Credentials that expire (issue 16): a command that prints a token
 * (`--token-command`) and OAuth2 client credentials (RFC 6749 §4.4). Each is a
 * TokenSource the harness asks for the current token before a request and
 * asks again on a 401. A token is refreshed a margin before the expiry it
 * was given with; it lives only in memory (registered with the harness's
 * Redactor as soon as it is fetched), and no message of this module holds a
 * token, a secret or a command's output.
 */
import { spawn } from 'node:child_process';
import type { Dispatcher } from 'undici';
import { TokenSourceError, type TokenSource } from './http.ts';

/** A token is fetched again this long before the expiry it came with (or at half its life, if that is sooner). */
const MARGIN_MS = 30_000;
/** Longest a token command may run. */
const COMMAND_MS = 30_000;

interface Held {
  token: string;
  /** performance.now() past which it is fetched again; infinite without an expiry */
  renewAt: number;
}

function renewAt(expiresInS: number | undefined): number {
  if (expiresInS === undefined || !Number.isFinite(expiresInS) || expiresInS <= 0) return Number.POSITIVE_INFINITY;
  const ms = expiresInS * 1000;
  return performance.now() + (ms > 2 * MARGIN_MS ? ms - MARGIN_MS : ms / 2);
}

abstract class Expiring implements TokenSource {
  private held: Held | undefined;
  abstract readonly name: string;
  protected abstract fetch(): Promise<{ token: string; expiresInS?: number }>;

  async current(): Promise<string> {
    if (this.held && performance.now() < this.held.renewAt) return this.held.token;
    return this.refresh();
  }

  async refresh(): Promise<string> {
    const { token, expiresInS } = await this.fetch();
    if (!/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(token)) throw new TokenSourceError(this.code, 'the token it gave cannot be sent in an HTTP header (empty, a line break or a control character)');
    this.held = { token, renewAt: renewAt(expiresInS) };
    this.fetches++;
    return token;
  }

  /** how many tokens were fetched (for tests and the run's log) */
  fetches = 0;
  protected abstract readonly code: TokenSourceError['code'];
}

/**
 * `--token-command "CMD"`: run with /bin/sh; its standard output, trimmed,
 * is the token, or a JSON object with `access_token` (or `token`) and
 * `expires_in` seconds. A non-zero exit, a timeout or empty output is
 * CONF_ERR_TOKEN_COMMAND; its output is never shown (it may hold a token).
 */
export class CommandToken extends Expiring {
  protected readonly code = 'CONF_ERR_TOKEN_COMMAND' as const;
  constructor(
    private readonly command: string,
    readonly name = '--token-command',
  ) {
    super();
  }

  protected fetch(): Promise<{ token: string; expiresInS?: number }> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn('/bin/sh', ['-c', this.command], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (out.length < 65_536) out += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_MS);
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new TokenSourceError(this.code, `the command could not be started (${err.code ?? err.message})`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (signal) return reject(new TokenSourceError(this.code, `the command was stopped by ${signal}${signal === 'SIGKILL' ? ` (it ran past ${COMMAND_MS / 1000} s)` : ''}`));
        if (code !== 0) return reject(new TokenSourceError(this.code, `the command exited with status ${code}; run it yourself to see why (its output is not shown: it may hold a credential)`));
        const text = out.trim();
        if (text === '') return reject(new TokenSourceError(this.code, 'the command printed nothing; it must print the token on its standard output'));
        if (text.startsWith('{')) {
          try {
            const j = JSON.parse(text) as { access_token?: unknown; token?: unknown; expires_in?: unknown };
            const token = typeof j.access_token === 'string' ? j.access_token : typeof j.token === 'string' ? j.token : undefined;
            if (token === undefined) return reject(new TokenSourceError(this.code, 'the command printed JSON without a string "access_token" or "token"'));
            return resolvePromise({ token, ...(typeof j.expires_in === 'number' ? { expiresInS: j.expires_in } : {}) });
          } catch {
            return reject(new TokenSourceError(this.code, 'the command printed text starting with "{" that is not JSON'));
          }
        }
        resolvePromise({ token: text });
      });
    });
  }
}

export interface OAuthSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/**
 * OAuth2 client credentials: `POST tokenUrl` with `grant_type=client_credentials`
 * (and `scope`), the client authenticated with HTTP Basic (RFC 6749 §2.3.1,
 * which every server must support). A refusal (`invalid_client`, 401, ...) is
 * CONF_ERR_OAUTH with the server's `error` code, never the secret.
 */
export class OAuthToken extends Expiring {
  readonly name: string;
  protected readonly code = 'CONF_ERR_OAUTH' as const;
  constructor(
    private readonly s: OAuthSettings,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {
    super();
    const u = new URL(s.tokenUrl);
    this.name = `OAuth2 at ${u.origin}${u.pathname}`;
  }

  protected async fetch(): Promise<{ token: string; expiresInS?: number }> {
    const u = new URL(this.s.tokenUrl);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.s.scope) form.set('scope', this.s.scope);
    const basic = Buffer.from(`${encodeURIComponent(this.s.clientId)}:${encodeURIComponent(this.s.clientSecret)}`).toString('base64');
    let status: number;
    let text: string;
    try {
      const res = await this.dispatcher.request({
        origin: u.origin,
        path: u.pathname + u.search,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.statusCode;
      text = (await res.body.text()).slice(0, 65_536);
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string }; name?: string };
      throw new TokenSourceError(this.code, `the token endpoint could not be reached (${e.code ?? e.cause?.code ?? e.name ?? 'error'})`);
    }
    let j: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      j = JSON.parse(text) as typeof j;
    } catch {
      // judged below
    }
    if (status !== 200) {
      const code = typeof j.error === 'string' && /^[\x20-\x7e]{1,80}$/.test(j.error) ? `: ${j.error}` : '';
      throw new TokenSourceError(this.code, `the token endpoint refused the client credentials (HTTP ${status}${code}); check --oauth-client-id and CONFORMANCE_OAUTH_CLIENT_SECRET`);
    }
    if (typeof j.access_token !== 'string') throw new TokenSourceError(this.code, 'the token endpoint answered 200 without a string "access_token"');
    const exp = typeof j.expires_in === 'number' ? j.expires_in : typeof j.expires_in === 'string' && /^\d+$/.test(j.expires_in) ? Number(j.expires_in) : undefined;
    return { token: j.access_token, ...(exp !== undefined ? { expiresInS: exp } : {}) };
  }
}
