/**
 * Devices as CSV rows: RFC 4180 quoting, one row per device with the EPM
 * inventory flattened beside the custom inventory fields, and one row per
 * security detection or database view row for the companion tables.
 */
import type { DeviceResult } from './types.js';

export type CsvValue = string | number | boolean | null | undefined;
export type CsvRecord = Record<string, CsvValue>;

/** Excel reads a file as UTF-8 only when it starts with this mark. */
export const utf8Bom = '\uFEFF';

/** Columns of the devices table that come first, in this order. */
export const deviceColumns = [
  'Computer_Idn',
  'SerialNumber',
  'DeviceId',
  'DeviceName',
  'DisplayName',
];

/** EPM columns of the devices table (`Scopes` becomes two columns). */
export const epmColumns = [
  'Type',
  'Description',
  'LoginName',
  'HWLastScanDate',
  'SWLastScanDate',
  'UpdateLastScanDate',
  'PatchSWLastScanDate',
  'LastUpdInvSvr',
  'LastStartUpTime',
  'ComputerLocation',
  'LDAPLocation',
  'RecordDate',
  'DaysHardware',
  'DaysVulnerabil',
  'DaysStartUp',
  'SerialNum',
  'Model',
  'Manufacturer',
  'ChassisType',
  'OsType',
  'ReleaseID',
  'Scope_Idns',
  'ScopeNames',
];

/** Prefix of custom inventory columns: `Custom.Location`. */
export const customPrefix = 'Custom.';

export const securityColumns = [
  'Computer_Idn',
  'DeviceName',
  'Vulnerability_Idn',
  'Vul_ID',
  'Status',
  'StatusText',
  'FirstDetectionDate',
];

/** Separator of list values inside one field (scopes). */
export const listSeparator = '; ';

/** One field, quoted when it holds a quote, comma, CR or LF. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line with its CRLF ending. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The device as one flat record: identity, EPM fields, custom fields. */
export function deviceRecord(device: DeviceResult): CsvRecord {
  const record: CsvRecord = {
    Computer_Idn: device.Computer_Idn,
    SerialNumber: device.SerialNumber,
    DeviceId: device.DeviceId,
    DeviceName: device.DeviceName,
    DisplayName: device.DisplayName,
  };

  for (const [key, value] of Object.entries(device.EpmInventory ?? {})) {
    if (key === 'Scopes') {
      const scopes = (value ?? []) as {
        Scope_Idn: number;
        ScopeName: string;
      }[];
      record.Scope_Idns = scopes.map((s) => s.Scope_Idn).join(listSeparator);
      record.ScopeNames = scopes.map((s) => s.ScopeName).join(listSeparator);
    } else if (!(key in record)) {
      record[key] = flat(value);
    }
  }

  for (const [key, value] of Object.entries(device.CustomInventory ?? {})) {
    record[`${customPrefix}${key}`] = flat(value);
  }
  return record;
}

/** One record per security detection of the device. */
export function securityRecords(device: DeviceResult): CsvRecord[] {
  return (device.SecurityInfo ?? []).map((detection) => ({
    Computer_Idn: device.Computer_Idn,
    DeviceName: device.DeviceName,
    Vulnerability_Idn: detection.Vulnerability_Idn,
    Vul_ID: detection.Vul_ID,
    Status: detection.Status,
    StatusText: detection.StatusText,
    FirstDetectionDate: detection.FirstDetectionDate,
  }));
}

/** View name -> one record per row of that view for the device. */
export function viewRecords(device: DeviceResult): Map<string, CsvRecord[]> {
  const views = new Map<string, CsvRecord[]>();
  for (const [name, rows] of Object.entries(device.DatabaseViews ?? {})) {
    views.set(
      name,
      rows.map((row) => {
        const record: CsvRecord = {
          Computer_Idn: device.Computer_Idn,
          DeviceName: device.DeviceName,
        };
        for (const [key, value] of Object.entries(row)) {
          record[key] = flat(value);
        }
        return record;
      }),
    );
  }
  return views;
}

function flat(value: unknown): CsvValue {
  if (value === null || typeof value !== 'object') return value as CsvValue;
  return JSON.stringify(value);
}
