/**
 * Errors and access: credentials (AUTH-REQUIRED), another customer's data
 * (AUTH-TENANT), unknown orders, files and tasks (ORD-NOT-FOUND,
 * DOC-NOT-FOUND, EXP-NOT-FOUND) and traversal-shaped file names (DOC-TRAVERSAL).
 */
import { randomUUID } from 'node:crypto';
import { authInvalidCredentials, authMissingCredentials, type CredentialProbe } from '../../checks/access/credentials.ts';
import { tenantIsolation } from '../../checks/access/tenant.ts';
import type { Check } from '../../checks/define.ts';
import { documentNotFound } from '../../checks/documents/not-found.ts';
import { documentTraversal } from '../../checks/documents/traversal.ts';
import { exportNotFound } from '../../checks/export/not-found.ts';
import { orderNotFound } from '../../checks/orders/not-found.ts';
import type { Exchange, Principal } from '../../harness/http.ts';
import { segment } from '../../harness/url.ts';
import type { OrderFact, RunContext } from '../context.ts';
import { walkList } from '../list.ts';
import type { KnownFiles } from './orders.ts';

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
  const targets: { operationId: string; params?: Record<string, string> }[] = [
    { operationId: 'listOrders' },
    { operationId: 'getOrder', params: { order_reference: o } },
    { operationId: 'getOrderHistory', params: { order_reference: o } },
    { operationId: 'listOrderDocuments', params: { order_reference: o } },
    { operationId: 'listTerminateReasons' },
    { operationId: 'listOrderRequests' },
    { operationId: 'getOrderExportStatus', params: { task_id: randomUUID() } },
  ];
  // an unauthenticated export start spends nothing on a conforming server, but starts an export on one
  // that ignores credentials: it is sent only when the export is allowed (and not in a dry run)
  if (ctx.options.allowExport && !ctx.options.dryRun) targets.push({ operationId: 'startOrderExport' });
  if (doc) targets.push({ operationId: 'downloadOrderDocument', params: { order_reference: doc.ref, filename: doc.name } });
  const probes: [Check<CredentialProbe>, Principal][] = [
    [authMissingCredentials, 'none'],
    [authInvalidCredentials, { token: `invalid-${ctx.options.seed}-not-a-token` }],
  ];
  for (const [check, as] of probes) {
    if (!ctx.enabled(check.name)) continue;
    await Promise.all(
      targets.map(async (t) => {
        const exchange = await ctx.call(t.operationId, t.params, { as, retry429: false });
        ctx.judge(check, { exchange, path: ctx.path(t.operationId, t.params) });
      }),
    );
  }
}

export async function checkTenantIsolation(ctx: RunContext, sample: OrderFact[], doc: DocRef | undefined, known: KnownFiles): Promise<void> {
  if (!ctx.enabled('tenant_isolation')) return;
  const probe = sample.slice(0, 5);
  for (const o of probe) {
    const [d, h, docs] = await Promise.all([ctx.call('getOrder', { order_reference: o.ref }, { as: 'otherTenant' }), ctx.call('getOrderHistory', { order_reference: o.ref }, { as: 'otherTenant' }), ctx.call('listOrderDocuments', { order_reference: o.ref }, { as: 'otherTenant' })]);
    ctx.judge(tenantIsolation, {
      reads: [
        { exchange: d, what: `order ${o.ref} read by another customer` },
        { exchange: h, what: `history of ${o.ref} read by another customer` },
        { exchange: docs, what: `documents of ${o.ref} read by another customer` },
      ],
    });
  }
  if (doc) {
    const f = await ctx.call('downloadOrderDocument', { order_reference: doc.ref, filename: doc.name }, { as: 'otherTenant' });
    ctx.judge(tenantIsolation, { reads: [{ exchange: f, what: `file ${doc.name} of ${doc.ref} downloaded by another customer`, known }] });
  }
  // the other customer's own list must not show our orders
  const items: { ref: unknown; exchange: Exchange }[] = [];
  const walk = await walkList(ctx, {
    path: ctx.path('listOrders'),
    operationId: 'listOrders',
    as: 'otherTenant',
    limit: Math.max(ctx.options.maxOrders, 1000),
    onItem: (item, exchange) => void items.push({ ref: (item as { order_reference?: unknown })?.order_reference, exchange }),
  });
  ctx.judge(tenantIsolation, { list: { ours: ctx.orders.map((o) => o.ref), items, complete: !walk.broken } });
}

export async function checkNotFound(ctx: RunContext, doc: DocRef | undefined): Promise<void> {
  const ref = unknownRef(ctx.options.seed);
  if (ctx.enabled('order_not_found')) {
    await Promise.all(
      ['getOrder', 'getOrderHistory', 'listOrderDocuments'].map(async (op) => {
        const path = ctx.path(op, { order_reference: ref });
        ctx.judge(orderNotFound, { path, answer: await ctx.call(op, { order_reference: ref }) });
      }),
    );
  }
  if (ctx.enabled('document_not_found')) {
    if (!doc) ctx.judge(documentNotFound, {});
    else {
      const name = `conformance-missing-${ctx.options.seed}.pdf`;
      const answer = await ctx.call('downloadOrderDocument', { order_reference: doc.ref, filename: name });
      ctx.judge(documentNotFound, { ref: doc.ref, name, answer });
    }
  }
  if (ctx.enabled('export_not_found')) {
    const task = randomUUID();
    for (const [part, op] of [
      ['status', 'getOrderExportStatus'],
      ['download', 'downloadOrderExport'],
    ] as const) {
      const ex = await ctx.call(op, { task_id: task });
      ctx.judge(exportNotFound, { exchange: ex, part });
    }
  }
}

/** Traversal-shaped names, raw on the wire (undici does not normalise paths). */
export function traversalNames(target: DocRef, other: DocRef | undefined): string[] {
  const names = ['..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%252e%252e%252fetc%252fpasswd', '..%5C..%5Cwindows%5Cwin.ini', '%2Fetc%2Fpasswd', '....%2F%2F....%2F%2Fetc%2Fpasswd', `${segment(target.name)}%00.pdf`, '..%c0%af..%c0%afetc%c0%afpasswd', `..%2F${segment(target.name)}`, '.', '..'];
  if (other) names.push(`..%2F..%2F${segment(other.ref)}%2F${segment(other.name)}`, `..%2F${segment(other.ref)}%2F${segment(other.name)}%2Fdownload`);
  return names;
}

export async function checkTraversal(ctx: RunContext, doc: DocRef | undefined, other: DocRef | undefined, known: KnownFiles): Promise<void> {
  if (!ctx.enabled('document_traversal')) return;
  if (!doc) {
    ctx.judge(documentTraversal, { doc: undefined });
    return;
  }
  // every probe at once (the harness keeps --concurrency in flight), judged in a fixed order
  const names = traversalNames(doc, other);
  // the names are sent as they are (they are the probe): every other part of the path is the spec's
  const raw = (ref: string, name: string) => ctx.router.path('downloadOrderDocument', { order_reference: ref, filename: name }, (v, param) => (param === 'filename' ? v : segment(v)));
  const answers = await Promise.all(names.map((name) => ctx.http.request({ path: raw(doc.ref, name), operationId: 'downloadOrderDocument' })));
  for (const [i, name] of names.entries()) {
    ctx.judge(documentTraversal, { doc, name, answer: answers[i]!, known });
  }
}
