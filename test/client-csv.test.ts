/** CSV quoting and how a device is flattened into rows. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  csvLine,
  deviceRecord,
  securityRecords,
  viewRecords,
  type DeviceResult,
} from '../src/client/index.js';

const example = JSON.parse(
  readFileSync(
    new URL('./fixtures/jobdata-example.json', import.meta.url),
    'utf8',
  ),
);
const device: DeviceResult = example.Results[0];

describe('CSV quoting (RFC 4180)', () => {
  it('quotes fields with a comma, quote, CR or LF and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('writes null as an empty field and numbers as text', () => {
    expect(csvLine([1, null, undefined, 'x', true])).toBe('1,,,x,true\r\n');
  });
});

describe('flattening a device', () => {
  it('puts identity, EPM fields, scopes and custom fields in one row', () => {
    const record = deviceRecord(device);

    expect(record.Computer_Idn).toBe(10);
    expect(record.DeviceName).toBe('WIN10-TEST2');
    expect(record.OsType).toBe(
      'Microsoft Windows 10 Enterprise Edition, 64-bit',
    );
    expect(record.Scope_Idns).toBe('1230; 1290');
    expect(record.ScopeNames).toBe(
      'All Win Devices; EMS - Sharepoint Servers - Autofix',
    );
    expect(record['Custom.Tag ID #']).toBe('UnitTest - Tag ID #');
    expect(record['Custom.UpdatedAt']).toBe('2025-08-01T10:00:24.6830000Z');
    expect(record).not.toHaveProperty('Scopes');
  });

  it('gives one security row per detection', () => {
    expect(securityRecords(device)).toEqual([
      {
        Computer_Idn: 10,
        DeviceName: 'WIN10-TEST2',
        Vulnerability_Idn: 10,
        Vul_ID: 'LDMS1100.RC.1',
        Status: 4,
        StatusText: 'Autofix',
        FirstDetectionDate: '2019-07-04T15:32:08.783',
      },
      {
        Computer_Idn: 10,
        DeviceName: 'WIN10-TEST2',
        Vulnerability_Idn: 18628,
        Vul_ID: 'TB18-5291_INTL',
        Status: 4,
        StatusText: 'Autofix',
        FirstDetectionDate: '2023-02-24T13:15:14.123',
      },
    ]);
  });

  it('gives one row per view row, keyed by the view name', () => {
    const withViews: DeviceResult = {
      ...device,
      DatabaseViews: { Warranty: [{ Vendor: 'HP', End: '2027-01-31' }] },
    };
    expect([...viewRecords(withViews)]).toEqual([
      [
        'Warranty',
        [
          {
            Computer_Idn: 10,
            DeviceName: 'WIN10-TEST2',
            Vendor: 'HP',
            End: '2027-01-31',
          },
        ],
      ],
    ]);
  });

  it('leaves out sections that were not requested', () => {
    const epmOnly = { ...device, CustomInventory: null, SecurityInfo: null };
    expect(Object.keys(deviceRecord(epmOnly))).not.toContain('Custom.Location');
    expect(securityRecords(epmOnly)).toEqual([]);
  });
});
