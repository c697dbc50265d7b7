/**
 * The JavaScript reference: the same result items, read with one set-based
 * query per section and batch, assembled as objects and serialized with
 * JSON.stringify. Nothing is written.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Connection } from '../src/db/connect.js';
import { quoteIdent as q } from '../src/db/dialects/dialect.js';
import type { ViewSource } from '../src/sql/sections.js';

type Row = Record<string, unknown>;

const statusText = [
  '',
  'Excluded',
  'Planned',
  'Pending',
  'Autofix',
  'InstallFailure',
  'InstallSuccess',
];

/** The result items of one batch of devices as JSON texts. */
export async function jsBaselineBatch(
  conn: Connection,
  views: ViewSource[],
  ids: number[],
): Promise<string[]> {
  const inBatch = (column: string) => conn.dialect.inIdList(column, ids);
  const rows = async (query: RawBuilder<Row>) =>
    (await query.execute(conn.db)).rows;

  const devices = await rows(sql`
    SELECT c.*, cs."SerialNum", cs."Model", cs."Manufacturer",
      cs."ChassisType", os."OsType", os."ReleaseID", nt."LastStartUpTime"
    FROM "Computer" c
    LEFT JOIN "CompSystem" cs ON cs."Computer_Idn" = c."Computer_Idn"
    LEFT JOIN "Operating_System" os ON os."Computer_Idn" = c."Computer_Idn"
    LEFT JOIN "OSNT" nt ON nt."Computer_Idn" = c."Computer_Idn"
    WHERE ${inBatch('c."Computer_Idn"')} ORDER BY c."Computer_Idn"`);
  const scopes = groupBy(
    await rows(sql`
      SELECT sc."Computer_Idn", s."Scope_Idn", s."Name"
      FROM "ScopeComputer" sc
      JOIN "Scope" s ON s."Scope_Idn" = sc."Scope_Idn"
      WHERE ${inBatch('sc."Computer_Idn"')}
      ORDER BY sc."Computer_Idn", s."Scope_Idn"`),
  );
  const security = groupBy(await rows(securityQuery(inBatch)));
  const custom = groupBy(
    await rows(sql`
      SELECT v."Computer_Idn", f."Name", v."Value", v."UpdatedAt"
      FROM "CustomInventoryValue" v
      JOIN "CustomInventoryField" f ON f."Field_Idn" = v."Field_Idn"
      WHERE ${inBatch('v."Computer_Idn"')}
      ORDER BY v."Computer_Idn", f."SortOrder"`),
  );
  const viewRows = await Promise.all(
    views.map(async (view) => groupBy(await rows(viewQuery(view, inBatch)))),
  );

  return devices.map((device) => {
    const id = device.Computer_Idn as number;
    return JSON.stringify({
      Computer_Idn: id,
      SerialNumber: device.SerialNum,
      DeviceId: device.DeviceID,
      DeviceName: device.DeviceName,
      DisplayName: device.DisplayName,
      CustomInventory: customObject(custom.get(id)),
      EpmInventory: epmObject(device, scopes.get(id) ?? []),
      SecurityInfo: (security.get(id) ?? []).map(securityItem),
      DatabaseViews: viewsObject(views, viewRows, id),
    });
  });
}

function securityQuery(
  inBatch: (column: string) => RawBuilder<unknown>,
): RawBuilder<Row> {
  return sql`
    SELECT cv."Computer_Idn", cv."Vulnerability_Idn", v."Vul_ID",
      cv."DateDetected", o."Status", cv."PatchInstallSucceeded",
      cv."NumInstallTries", v."Autofix"
    FROM "CVDetected" cv
    JOIN "Vulnerability" v ON v."Vulnerability_Idn" = cv."Vulnerability_Idn"
    LEFT JOIN "SecurityStatusOverride" o
      ON o."Computer_Idn" = cv."Computer_Idn"
     AND o."Vulnerability_Idn" = cv."Vulnerability_Idn"
    WHERE ${inBatch('cv."Computer_Idn"')}
    ORDER BY cv."Computer_Idn", cv."Vulnerability_Idn"`;
}

