/**
 * Date formatting for the reference server. Instants are written the way the
 * documentation shows them: `2025-04-23T10:00:58Z` in lists and details,
 * `2025-06-03T18:37:08+02:00` in histories, `2025-05-22T09:40:56.384Z` in
 * order requests; days as `2025-04-23`.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

function clamp(ms: number): number {
  // Date covers ±8.64e15 ms; keep any injected clock inside years 0000-9999.
  return Math.min(Math.max(ms, -62_167_219_200_000), 253_402_300_799_000);
}

/** `YYYY-MM-DDTHH:MM:SSZ`, whole seconds. */
export function instant(ms: number): string {
  return `${new Date(Math.floor(clamp(ms) / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, with milliseconds. */
export function instantMs(ms: number): string {
  return new Date(clamp(ms)).toISOString();
}

/** `YYYY-MM-DDTHH:MM:SS+02:00`: the same instant written with a Paris summer offset. */
export function instantParis(ms: number): string {
  return `${new Date(Math.floor(clamp(ms) / 1000) * 1000 + 2 * HOUR).toISOString().slice(0, 19)}+02:00`;
}

/** `YYYY-MM-DD` (UTC). */
export function day(ms: number): string {
  return new Date(clamp(ms)).toISOString().slice(0, 10);
}

/** `YYYYMMDD` (UTC), as order identifiers carry it. */
export function compactDay(ms: number): string {
  return day(ms).replace(/-/g, '');
}

/** The day `months` months after `ms` (UTC). */
export function dayPlusMonths(ms: number, months: number): string {
  const d = new Date(clamp(ms));
  d.setUTCMonth(d.getUTCMonth() + months);
  return day(d.getTime());
}

/** How the server writes instants: the three shapes the documentation shows. */
export interface InstantFormats {
  /** lists, details, product orders, export status */
  instant: (ms: number) => string;
  /** order requests */
  instantMs: (ms: number) => string;
  /** histories */
  history: (ms: number) => string;
}

export const DOCUMENTED_FORMATS: InstantFormats = Object.freeze({ instant, instantMs, history: instantParis });

/**
 * An instant written with a given offset (`Z` or `±HH:MM`) and 0, 3 or 6
 * fractional digits; the three digits past the millisecond are derived from
 * the millisecond itself, so one instant always reads the same.
 */
export function formatInstant(ms: number, zone: string, fraction: 0 | 3 | 6): string {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * MINUTE) : 0;
  const t = clamp(ms);
  const base = new Date(Math.floor(t / 1000) * 1000 + offset).toISOString().slice(0, 19);
  const milli = String(((Math.floor(t) % 1000) + 1000) % 1000).padStart(3, '0');
  const micro = String(Math.abs(Math.floor(t / 1000) * 7919) % 1000).padStart(3, '0');
  const frac = fraction === 0 ? '' : fraction === 3 ? `.${milli}` : `.${milli}${micro}`;
  return `${base}${frac}${m ? zone : 'Z'}`;
}

/**
 * The formats of a server that writes every instant with one offset and/or
 * one precision; what is left undefined stays as the documentation writes it.
 */
export function instantFormats(zone: 'Z' | '+01:00' | undefined, fraction: 6 | undefined): InstantFormats {
  if (zone === undefined && fraction === undefined) return DOCUMENTED_FORMATS;
  const f = (docZone: string, docFraction: 0 | 3) => (ms: number) => formatInstant(ms, zone ?? docZone, fraction ?? docFraction);
  return { instant: f('Z', 0), instantMs: f('Z', 3), history: f('+02:00', 0) };
}
