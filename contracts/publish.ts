/**
 * Publishing the pinned pacts to a Pact Broker — only when PACT_BROKER_BASE_URL
 * is set. Nothing is sent anywhere otherwise: the command prints what it would
 * do and the equivalent `pact-broker` command line.
 *
 * pact-js 16 ships no publisher (the Ruby CLI it used to bundle is gone; the
 * native core verifies but does not publish), so this speaks the broker's own
 * HTTP API, which every Pact Broker and PactFlow serve:
 *   PUT {broker}/pacts/provider/{provider}/consumer/{consumer}/version/{version}   (the pact JSON)
 *   PUT {broker}/pacticipants/{consumer}/branches/{branch}/versions/{version}      (when a branch is given)
 * with `Authorization: Bearer $PACT_BROKER_TOKEN` (or basic auth from
 * PACT_BROKER_USERNAME / PACT_BROKER_PASSWORD).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_ROOT } from './config.ts';

export interface PublishOptions {
  files: string[];
  /** the consumer application version the pacts belong to (default: git commit) */
  consumerVersion?: string | undefined;
  /** the consumer's branch (default: current git branch) */
  branch?: string | undefined;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export interface PublishRequest {
  method: 'PUT';
  url: string;
  what: string;
  body: string;
}

export interface PublishResult {
  published: boolean;
  /** why nothing was sent, when nothing was */
  skipped?: string;
  requests: PublishRequest[];
  /** `pact-broker publish …`, the equivalent command line (token redacted) */
  command: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The version and branch pacts are published under: options, then env, then git. */
export function resolveVersion(opts: Pick<PublishOptions, 'consumerVersion' | 'branch' | 'env'>): { version: string; branch: string | undefined } {
  const env = opts.env ?? process.env;
  let version = opts.consumerVersion ?? env.PACT_CONSUMER_VERSION ?? git(['rev-parse', '--short=12', 'HEAD']);
  if (!opts.consumerVersion && !env.PACT_CONSUMER_VERSION && version && git(['status', '--porcelain', '--', 'contracts/pacts'])) {
    version += '+dirty';
  }
  const branch = opts.branch ?? env.PACT_CONSUMER_BRANCH ?? git(['branch', '--show-current']);
  return { version: version ?? '0.0.0-unknown', branch };
}

const seg = (s: string) => encodeURIComponent(s);

/** The requests a publication makes, without sending them. */
export function planRequests(brokerUrl: string, files: string[], version: string, branch: string | undefined): PublishRequest[] {
  const base = brokerUrl.replace(/\/+$/, '');
  const requests: PublishRequest[] = [];
  const consumers = new Set<string>();
  for (const file of files) {
    const body = readFileSync(file, 'utf8');
    const pact = JSON.parse(body) as { consumer?: { name?: string }; provider?: { name?: string } };
    const consumer = pact.consumer?.name;
    const provider = pact.provider?.name;
    if (!consumer || !provider) throw new Error(`${file} names no consumer or provider`);
    consumers.add(consumer);
    requests.push({
      method: 'PUT',
      url: `${base}/pacts/provider/${seg(provider)}/consumer/${seg(consumer)}/version/${seg(version)}`,
      what: `pact ${consumer} → ${provider} (${relative(REPO_ROOT, file)})`,
      body,
    });
  }
  if (branch) {
    for (const consumer of consumers) {
      requests.push({
        method: 'PUT',
        url: `${base}/pacticipants/${seg(consumer)}/branches/${seg(branch)}/versions/${seg(version)}`,
        what: `branch ${branch} of ${consumer} ${version}`,
        body: '{}',
      });
    }
  }
  return requests;
}

export function equivalentCommand(files: string[], version: string, branch: string | undefined): string {
  const dirs = [...new Set(files.map((f) => relative(REPO_ROOT, f)))].join(' ');
  return ['pact-broker publish', dirs, `--consumer-app-version ${version}`, branch ? `--branch ${branch}` : '', '--broker-base-url "$PACT_BROKER_BASE_URL"', '--broker-token "$PACT_BROKER_TOKEN"'].filter(Boolean).join(' ');
}

/** Publishes when PACT_BROKER_BASE_URL is set; otherwise sends nothing and says so. */
export async function publishPacts(opts: PublishOptions): Promise<PublishResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? console.log;
  const { version, branch } = resolveVersion(opts);
  const command = equivalentCommand(opts.files, version, branch);
  const brokerUrl = env.PACT_BROKER_BASE_URL?.trim();
  if (!brokerUrl) {
    const requests = planRequests('$PACT_BROKER_BASE_URL', opts.files, version, branch);
    log('PACT_BROKER_BASE_URL is not set: nothing is published (nothing leaves this machine).');
    log('With it set, this command would send:');
    for (const r of requests) log(`  ${r.method} ${r.url}   — ${r.what}`);
    log(`The same with the Pact Broker CLI:\n  ${command}`);
    return { published: false, skipped: 'PACT_BROKER_BASE_URL is not set', requests, command };
  }
  const requests = planRequests(brokerUrl, opts.files, version, branch);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/hal+json, application/json' };
  if (env.PACT_BROKER_TOKEN) headers.Authorization = `Bearer ${env.PACT_BROKER_TOKEN}`;
  else if (env.PACT_BROKER_USERNAME) {
    headers.Authorization = `Basic ${Buffer.from(`${env.PACT_BROKER_USERNAME}:${env.PACT_BROKER_PASSWORD ?? ''}`).toString('base64')}`;
  }
  const doFetch = opts.fetch ?? fetch;
  for (const r of requests) {
    const res = await doFetch(r.url, { method: r.method, headers, body: r.body });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new Error(`the broker answered ${res.status} to ${r.method} ${r.url} (${r.what}): ${text.slice(0, 300)}`);
    }
    log(`published ${r.what} → ${res.status}`);
  }
  return { published: true, requests, command };
}
