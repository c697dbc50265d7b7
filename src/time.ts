/**
 * Date handling with explicit parsers: the forms clients really send, and the
 * EPM core server's local wall time used by EPM columns.
 */

const msDate = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/;
const isoDate = new RegExp(
  '^(\\d{4})-(\\d{2})-(\\d{2})' +
    '(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?' +
    '(Z|[+-]\\d{2}:?\\d{2})?$',
  'i',
);

export const acceptedDateForms =
  'ISO 8601 (2025-07-30, 2025-07-30T00:00:00Z, 2025-07-30T02:00:00+02:00, ' +
  'up to 7 fraction digits; no zone means UTC) or \\/Date(1753833600000)\\/';

/**
 * Reads a client date. Returns undefined when the text is not one of the
 * accepted forms or names an impossible date.
 */
export function parseClientDate(text: string): Date | undefined {
  const trimmed = text.trim();
  const ms = msDate.exec(trimmed);
  if (ms) return new Date(Number(ms[1]));

  const m = isoDate.exec(trimmed);
  if (!m) return undefined;
  return fromIsoParts(m);
}

function fromIsoParts(m: RegExpExecArray): Date | undefined {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const millis = Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(
    fields[0],
    fields[1] - 1,
    fields[2],
    fields[3],
    fields[4],
    fields[5],
    millis,
  );

  const check = new Date(utc);
  const valid =
    check.getUTCFullYear() === fields[0] &&
    check.getUTCMonth() === fields[1] - 1 &&
    check.getUTCDate() === fields[2] &&
    fields[3] < 24 &&
    fields[4] < 60 &&
    fields[5] < 60;
  if (!valid) return undefined;

  return new Date(utc - zoneOffsetMinutes(zone) * 60_000);
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
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
    `${parts.year}-${parts.month}-${parts.day}T` +
    `${parts.hour}:${parts.minute}:${parts.second}.${millis}`
  );
}

/** EPM's printed form of a wall time: trailing fraction zeros trimmed. */
export function trimFraction(wallTime: string): string {
  if (!wallTime.includes('.')) return wallTime;
  return wallTime.replace(/0+$/, '').replace(/\.$/, '');
}
