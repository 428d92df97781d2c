/**
 * Errors and access: credentials (AUTH-REQUIRED), another customer's data
 * (AUTH-TENANT), unknown orders, files and tasks (ORD-NOT-FOUND,
 * DOC-NOT-FOUND, EXP-NOT-FOUND) and traversal-shaped file names (DOC-TRAVERSAL).
 */
import { randomUUID } from 'node:crypto';
import type { CheckName } from '../../checks/catalog.ts';
import type { Exchange, Principal } from '../../harness/http.ts';
import { segment } from '../../harness/url.ts';
import type { OrderFact, RunContext } from '../context.ts';
import { walkList } from '../list.ts';
import { orderPath, type KnownFiles } from './orders.ts';

/** A reference no provider would issue, derived from the seed so a run can be replayed. */
function unknownRef(seed: number): string {
  return `CONFORMANCE_NO_SUCH_ORDER_${seed.toString(36).toUpperCase()}`;
}

export interface DocRef {
  ref: string;
  name: string;
}

export async function checkCredentials(ctx: RunContext, sample: OrderFact[], doc: DocRef | undefined): Promise<void> {
  const o = sample[0]?.ref ?? unknownRef(ctx.options.seed);
  const targets: { path: string; operationId: string; method?: string }[] = [
    { path: '/api/v1/order/', operationId: 'listOrders' },
    { path: orderPath(o), operationId: 'getOrder' },
    { path: orderPath(o, 'historic/'), operationId: 'getOrderHistory' },
    { path: orderPath(o, 'documents/'), operationId: 'listOrderDocuments' },
    { path: '/api/v1/terminate_reason/', operationId: 'listTerminateReasons' },
    { path: '/api/v1/order_request/', operationId: 'listOrderRequests' },
    { path: `/api/v1/order/export/${randomUUID()}/status/`, operationId: 'getOrderExportStatus' },
  ];
  // an unauthenticated export start spends nothing on a conforming server, but starts an export on one
  // that ignores credentials: it is sent only when the export is allowed (and not in a dry run)
  if (ctx.options.allowExport && !ctx.options.dryRun) targets.push({ path: '/api/v1/order/export/csv/', operationId: 'startOrderExport', method: 'POST' });
  if (doc) targets.push({ path: orderPath(doc.ref, `${segment(doc.name)}/download/`), operationId: 'downloadOrderDocument' });
  const probes: [CheckName, Principal, string][] = [
    ['auth_missing_credentials', 'none', 'without credentials'],
    ['auth_invalid_credentials', { token: `invalid-${ctx.options.seed}-not-a-token` }, 'with a made-up token'],
  ];
  for (const [check, as, how] of probes) {
    if (!ctx.enabled(check)) continue;
    await Promise.all(targets.map(async (t) => {
      const ex = await ctx.http.request({ path: t.path, method: t.method, as, operationId: t.operationId, retry429: false });
      ctx.expectStatus(check, ex, [401], `${t.method ?? 'GET'} ${t.path} ${how}`);
    }));
  }
}

/** 403 or 404 and none of the data: the body must not be the resource. */
function refused(ctx: RunContext, ex: Exchange, what: string, known?: KnownFiles): void {
  const rec = ctx.check('tenant_isolation');
  if (ex.status === 403 || ex.status === 404) {
    const digest = ex.bytes > 0 ? ex.digest() : '';
    if (known?.has(digest)) {
      rec.fail(`${what}: expected no data / received the bytes of ${known.get(digest)}`, ctx.http.evidence(ex));
    } else rec.pass();
    return;
  }
  const received = ex.status === undefined ? `no answer (${ex.error?.message})` : String(ex.status);
  rec.fail(`${what}: expected 403 or 404 / received ${received}`, ctx.http.evidence(ex, { expected: '403 or 404', received }));
}

export async function checkTenantIsolation(ctx: RunContext, sample: OrderFact[], doc: DocRef | undefined, known: KnownFiles): Promise<void> {
  if (!ctx.enabled('tenant_isolation')) return;
  const rec = ctx.check('tenant_isolation');
  const probe = sample.slice(0, 5);
  for (const o of probe) {
    const [d, h, docs] = await Promise.all([
      ctx.http.request({ path: orderPath(o.ref), as: 'otherTenant', operationId: 'getOrder' }),
      ctx.http.request({ path: orderPath(o.ref, 'historic/'), as: 'otherTenant', operationId: 'getOrderHistory' }),
      ctx.http.request({ path: orderPath(o.ref, 'documents/'), as: 'otherTenant', operationId: 'listOrderDocuments' }),
    ]);
    refused(ctx, d, `order ${o.ref} read by another customer`);
    refused(ctx, h, `history of ${o.ref} read by another customer`);
    refused(ctx, docs, `documents of ${o.ref} read by another customer`);
  }
  if (doc) {
    const f = await ctx.http.request({ path: orderPath(doc.ref, `${segment(doc.name)}/download/`), as: 'otherTenant', operationId: 'downloadOrderDocument' });
    refused(ctx, f, `file ${doc.name} of ${doc.ref} downloaded by another customer`, known);
  }
  // the other customer's own list must not show our orders
  const ours = new Set(ctx.orders.map((o) => o.ref));
  let leaked = 0;
  const walk = await walkList(ctx, {
    path: '/api/v1/order/',
    operationId: 'listOrders',
    as: 'otherTenant',
    limit: Math.max(ctx.options.maxOrders, 1000),
    onItem: (item, ex) => {
      const ref = (item as { order_reference?: unknown })?.order_reference;
      if (typeof ref === 'string' && ours.has(ref)) {
        leaked++;
        if (leaked <= 3) rec.fail(`the other customer's order list shows our order ${ref}: expected none of our orders / received it`, ctx.http.evidence(ex, { value: ref }));
      }
    },
  });
  if (!walk.broken) rec.pass();
}