function viewQuery(
  view: ViewSource,
  inBatch: (column: string) => RawBuilder<unknown>,
): RawBuilder<Row> {
  const key = `w.${q(view.KeyColumn)}`;
  const order = view.columns.map((c) => `w.${q(c)}`).join(', ');
  return sql`
    SELECT ${sql.raw(key)} AS "_key", w.* FROM ${sql.raw(q(view.SourceName))} w
    WHERE ${inBatch(key)} ORDER BY ${sql.raw(`${key}, ${order}`)}`;
}

/** Rows by their first column (Computer_Idn), keeping their order. */
function groupBy(rows: Row[]): Map<number, Row[]> {
  const groups = new Map<number, Row[]>();
  for (const row of rows) {
    const key = Number(Object.values(row)[0]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

function epmObject(device: Row, scopes: Row[]): Row {
  const date = (value: unknown) => epmDate(value);
  return {
    Computer_Idn: device.Computer_Idn,
    DeviceName: device.DeviceName,
    Type: device.Type,
    Description: device.Description,
    LoginName: device.LoginName,
    HWLastScanDate: date(device.HWLastScanDate),
    SWLastScanDate: date(device.SWLastScanDate),
    UpdateLastScanDate: date(device.UpdateLastScanDate),
    PatchSWLastScanDate: date(device.PatchSWLastScanDate),
    LastUpdInvSvr: date(device.LastUpdInvSvr),
    LastStartUpTime: date(device.LastStartUpTime),
    ComputerLocation: device.ComputerLocation,
    LDAPLocation: device.LDAPLocation,
    RecordDate: date(device.RecordDate),
    DaysHardware: device.DaysHardware,
    DaysVulnerabil: device.DaysVulnerabil,
    DaysStartUp: device.DaysStartUp,
    SerialNum: device.SerialNum,
    Model: device.Model,
    Manufacturer: device.Manufacturer,
    ChassisType: device.ChassisType,
    OsType: device.OsType,
    ReleaseID: device.ReleaseID,
    Scopes: scopes.map((s) => ({ Scope_Idn: s.Scope_Idn, ScopeName: s.Name })),
  };
}

function securityItem(row: Row): Row {
  const Status =
    (row.Status as number | null) ??
    (row.PatchInstallSucceeded === 1
      ? 6
      : (row.NumInstallTries as number) > 0
        ? 5
        : row.Autofix === 1
          ? 4
          : 3);
  return {
    Vulnerability_Idn: row.Vulnerability_Idn,
    Vul_ID: row.Vul_ID,
    Status,
    StatusText: statusText[Status],
    FirstDetectionDate: epmDate(row.DateDetected),
  };
}

function customObject(rows: Row[] | undefined): Row | null {
  if (!rows) return null;
  const object: Row = {};
  let latest = '';
  for (const row of rows) {
    object[row.Name as string] = row.Value;
    const at = utcText(row.UpdatedAt);
    if (at > latest) latest = at;
  }
  object.UpdatedAt = `${latest.slice(0, 23)}0000Z`;
  return object;
}

function viewsObject(
  views: ViewSource[],
  viewRows: Map<number, Row[]>[],
  id: number,
): Row {
  const object: Row = {};
  views.forEach((view, i) => {
    const rows = viewRows[i].get(id);
    if (!rows) return;
    object[view.Name] = rows.map((row) => {
      const item: Row = {};
      for (const column of view.columns) item[column] = row[column];
      return item;
    });
  });
  return object;
}

/** EPM wall time as the API prints it (SQLite keeps it as that text). */
function epmDate(value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  return value
    .toISOString()
    .slice(0, 23)
    .replace(/\.?0+$/, '');
}

function utcText(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
