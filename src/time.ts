/**
 * Date handling with explicit parsers: the forms clients really send, and the
 * EPM core server's local wall time used by EPM columns.
 */

/**
 * `\/Date(ms)\/` as Windows PowerShell 5.1 writes it (after JSON decoding
 * the backslashes are gone; typed by hand they may stay). The optional
 * offset of the WCF form `\/Date(ms+0200)\/` only tells the writer's zone
 * for display: the milliseconds are UTC either way.
 */
const msDate = /^\\?\/Date\((-?\d{1,15})([+-]\d{4})?\)\\?\/$/;
const isoDate = new RegExp(
  '^(\\d{4})-(\\d{2})-(\\d{2})' +
    '(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?' +
    '(Z|[+-]\\d{2}(?::?\\d{2})?)?$',
  'i',
);

export const acceptedDateForms =
  'ISO 8601 such as 2025-07-30, 2025-07-30T00:00:00Z, ' +
  '2025-07-30T02:00:00.1234567+02:00 or 2025-07-30 00:00:00 (0 to 9 ' +
  'fraction digits; no zone means UTC), or \\/Date(1753833600000)\\/ ' +
  '(milliseconds since 1970-01-01 UTC, as Windows PowerShell 5.1 writes)';

/** Years 1 to 9999, the range of .NET's DateTime and of both databases. */
const minTime = new Date(0).setUTCFullYear(1, 0, 1);
const maxTime = new Date(0).setUTCFullYear(9999, 11, 31) + 86_399_999;

/**
 * Reads a client date. Returns undefined when the text is not one of the
 * accepted forms or names an impossible date.
 */
export function parseClientDate(text: string): Date | undefined {
  const trimmed = text.trim();
  const ms = msDate.exec(trimmed);
  const date = ms ? new Date(Number(ms[1])) : isoParts(trimmed);
  if (!date) return undefined;

  const time = date.getTime();
  return time >= minTime && time <= maxTime ? date : undefined;
}

function isoParts(text: string): Date | undefined {
  const m = isoDate.exec(text);
  return m ? fromIsoParts(m) : undefined;
}

function fromIsoParts(m: RegExpExecArray): Date | undefined {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(fields[0], fields[1] - 1, fields[2]);
  utc.setUTCHours(fields[3], fields[4], fields[5], millis);

  const valid =
    utc.getUTCFullYear() === fields[0] &&
    utc.getUTCMonth() === fields[1] - 1 &&
    utc.getUTCDate() === fields[2] &&
    fields[3] < 24 &&
    fields[4] < 60 &&
    fields[5] < 60;
  const offset = zoneOffsetMinutes(zone);
  if (!valid || offset === undefined) return undefined;

  return new Date(utc.getTime() - offset * 60_000);
}

/** Minutes east of UTC; undefined for an offset no zone has. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

const wallTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall time of an instant in a time zone, as EPM stores it:
 * `YYYY-MM-DDTHH:MM:SS.fff`.
 */
export function toWallTime(date: Date, timeZone: string): string {
  if (timeZone === 'UTC') return date.toISOString().slice(0, 23);

  let format = wallTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallTimeFormats.set(timeZone, format);
  }

  const parts = Object.fromEntries(
    format.formatToParts(date).map((p) => [p.type, p.value]),
  );
  const millis = String(date.getUTCMilliseconds()).padStart(3, '0');
  return (
    `${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}T` +
    `${parts.hour}:${parts.minute}:${parts.second}.${millis}`
  );
}

/** EPM's printed form of a wall time: trailing fraction zeros trimmed. */
export function trimFraction(wallTime: string): string {
  if (!wallTime.includes('.')) return wallTime;
  return wallTime.replace(/0+$/, '').replace(/\.$/, '');
}
