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
  const probes: [Check<CredentialProbe>, Principal][] = [
    [authMissingCredentials, 'none'],
    [authInvalidCredentials, { token: `invalid-${ctx.options.seed}-not-a-token` }],
  ];
  for (const [check, as] of probes) {
    if (!ctx.enabled(check.name)) continue;
    await Promise.all(targets.map(async (t) => {
      const exchange = await ctx.http.request({ path: t.path, method: t.method, as, operationId: t.operationId, retry429: false });
      ctx.judge(check, { exchange, path: t.path });
    }));
  }
}

export async function checkTenantIsolation(ctx: RunContext, sample: OrderFact[], doc: DocRef | undefined, known: KnownFiles): Promise<void> {
  if (!ctx.enabled('tenant_isolation')) return;
  const probe = sample.slice(0, 5);
  for (const o of probe) {
    const [d, h, docs] = await Promise.all([
      ctx.http.request({ path: orderPath(o.ref), as: 'otherTenant', operationId: 'getOrder' }),
      ctx.http.request({ path: orderPath(o.ref, 'historic/'), as: 'otherTenant', operationId: 'getOrderHistory' }),
      ctx.http.request({ path: orderPath(o.ref, 'documents/'), as: 'otherTenant', operationId: 'listOrderDocuments' }),
    ]);
    ctx.judge(tenantIsolation, {
      reads: [
        { exchange: d, what: `order ${o.ref} read by another customer` },
        { exchange: h, what: `history of ${o.ref} read by another customer` },
        { exchange: docs, what: `documents of ${o.ref} read by another customer` },
      ],
    });
  }
  if (doc) {
    const f = await ctx.http.request({ path: orderPath(doc.ref, `${segment(doc.name)}/download/`), as: 'otherTenant', operationId: 'downloadOrderDocument' });
    ctx.judge(tenantIsolation, { reads: [{ exchange: f, what: `file ${doc.name} of ${doc.ref} downloaded by another customer`, known }] });
  }
  // the other customer's own list must not show our orders
  const items: { ref: unknown; exchange: Exchange }[] = [];
  const walk = await walkList(ctx, {
    path: '/api/v1/order/',
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
    await Promise.all([
      ['', 'getOrder'], ['historic/', 'getOrderHistory'], ['documents/', 'listOrderDocuments'],
    ].map(async ([suffix, op]) => {
      const path = orderPath(ref, suffix);
      ctx.judge(orderNotFound, { path, answer: await ctx.http.request({ path, operationId: op }) });
    }));
  }
  if (ctx.enabled('document_not_found')) {
    if (!doc) ctx.judge(documentNotFound, {});
    else {
      const name = `conformance-missing-${ctx.options.seed}.pdf`;
      const answer = await ctx.http.request({ path: orderPath(doc.ref, `${name}/download/`), operationId: 'downloadOrderDocument' });
      ctx.judge(documentNotFound, { ref: doc.ref, name, answer });
    }
  }
  if (ctx.enabled('export_not_found')) {
    const task = randomUUID();
    for (const [suffix, op] of [['status/', 'getOrderExportStatus'], ['download/', 'downloadOrderExport']] as const) {
      const ex = await ctx.http.request({ path: `/api/v1/order/export/${task}/${suffix}`, operationId: op });
      ctx.judge(exportNotFound, { exchange: ex, part: suffix === 'status/' ? 'status' : 'download' });
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
  if (!doc) {
    ctx.judge(documentTraversal, { doc: undefined });
    return;
  }
  // every probe at once (the harness keeps --concurrency in flight), judged in a fixed order
  const names = traversalNames(doc, other);
  const answers = await Promise.all(names.map((name) => ctx.http.request({ path: `/api/v1/order/${segment(doc.ref)}/${name}/download/`, operationId: 'downloadOrderDocument' })));
  for (const [i, name] of names.entries()) {
    ctx.judge(documentTraversal, { doc, name, answer: answers[i]!, known });
  }
}