export async function checkNotFound(ctx: RunContext, doc: DocRef | undefined): Promise<void> {
  const ref = unknownRef(ctx.options.seed);
  if (ctx.enabled('order_not_found')) {
    await Promise.all([
      ['', 'getOrder'], ['historic/', 'getOrderHistory'], ['documents/', 'listOrderDocuments'],
    ].map(async ([suffix, op]) => {
      const ex = await ctx.http.request({ path: orderPath(ref, suffix), operationId: op });
      ctx.expectStatus('order_not_found', ex, [404], `GET ${orderPath(ref, suffix)} (no such order)`);
    }));
  }
  if (ctx.enabled('document_not_found')) {
    if (!doc) ctx.check('document_not_found').skip('no order with a document was found to ask for a missing file');
    else {
      const name = `conformance-missing-${ctx.options.seed}.pdf`;
      const ex = await ctx.http.request({ path: orderPath(doc.ref, `${name}/download/`), operationId: 'downloadOrderDocument' });
      ctx.expectStatus('document_not_found', ex, [404], `file ${name} not listed for ${doc.ref}`);
    }
  }
  if (ctx.enabled('export_not_found')) {
    const task = randomUUID();
    for (const [suffix, op] of [['status/', 'getOrderExportStatus'], ['download/', 'downloadOrderExport']] as const) {
      const ex = await ctx.http.request({ path: `/api/v1/order/export/${task}/${suffix}`, operationId: op });
      ctx.expectStatus('export_not_found', ex, [404], `unknown export task ${suffix.replace('/', '')}`);
    }
  }
}

/** Traversal-shaped names, raw on the wire (undici does not normalise paths). */
export function traversalNames(target: DocRef, other: DocRef | undefined): string[] {
  const names = [
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%252e%252e%252fetc%252fpasswd',
    '..%5C..%5Cwindows%5Cwin.ini',
    '%2Fetc%2Fpasswd',
    '....%2F%2F....%2F%2Fetc%2Fpasswd',
    `${segment(target.name)}%00.pdf`,
    '..%c0%af..%c0%afetc%c0%afpasswd',
    `..%2F${segment(target.name)}`,
    '.',
    '..',
  ];
  if (other) names.push(`..%2F..%2F${segment(other.ref)}%2F${segment(other.name)}`, `..%2F${segment(other.ref)}%2F${segment(other.name)}%2Fdownload`);
  return names;
}

export async function checkTraversal(ctx: RunContext, doc: DocRef | undefined, other: DocRef | undefined, known: KnownFiles): Promise<void> {
  if (!ctx.enabled('document_traversal')) return;
  const rec = ctx.check('document_traversal');
  if (!doc) {
    rec.skip('no order with a document was found to aim traversal at');
    return;
  }
  // every probe at once (the harness keeps --concurrency in flight), judged in a fixed order
  const names = traversalNames(doc, other);
  const answers = await Promise.all(names.map((name) => ctx.http.request({ path: `/api/v1/order/${segment(doc.ref)}/${name}/download/`, operationId: 'downloadOrderDocument' })));
  for (const [i, name] of names.entries()) {
    const ex = answers[i]!;
    const digest = ex.bytes > 0 ? ex.digest() : '';
    if (known.has(digest) && known.get(digest) !== `${doc.ref}/${doc.name}`) {
      rec.fail(`file name "${name}": expected a refusal / received the bytes of ${known.get(digest)}`, ctx.http.evidence(ex));
    } else if (ex.status !== undefined && ex.status >= 400 && ex.status < 500) {
      rec.pass();
    } else {
      const received = ex.status === undefined ? `no answer (${ex.error?.message})` : String(ex.status);
      rec.fail(`file name "${name}": expected 400 or 404 / received ${received}`, ctx.http.evidence(ex, { expected: '400 or 404', received }));
    }
  }
}
