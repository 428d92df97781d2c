/**
 * Provider variants of the reference server: one switch per open point of
 * ANALYSIS.md ("Open points and how the suite decides", "Judging a target we
 * did not write"), each another choice the documentation allows. The suite
 * must pass on every one; integrators develop their clients against them
 * ("a provider that answers 204").
 *
 * One table: name → description → effect. An effect is a partial
 * `Behaviour`; the variants asked for are merged over `DEFAULT_BEHAVIOUR`
 * (two that set the same switch differently cannot be combined). The server
 * reads the behaviour once, when it builds its routes, so the default path
 * pays nothing for the variants it does not use.
 */
import { ConformanceError } from '../src/errors.ts';

export interface Behaviour {
  /** envelope of the order and order request lists */
  listEnvelope: 'page' | 'array' | 'limit-offset';
  /** page size of a server that ignores `page_size` (undefined: honoured) */
  fixedPageSize: number | undefined;
  /** default page size of limit-offset paging (`?limit=` absent) */
  defaultLimit: number;
  /** the 404 of a URL that matches no route: JSON, or a framework's HTML page */
  unmatchedRoute: 'json' | 'html';
  /** status for an object that exists but belongs to another customer (or, for export tasks, another user) */
  foreignStatus: 403 | 404;
  exportStartStatus: 200 | 202;
  actionStatus: 200 | 201 | 202 | 204;
  /** GET /api/v1/product_order/{id}/ exists */
  productOrderGet: boolean;
  /** name of the product order item's status field */
  itemStatusField: 'status' | 'state';
  /** offering ids the catalogue lacks; non-empty makes the catalogue closed (an unknown id is refused) */
  withoutOfferings: readonly string[];
  /** scheme of the Authorization header */
  authScheme: 'Bearer' | 'Token';
  /** offset every instant is written with (undefined: as the documentation writes each: `Z`, `+02:00` in histories) */
  timestampZone: 'Z' | '+01:00' | undefined;
  /** fractional digits of every instant (undefined: as the documentation writes each: none, milliseconds in order requests) */
  timestampFraction: 6 | undefined;
  /** history vocabulary and timestamps: the reference server's, or the documentation example's */
  history: 'reference' | 'documentation';
  /** some orders skip some production steps */
  skipSteps: boolean;
  /** error bodies: `{detail}` or `{error: {code, message}}` */
  errorShape: 'detail' | 'nested';
  /** the export file's header row: the list's field names, or French column labels */
  exportHeader: 'fields' | 'labels';
}

export const DEFAULT_BEHAVIOUR: Readonly<Behaviour> = Object.freeze({
  listEnvelope: 'page',
  fixedPageSize: undefined,
  defaultLimit: 25,
  unmatchedRoute: 'json',
  foreignStatus: 404,
  exportStartStatus: 202,
  actionStatus: 201,
  productOrderGet: true,
  itemStatusField: 'status',
  withoutOfferings: [],
  authScheme: 'Bearer',
  timestampZone: undefined,
  timestampFraction: undefined,
  history: 'reference',
  skipSteps: false,
  errorShape: 'detail',
  exportHeader: 'fields',
});

export interface VariantDef {
  /** what the server does differently, in the present tense (one README line) */
  description: string;
  effect: Partial<Behaviour>;
}

/** Page size of the fixed-page-size and limit-offset variants. */
export const VARIANT_PAGE_SIZE = 25;

