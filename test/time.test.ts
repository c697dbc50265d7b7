/**
 * The explicit date parser: every accepted form to its instant, everything
 * else to undefined (never what `new Date(text)` would guess).
 */
import { describe, expect, it } from 'vitest';
import { parseClientDate, toWallTime, trimFraction } from '../src/time.js';

const iso = (text: string) => parseClientDate(text)?.toISOString();

describe('parseClientDate', () => {
  it.each([
    ['2025-07-30', '2025-07-30T00:00:00.000Z'],
    ['2025-07-30T00:00:00', '2025-07-30T00:00:00.000Z'],
    ['2025-07-30 13:45', '2025-07-30T13:45:00.000Z'],
    ['2025-07-30T13:45:10Z', '2025-07-30T13:45:10.000Z'],
    ['2025-07-30T13:45:10.1234567Z', '2025-07-30T13:45:10.123Z'],
    ['2025-07-30T13:45:10.123456789+00:00', '2025-07-30T13:45:10.123Z'],
    ['2025-07-30T13:45:10,5Z', '2025-07-30T13:45:10.500Z'],
    ['2025-07-30T15:45:10+02:00', '2025-07-30T13:45:10.000Z'],
    ['2025-07-30T08:15:10-0530', '2025-07-30T13:45:10.000Z'],
    ['2025-07-30T15:45:10+02', '2025-07-30T13:45:10.000Z'],
    ['2025-07-30t13:45:10z', '2025-07-30T13:45:10.000Z'],
    ['  2025-07-30  ', '2025-07-30T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-01', '0099-06-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads ISO 8601 %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it.each([
    ['/Date(1753833600000)/', '2025-07-30T00:00:00.000Z'],
    ['\\/Date(1753833600000)\\/', '2025-07-30T00:00:00.000Z'],
    ['/Date(1753833600000+0200)/', '2025-07-30T00:00:00.000Z'],
    ['/Date(1753833600000-0800)/', '2025-07-30T00:00:00.000Z'],
    ['/Date(0)/', '1970-01-01T00:00:00.000Z'],
    ['/Date(-62135596800000)/', '0001-01-01T00:00:00.000Z'],
  ])(
    'reads %s as UTC milliseconds, the offset only a hint',
    (text, expected) => {
      expect(iso(text)).toBe(expected);
    },
  );

  it.each([
    '',
    'yesterday',
    '1753833600000',
    '07/30/2025',
    '30.07.2025',
    '2025-7-30',
    '20250730',
    '2025-02-29',
    '2025-13-01',
    '2025-07-32',
    '2025-07-30T24:00:00',
    '2025-07-30T12:60:00',
    '2025-07-30T12:00:60',
    '2025-07-30T12',
    '2025-07-30T12:00:00+24:00',
    '2025-07-30T12:00:00+02:60',
    '2025-07-30T12:00:00 +02:00',
    '2025-07-30T12:00:00.1234567890Z',
    '/Date()/',
    '/Date(abc)/',
    '/Date(1753833600000+2)/',
    '/Date(253402300800000)/',
    '/Date(-62135596800001)/',
    'Wednesday, July 30, 2025 2:00:00 AM',
  ])('refuses %j', (text) => {
    expect(parseClientDate(text)).toBeUndefined();
  });
});

describe('toWallTime', () => {
  it('prints the wall time of the zone', () => {
    const date = new Date('2025-07-30T00:00:00.120Z');

    expect(toWallTime(date, 'Europe/Berlin')).toBe('2025-07-30T02:00:00.120');
    expect(toWallTime(date, 'UTC')).toBe('2025-07-30T00:00:00.120');
  });

  it('pads years below 1000 to four digits', () => {
    const date = parseClientDate('0001-01-01T12:00:00Z')!;

    expect(toWallTime(date, 'America/New_York')).toMatch(/^0001-01-01T/);
  });

  it('trims trailing fraction zeros as EPM prints them', () => {
    expect(trimFraction('2025-08-06T15:19:59.720')).toBe(
      '2025-08-06T15:19:59.72',
    );
    expect(trimFraction('2025-08-06T15:13:34.000')).toBe('2025-08-06T15:13:34');
  });
});
