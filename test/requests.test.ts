/**
 * Request normalization without a server: what each body means, and the
 * error code of each body that cannot be understood.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import {
  maxIdentifiers,
  parseDeviceRequest,
  parseJobDataRequest,
  parseJobStatusRequest,
} from '../src/services/requests.js';

const none = {
  Hostnames: [],
  SerialNumbers: [],
  Computer_Idns: [],
  LastSyncDate: null,
};

function codeOf(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parseDeviceRequest', () => {
  it.each([
    ['no body', undefined, none],
    ['null', null, none],
    ['{}', {}, none],
    [
      'a bare hostname',
      { Hostnames: 'PC01' },
      { ...none, Hostnames: ['PC01'] },
    ],
    [
      'names in any case',
      { hOsTnAmEs: ['PC01'] },
      { ...none, Hostnames: ['PC01'] },
    ],
    [
      'a singular name',
      { SerialNumber: 'S1' },
      { ...none, SerialNumbers: ['S1'] },
    ],
    [
      'ids as text',
      { Computer_Idns: ['10', ' 11 '] },
      { ...none, Computer_Idns: [10, 11] },
    ],
    [
      'ids as 1e1 and "10.0"',
      { Computer_Idns: [1e1, '10.0'] },
      { ...none, Computer_Idns: [10, 10] },
    ],
    [
      'trimmed names',
      { Hostnames: [' PC01 ', ''] },
      { ...none, Hostnames: ['PC01'] },
    ],
    [
      'a PowerShell 5.1 date wrapper',
      { LastSyncDate: { value: '/Date(1753833600000)/', DisplayHint: 2 } },
      { ...none, LastSyncDate: '2025-07-30T00:00:00.000Z' },
    ],
    ['an empty date', { LastSyncDate: '' }, none],
  ])('reads %s', (_name, body, expected) => {
    expect(parseDeviceRequest(body)).toStrictEqual(expected);
  });

  it.each([
    ['a list body', [], 'invalid_request'],
    ['a text body', 'PC01', 'invalid_request'],
    ['an unknown property', { Devices: ['PC01'] }, 'unknown_property'],
    ['two spellings', { Hostnames: [], HOSTNAMES: [] }, 'invalid_request'],
    ['a boolean name', { Hostnames: [false] }, 'invalid_request'],
    ['a long name', { Hostnames: ['x'.repeat(257)] }, 'invalid_request'],
    ['a fractional id', { Computer_Idns: [1.5] }, 'invalid_request'],
    ['a negative id', { Computer_Idns: ['-3'] }, 'invalid_request'],
    ['an id in hex', { Computer_Idns: ['0x10'] }, 'invalid_request'],
    ['a numeric date', { LastSyncDate: 1753833600 }, 'invalid_date'],
    ['a date list', { LastSyncDate: ['2025-07-30'] }, 'invalid_date'],
    [
      'too many identifiers',
      {
        Hostnames: Array.from({ length: maxIdentifiers }, (_, i) => `PC${i}`),
        Computer_Idns: [1],
      },
      'too_many_identifiers',
    ],
  ])('refuses %s', (_name, body, code) => {
    expect(codeOf(() => parseDeviceRequest(body))).toBe(code);
  });

  it('names at most five unknown properties in the detail', () => {
    const body = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`x${i}`, 1]),
    );

    expect(() => parseDeviceRequest(body)).toThrow(/"x4", and 45 more/);
  });
});

describe('parseJobStatusRequest and parseJobDataRequest', () => {
  const guid = '6f1c0c2e-8a55-4c1e-9d0e-3f7b8f5f2a10';

  it.each([
    guid,
    guid.toUpperCase(),
    `{${guid}}`,
    `(${guid})`,
    guid.replace(/-/g, ''),
    ` ${guid} `,
  ])('reads the GUID %s in its canonical form', (Guid) => {
    expect(parseJobStatusRequest({ Guid })).toEqual({ Guid: guid });
  });

  it('applies the paging defaults', () => {
    expect(parseJobDataRequest({ jobid: guid }, 1000)).toEqual({
      Guid: guid,
      Page: 1,
      PageSize: 100,
    });
  });

  it.each([
    [{ Guid: 'x' }, 'invalid_guid'],
    [{ Guid: `${guid}0` }, 'invalid_guid'],
    [{}, 'invalid_guid'],
    [{ Guid: guid, Page: 0 }, 'page_out_of_range'],
    [{ Guid: guid, Page: '1.5' }, 'page_out_of_range'],
    [{ Guid: guid, PageSize: 1001 }, 'page_out_of_range'],
    [{ Guid: guid, PageSize: true }, 'page_out_of_range'],
    [{ Guid: guid, Hostnames: [] }, 'unknown_property'],
  ])('refuses %j', (body, code) => {
    expect(codeOf(() => parseJobDataRequest(body, 1000))).toBe(code);
  });
});

describe('filters that would silently mean every device', () => {
  it.each([
    ['constructor', { constructor: 1 }],
    ['__proto__ spelled in JSON', JSON.parse('{"__proto__": {"a": 1}}')],
    ['toString in another case', { TOSTRING: 'x' }],
  ])('refuses %s as an unknown property', (_name, body) => {
    expect(codeOf(() => parseDeviceRequest(body))).toBe('unknown_property');
    expect(codeOf(() => parseJobStatusRequest(body))).toBe('unknown_property');
  });

  it.each([
    ['a list of one empty name', { Hostnames: [''] }],
    ['a bare empty serial', { SerialNumbers: ' ' }],
    ['a list of nulls', { Computer_Idns: [null, ''] }],
  ])('refuses %s instead of requesting all devices', (_name, body) => {
    expect(codeOf(() => parseDeviceRequest(body))).toBe('invalid_request');
  });

  it('still skips blanks beside real names', () => {
    const request = parseDeviceRequest({ Hostnames: ['', 'PC01', null] });

    expect(request.Hostnames).toEqual(['PC01']);
  });

  it('still reads null, [] and no property as all devices', () => {
    expect(parseDeviceRequest({ Hostnames: null, SerialNumbers: [] })).toEqual(
      none,
    );
  });
});
