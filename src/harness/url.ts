/**
 * Strings from the server are hostile: this is where they become parts of a
 * URL the kit sends, and where the links a server gives are resolved.
 *
 * - A path segment is percent-encoded whole (`encodeURIComponent`), and the
 *   dot segments `.` and `..` become `%2E` and `%2E%2E`, so that no server
 *   string can make the kit send `/api/v1/order/../terminate/`.
 * - A lone surrogate (half of a broken emoji) cannot be percent-encoded as
 *   UTF-8: it is replaced by U+FFFD, the replacement character (sent as
 *   `%EF%BF%BD`), deterministically, before encoding. So an order reference
 *   "CMD\uD800" is asked for as `CMD%EF%BF%BD` and the answer (404, most
 *   likely) is judged like any other.
 * - A link (`next`) is resolved as a URL reference (RFC 3986, WHATWG URL
 *   parsing) against the URL of the page that gave it: `?page=2`, `page2/`,
 *   `/api/v1/order/?page=2` and `http://host/...` all work; anything that is
 *   not http(s) on the target's own origin is refused with a reason, never
 *   followed.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.isWellFormed (Node 20; ES2024, past the lib the project compiles against). */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** The string with every lone surrogate replaced by U+FFFD (what `String.prototype.toWellFormed` does). */
export function wellFormed(s: string): string {
  // the usual string has no lone surrogate: checked natively, no regex run (every path segment and query value passes here)
  return (s as WellFormedCheck).isWellFormed() ? s : s.replace(LONE_SURROGATE, '\uFFFD');
}

/** One path segment from a server string: percent-encoded, dot segments encoded, never throws. */
export function segment(s: string): string {
  const enc = encodeURIComponent(wellFormed(s));
  return enc === '.' ? '%2E' : enc === '..' ? '%2E%2E' : enc;
}

/** A link from a server, resolved against the page it came from; `error` says why it is not followed. */
export function resolveLink(link: string, base: string, origin: string): { url: URL } | { error: string } {
  let url: URL;
  try {
    url = new URL(wellFormed(link), base);
  } catch {
    return { error: `${JSON.stringify(link.slice(0, 200))} is not a URL reference` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `${JSON.stringify(link.slice(0, 200))} is a ${url.protocol} link, not http(s)` };
  if (url.origin !== origin) return { error: `${JSON.stringify(link.slice(0, 200))} points to another origin (${url.origin}, not ${origin})` };
  if (url.username || url.password) return { error: `${JSON.stringify(link.slice(0, 200))} carries credentials` };
  return { url };
}
