/**
 * The matchers the integrator's pact uses, named after what they stand for.
 * Pact regexes must match the whole value (they are anchored by the matcher).
 */
import { MatchersV3 as M, type PactV4 } from '@pact-foundation/pact';
import { offerFamilyValues, orderStateValues } from '../../generated/openapi.ts';

type WithRequest = ReturnType<ReturnType<PactV4['addInteraction']>['withRequest']>;
/** pact-js does not export its V4 response builder type; this is it. */
export type V4ResponseBuilder = Parameters<NonNullable<Parameters<WithRequest['willRespondWith']>[1]>>[0];

/** An RFC 3339 instant, with or without fractions, `Z` or an offset. */
export const INSTANT_RE = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})';
export const instant = (example: string) => M.regex(INSTANT_RE, example);

/** A calendar day (`format: date`). */
export const day = (example: string) => M.date('yyyy-MM-dd', example);

/** One of the order states (the enum of openapi.yaml, generated into generated/openapi.ts). */
export const ORDER_STATE_RE = `(${orderStateValues.join('|')})`;
export const orderState = (example: string) => M.regex(ORDER_STATE_RE, example);

export const offerFamily = (example: (typeof offerFamilyValues)[number]) => M.regex(`(${offerFamilyValues.join('|')})`, example);

/** The bearer token the client sends; the provider replays the example (or `--token`). */
export const bearer = (token: string) => M.regex('Bearer \\S+', `Bearer ${token}`);

/** JSON served as `application/json`, with or without parameters. */
export const JSON_TYPE = M.regex('application/json(;.*)?', 'application/json');

/**
 * A text body (e.g. `text/csv`) matched by a regex over the whole text.
 *
 * pact-js's V4 builder only offers `body(contentType, Buffer)`, which stores
 * the body as binary and adds a `contentType` matcher; content sniffing
 * detects CSV as `text/plain`, so no CSV provider could ever pass it. The
 * builder's interaction handle has the FFI's text-body call: use it, and fail
 * loudly if a pact-js upgrade removes it.
 */
export function textBody(builder: V4ResponseBuilder, contentType: string, example: string, wholeTextRegex: string): void {
  const interaction = (builder as unknown as { interaction?: { withResponseBody?: (body: string, ct: string) => boolean } }).interaction;
  if (!interaction || typeof interaction.withResponseBody !== 'function') {
    throw new Error('pact-js internals changed: V4ResponseBuilder has no interaction.withResponseBody; see contracts/consumer/matchers.ts');
  }
  interaction.withResponseBody(example, contentType);
  builder.matchingRules({ body: { path: '$', rules: [M.regex(wholeTextRegex, example)] } });
}
