/**
 * Fuzz values → request targets. Names and ordinary values are
 * percent-encoded (lone surrogates replaced first, so every value can be
 * sent); `raw` values are percent-encoding tricks and go out as they are.
 */
import type { QueryPart, Segment } from './arbitraries.ts';

import { wellFormed } from '../harness/url.ts';

/** encodeURIComponent that never throws. */
export function encode(s: string): string {
  return encodeURIComponent(wellFormed(s));
}

/** `name=value&…`, in order, duplicates kept. */
export function queryString(parts: readonly QueryPart[]): string {
  return parts.map((p) => `${encode(p.name)}=${p.raw ? p.value : encode(p.value)}`).join('&');
}

/** A path with its query string (none when there are no parts). */
export function withQuery(path: string, parts: readonly QueryPart[]): string {
  return parts.length === 0 ? path : `${path}?${queryString(parts)}`;
}

export function segment(s: Segment): string {
  return s.raw ? s.value : encode(s.value);
}