export const VARIANTS = {
  'bare-list': {
    description: 'the order and order request lists are a bare JSON array of every row: no envelope, no paging',
    effect: { listEnvelope: 'array' },
  },
  'limit-offset': {
    description: `the lists page with \`?limit=&offset=\` (${VARIANT_PAGE_SIZE} rows by default), their \`next\`/\`previous\` links built that way; \`page\` and \`page_size\` are ignored`,
    effect: { listEnvelope: 'limit-offset', defaultLimit: VARIANT_PAGE_SIZE },
  },
  'fixed-page-size': {
    description: `the lists page by ${VARIANT_PAGE_SIZE} whatever \`page_size\` asks (the parameter is ignored)`,
    effect: { fixedPageSize: VARIANT_PAGE_SIZE },
  },
  'html-404': {
    description: 'a URL that matches no route gets a framework-style HTML 404 page (`text/html`)',
    effect: { unmatchedRoute: 'html' },
  },
  'forbidden-403': {
    description: "another customer's order, history, documents, files and product orders, and another user's export task, answer 403 instead of 404",
    effect: { foreignStatus: 403 },
  },
  'export-200': {
    description: 'the export start answers 200 instead of 202',
    effect: { exportStartStatus: 200 },
  },
  'action-200': { description: 'an accepted action answers 200 (the default is 201)', effect: { actionStatus: 200 } },
  'action-202': { description: 'an accepted action answers 202', effect: { actionStatus: 202 } },
  'action-204': { description: 'an accepted action answers 204 with an empty body', effect: { actionStatus: 204 } },
  'no-product-order-get': {
    description: 'there is no `GET /api/v1/product_order/{id}/` (it answers 404)',
    effect: { productOrderGet: false },
  },
  'item-state-field': {
    description: 'the product order item carries its status in a field named `state` instead of `status`',
    effect: { itemStatusField: 'state' },
  },
  'no-offering-1679': {
    description: "the offering catalogue lacks `1679` (the documentation example's id): no order uses it, and a product order naming it (or any id not in the catalogue) gets 400",
    effect: { withoutOfferings: ['1679'] },
  },
  'token-auth': {
    description: 'credentials are sent as `Authorization: Token <token>`; `Bearer` is refused with 401',
    effect: { authScheme: 'Token' },
  },
  'utc-timestamps': {
    description: 'every instant is written in UTC with `Z`, histories included',
    effect: { timestampZone: 'Z' },
  },
  'offset-timestamps': {
    description: 'every instant is written with the `+01:00` offset',
    effect: { timestampZone: '+01:00' },
  },
  'microsecond-timestamps': {
    description: 'every instant carries microseconds (`.ssssss`)',
    effect: { timestampFraction: 6 },
  },
  'doc-history': {
    description: "histories use the vocabulary and timestamp order of the documentation's /historic/ example: `acknowledged`, `held_adv_validation`, `production_in_progress`, the steps, `active`, the last step dated 2 s after `active`",
    effect: { history: 'documentation' },
  },
  'skipped-steps': {
    description: 'production sometimes skips steps: some orders never report one to three of the eleven steps',
    effect: { skipSteps: true },
  },
  'nested-errors': {
    description: 'error bodies are `{"error": {"code", "message", "fields"?}}` instead of `{"detail"}`',
    effect: { errorShape: 'nested' },
  },
  'export-labels': {
    description: "the export file names its columns with French labels (`Référence commande`, `Statut`, …) instead of the list's field names",
    effect: { exportHeader: 'labels' },
  },
} as const satisfies Record<string, VariantDef>;

export type VariantName = keyof typeof VARIANTS;

export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** Variant names from a list or a comma-separated string (blank entries dropped). */
export function variantNames(v: readonly string[] | string | undefined): string[] {
  if (v === undefined) return [];
  const list = typeof v === 'string' ? v.split(',') : v.flatMap((s) => s.split(','));
  return [...new Set(list.map((s) => s.trim()).filter((s) => s !== ''))];
}

/**
 * The behaviour of a list of variants: their effects merged over the default.
 * An unknown name, or two variants setting one switch differently, is
 * CONF_ERR_BAD_OPTION (listing the valid names).
 */
export function behaviourOf(v: readonly string[] | string | undefined): { variants: VariantName[]; behaviour: Readonly<Behaviour> } {
  const names = variantNames(v);
  const unknown = names.filter((n) => !(n in VARIANTS));
  if (unknown.length > 0) {
    throw new ConformanceError('CONF_ERR_BAD_OPTION', `unknown variant${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid names: ${VARIANT_NAMES.join(', ')}`);
  }
  if (names.length === 0) return { variants: [], behaviour: DEFAULT_BEHAVIOUR };
  const out: Record<string, unknown> = { ...DEFAULT_BEHAVIOUR };
  const setBy = new Map<string, string>();
  for (const name of names as VariantName[]) {
    for (const [key, value] of Object.entries(VARIANTS[name].effect as Partial<Behaviour>)) {
      const other = setBy.get(key);
      if (other !== undefined && JSON.stringify(out[key]) !== JSON.stringify(value)) {
        throw new ConformanceError('CONF_ERR_BAD_OPTION', `variants ${other} and ${name} cannot be combined (both choose the ${key})`);
      }
      setBy.set(key, name);
      out[key] = value;
    }
  }
  return { variants: names as VariantName[], behaviour: Object.freeze(out as unknown as Behaviour) };
}
