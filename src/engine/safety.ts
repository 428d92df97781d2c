/**
 * What a run may change on the target, in one place (ANALYSIS.md, "Safety
 * against a real server" and "Writes on a target we did not write").
 *
 * - The write guard sits in the harness, under every driver: a request other
 *   than GET or HEAD is sent only when it is one the options allow — the
 *   export start with --allow-export; the product order and actions on orders
 *   the run created or the user named disposable, with --allow-writes — and
 *   never with --dry-run. Anything else is refused before it leaves the kit
 *   and named in the report's problems: a bug in a driver cannot write to a
 *   real customer's order.
 * - The plan lists, before the first write or export, every write and export
 *   the run will send and why; with --dry-run it is what the run would have
 *   sent, and nothing is.
 */
import type { PlannedWrite } from '../report/types.ts';
import type { RunContext } from './context.ts';
import { externalIdOf, wantsActive } from './phases/writes.ts';

export type { PlannedWrite };

function selected(ctx: RunContext, check: string): boolean {
  return ctx.options.checks === undefined || ctx.options.checks.includes(check);
}

/** The guard installed in the harness: undefined lets a request go, a string is why it is refused. */
export function writeGuard(ctx: RunContext): (method: string, path: string) => string | undefined {
  const base = ctx.http.basePath;
  return (method, fullPath) => {
    if (method === 'GET' || method === 'HEAD') return undefined;
    if (ctx.options.dryRun) return 'dry run: no write or export is sent';
    let path = fullPath.split(/[?#]/, 1)[0] ?? '';
    if (base && path.startsWith(`${base}/`)) path = path.slice(base.length);
    // which operation the write addresses, as the spec routes it
    const m = ctx.router.match(method, path);
    const op = m?.operation;
    const params = m?.operation ? m.params : {};
    if (op?.operationId === 'startOrderExport') return ctx.options.allowExport ? undefined : 'the export is off against this target (--allow-export)';
    if (!ctx.options.allowWrites) return 'writes are off against this target (--allow-writes)';
    if (op?.operationId === 'createProductOrder') return undefined;
    if (op?.operationId === 'requestOrderAction') {
      const ref = params.order_reference ?? '';
      if (ctx.writable.has(ref)) return undefined;
      return `order ${ref} was neither created by this run nor named with --disposable-order`;
    }
    return `${method} ${path} is not a write this kit sends`;
  };
}

/** Every write and export the run will send (or, with --dry-run, would have sent), with its purpose. */
export function planWrites(ctx: RunContext, reasons: string[]): PlannedWrite[] {
  const o = ctx.options;
  const plan: PlannedWrite[] = [];
  const EXPORT_START = ctx.path('startOrderExport');
  const PRODUCT_ORDER = ctx.path('createProductOrder');
  const ACTION = ctx.router.path('requestOrderAction', { order_reference: '{ref}', action: ctx.lifecycle.actions.get('terminate')?.name ?? 'terminate' }, (v) => v);
  if (o.allowExport) {
    if (selected(ctx, 'export_start')) plan.push({ method: 'POST', path: EXPORT_START, as: 'main', count: 1, purpose: "starts an export: spends the user's one export for 5 minutes", checks: ['export_start'] });
    if (selected(ctx, 'export_start') && selected(ctx, 'rate_limit')) plan.push({ method: 'POST', path: EXPORT_START, as: 'main', count: 1, purpose: 'a second export at once, which must be refused with 429', checks: ['rate_limit', 'rate_limit_retry_after'] });
    if (o.tokenOtherUser && selected(ctx, 'export_start') && selected(ctx, 'rate_limit_scope'))
      plan.push({ method: 'POST', path: EXPORT_START, as: 'otherUser', count: 1, purpose: "the colleague's export, after the writes: spends the colleague's one export for 5 minutes", checks: ['rate_limit_scope', 'export_fresh'] });
    for (const [check, as] of [
      ['auth_missing_credentials', 'none'],
      ['auth_invalid_credentials', 'invalid'],
    ] as const) {
      if (selected(ctx, check)) plan.push({ method: 'POST', path: EXPORT_START, as, count: 1, purpose: 'an export start without valid credentials, which must be refused with 401', checks: [check] });
    }
  }
  if (o.allowWrites) {
    const reason = reasons[0] ?? '(the first listed reason)';
    const disposable = o.disposableOrders.length > 0 ? ` or a disposable order (${o.disposableOrders.join(', ')})` : '';
    const own = `the order the run creates${disposable}`;
    if (selected(ctx, 'product_order_status') || wantsActive(ctx)) plan.push({ method: 'POST', path: PRODUCT_ORDER, as: 'main', count: 1, purpose: `creates one product order (external_id ${externalIdOf(ctx)}): a real order on the target`, checks: ['product_order_status'] });
    if (o.fuzzRuns > 0 && selected(ctx, 'fuzz_invalid_product_order')) plan.push({ method: 'POST', path: PRODUCT_ORDER, as: 'main', count: o.fuzzRuns, purpose: 'invalid product order bodies (fuzzed), each of which must be refused', checks: ['fuzz_invalid_product_order'] });
    if (selected(ctx, 'action_invalid_body')) plan.push({ method: 'POST', path: ACTION, as: 'main', count: 6, purpose: `invalid termination bodies to ${own}, once active; each must be refused and change nothing`, checks: ['action_invalid_body'] });
    if (o.fuzzRuns > 0 && selected(ctx, 'fuzz_invalid_body')) plan.push({ method: 'POST', path: ACTION, as: 'main', count: o.fuzzRuns, purpose: `fuzzed invalid termination bodies to ${own}, once active; each must be refused`, checks: ['fuzz_invalid_body'] });
    const body = o.terminateBody ? 'with the body of --terminate-body, as it is' : `with the reason "${reason}" (body: reason, message)`;
    if (selected(ctx, 'terminate_active')) plan.push({ method: 'POST', path: ACTION, as: 'main', count: 1, purpose: `terminates ${own}, once active, ${body}`, checks: ['terminate_active'] });
    if (selected(ctx, 'action_precondition')) plan.push({ method: 'POST', path: ACTION, as: 'main', count: 1, purpose: `asks again to terminate ${own} once it is no longer active; must be refused and change nothing`, checks: ['action_precondition'] });
  }
  return plan;
}

/** The plan as lines for the console. */
export function planLines(plan: PlannedWrite[], dryRun: boolean, target: string): string[] {
  if (plan.length === 0) return [dryRun ? 'Dry run: writes and export are off, so there is nothing it would send.' : `Read-only run: nothing on ${target} will be changed.`];
  const head = dryRun ? `Dry run: these writes and exports would be sent to ${target} (none is):` : `This run will change ${target}:`;
  return [head, ...plan.map((p) => `  ${p.method} ${p.path} ×${p.count} as ${p.as} — ${p.purpose}`), ...(dryRun ? [] : ['  Nothing else existing is written: every other write is refused before it is sent.'])];
}
