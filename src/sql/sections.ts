/**
 * The hot query: one INSERT ... SELECT per batch of devices that builds each
 * result's whole JSON inside the database engine and stores it in JobResult,
 * numbered in Computer_Idn order. No query per device, no round trip per row.
 */
import { sql, type RawBuilder } from 'kysely';
import {
  quoteIdent as q,
  quoteLiteral,
  type SqlDialect,
} from '../db/dialects/dialect.js';
import type { Section } from '../services/requests.js';

/** A registered database view with its columns read from the database. */
export interface ViewSource {
  Name: string;
  SourceName: string;
  KeyColumn: string;
  ChangeColumn: string | null;
  columns: string[];
}

/** The instant of LastSyncDate in both clocks the data is kept in. */
export interface Since {
  /** EPM wall time on the core server: `YYYY-MM-DDTHH:MM:SS.fff`. */
  local: string;
  /** ISO 8601 UTC. */
  utc: string;
}

export interface BatchQuery {
  jobId: string;
  leaseOwner: string;
  sections: ReadonlySet<Section>;
  views: ViewSource[];
  since: Since | null;
  /** Seq of the last result already stored. */
  offset: number;
  ids: number[];
}

/** EPM columns that count as "changed" for LastSyncDate. */
export const epmChangeColumns = [
  'HWLastScanDate',
  'SWLastScanDate',
  'VALastScanDate',
  'UpdateLastScanDate',
  'PatchSWLastScanDate',
  'LastUpdInvSvr',
];

const statusNames = [
  'Excluded',
  'Planned',
  'Pending',
  'Autofix',
  'InstallFailure',
  'InstallSuccess',
];

/** Tables every result reads from, with `c` as the Computer row. */
export const resultFrom = `"Computer" c
    LEFT JOIN "CompSystem" cs ON cs."Computer_Idn" = c."Computer_Idn"
    LEFT JOIN "Operating_System" os ON os."Computer_Idn" = c."Computer_Idn"
    LEFT JOIN "OSNT" nt ON nt."Computer_Idn" = c."Computer_Idn"`;

/**
 * One result item as JSON text, over `resultFrom`: the device fields, then
 * each section (null when not requested). The benchmark's engine-side
 * reference reuses it, so both measure the same SQL.
 */
export function resultJson(
  d: SqlDialect,
  sections: ReadonlySet<Section>,
  views: ViewSource[],
): string {
  const has = (s: Section) => sections.has(s);
  const device = d.jsonObject([
    ['Computer_Idn', 'c."Computer_Idn"'],
    ['SerialNumber', 'cs."SerialNum"'],
    ['DeviceId', 'c."DeviceID"'],
    ['DeviceName', 'c."DeviceName"'],
    ['DisplayName', 'c."DisplayName"'],
    ['CustomInventory', has('CustomInventory') ? customJson(d) : 'NULL'],
    ['EpmInventory', has('EpmInventory') ? epmJson(d) : 'NULL'],
    ['SecurityInfo', has('SecurityInfo') ? securityJson(d) : 'NULL'],
    ['DatabaseViews', has('DatabaseViews') ? viewsJson(d, views) : 'NULL'],
  ]);
  return d.jsonText(device);
}

/** Builds the INSERT ... SELECT for one batch of candidate devices. */
export function insertResultsBatch(
  d: SqlDialect,
  query: BatchQuery,
): RawBuilder<unknown> {
  const json = resultJson(d, query.sections, query.views);
  const changed = query.since ? changedSince(d, query) : sql`1 = 1`;
  return sql`
    INSERT INTO "JobResult" ("JobId", "Seq", "Computer_Idn", "Data")
    SELECT CAST(${query.jobId} AS text),
      CAST(${query.offset} AS integer)
        + row_number() OVER (ORDER BY c."Computer_Idn"),
      c."Computer_Idn",
      ${sql.raw(json)}
    FROM ${sql.raw(resultFrom)}
    WHERE ${d.inIdList('c."Computer_Idn"', query.ids)}
      AND (${changed})
      AND EXISTS (SELECT 1 FROM "Job" j WHERE j."JobId" = ${query.jobId}
        AND j."LeaseOwner" = ${query.leaseOwner})`;
}

/** A scalar subquery aggregating rows into a JSON array (`[]` when none). */
function arrayOf(
  d: SqlDialect,
  value: string,
  orderBy: string,
  from: string,
): string {
  const agg = d.jsonArrayAgg(value, orderBy);
  return d.asJson(`(SELECT coalesce(${agg}, ${d.jsonLiteral('[]')}) ${from})`);
}

function epmJson(d: SqlDialect): string {
  const scopes = arrayOf(
    d,
    d.jsonObject([
      ['Scope_Idn', 's."Scope_Idn"'],
      ['ScopeName', 's."Name"'],
    ]),
    's."Scope_Idn"',
    `FROM "ScopeComputer" sc
     JOIN "Scope" s ON s."Scope_Idn" = sc."Scope_Idn"
     WHERE sc."Computer_Idn" = c."Computer_Idn"`,
  );
  const col = (name: string): [string, string] => [name, `c.${q(name)}`];
  const date = (name: string, alias = 'c'): [string, string] => [
    name,
    d.epmDate(`${alias}.${q(name)}`),
  ];

  return d.jsonObject([
    col('Computer_Idn'),
    col('DeviceName'),
    col('Type'),
    col('Description'),
    col('LoginName'),
    date('HWLastScanDate'),
    date('SWLastScanDate'),
    date('UpdateLastScanDate'),
    date('PatchSWLastScanDate'),
    date('LastUpdInvSvr'),
    date('LastStartUpTime', 'nt'),
    col('ComputerLocation'),
    col('LDAPLocation'),
    date('RecordDate'),
    col('DaysHardware'),
    col('DaysVulnerabil'),
    col('DaysStartUp'),
    ['SerialNum', 'cs."SerialNum"'],
    ['Model', 'cs."Model"'],
    ['Manufacturer', 'cs."Manufacturer"'],
    ['ChassisType', 'cs."ChassisType"'],
    ['OsType', 'os."OsType"'],
    ['ReleaseID', 'os."ReleaseID"'],
    ['Scopes', scopes],
  ]);
}

/**
 * Effective security status: a console override wins; otherwise EPM's
 * install result, then the definition's autofix flag, else Pending.
 */
const effectiveStatus = `coalesce(o."Status", CASE
  WHEN cv."PatchInstallSucceeded" = 1 THEN 6
  WHEN cv."NumInstallTries" > 0 THEN 5
  WHEN v."Autofix" = 1 THEN 4
  ELSE 3 END)`;

function securityJson(d: SqlDialect): string {
  const statusText = `CASE x.st ${statusNames
    .map((name, i) => `WHEN ${i + 1} THEN '${name}'`)
    .join(' ')} END`;

  return arrayOf(
    d,
    d.jsonObject([
      ['Vulnerability_Idn', 'x.vi'],
      ['Vul_ID', 'x.vid'],
      ['Status', 'x.st'],
      ['StatusText', statusText],
      ['FirstDetectionDate', d.epmDate('x.dd')],
    ]),
    'x.vi',
    `FROM (
       SELECT cv."Vulnerability_Idn" AS vi, v."Vul_ID" AS vid,
         cv."DateDetected" AS dd, ${effectiveStatus} AS st
       FROM "CVDetected" cv
       JOIN "Vulnerability" v ON v."Vulnerability_Idn" = cv."Vulnerability_Idn"
       LEFT JOIN "SecurityStatusOverride" o
         ON o."Computer_Idn" = cv."Computer_Idn"
        AND o."Vulnerability_Idn" = cv."Vulnerability_Idn"
       WHERE cv."Computer_Idn" = c."Computer_Idn") x`,
  );
}

/** Field name -> value in field order, then UpdatedAt (latest change). */
function customJson(d: SqlDialect): string {
  const updatedAt = d.utcDate7('max(u."UpdatedAt")');
  const agg = d.jsonObjectAgg('x.k', 'x.v', 'x.o');

  return d.asJson(`(SELECT ${agg} FROM (
      SELECT f."Name" AS k, cv."Value" AS v, f."SortOrder" AS o
      FROM "CustomInventoryValue" cv
      JOIN "CustomInventoryField" f ON f."Field_Idn" = cv."Field_Idn"
      WHERE cv."Computer_Idn" = c."Computer_Idn"
      UNION ALL
      SELECT 'UpdatedAt', ${updatedAt}, 2147483647
      FROM "CustomInventoryValue" u
      WHERE u."Computer_Idn" = c."Computer_Idn") x)`);
}

/** View name -> rows; views without rows for the device are left out. */
function viewsJson(d: SqlDialect, views: ViewSource[]): string {
  if (views.length === 0) return d.jsonLiteral('{}');

  const entries = views.map((view, index) => {
    const rows = `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE ${d.jsonArrayAgg(
      d.rowJson('w', view.columns),
      view.columns.map((c) => `w.${q(c)}`).join(', '),
    )} END FROM ${q(view.SourceName)} w
      WHERE w.${q(view.KeyColumn)} = c."Computer_Idn")`;
    return `SELECT ${quoteLiteral(view.Name)} AS n, ${index} AS o, ${rows} AS r`;
  });

  const agg = d.jsonObjectAgg('x.n', d.asJson('x.r'), 'x.o');
  return `coalesce(${d.asJson(`(SELECT ${agg} FROM (
    ${entries.join('\n    UNION ALL ')}) x WHERE x.r IS NOT NULL)`)},
    ${d.jsonLiteral('{}')})`;
}

/** True when any requested section of the device changed since LastSyncDate. */
function changedSince(d: SqlDialect, query: BatchQuery): RawBuilder<unknown> {
  const since = query.since!;
  const local = d.localParam(since.local);
  const checks: RawBuilder<unknown>[] = [];

  if (query.sections.has('EpmInventory')) {
    for (const column of epmChangeColumns) {
      checks.push(sql`c.${sql.raw(q(column))} > ${local}`);
    }
  }
  if (query.sections.has('CustomInventory')) {
    checks.push(sql`EXISTS (SELECT 1 FROM "CustomInventoryValue" u
      WHERE u."Computer_Idn" = c."Computer_Idn" AND u."UpdatedAt" > ${since.utc})`);
  }
  if (query.sections.has('SecurityInfo')) {
    checks.push(sql`EXISTS (SELECT 1 FROM "CVDetected" cv
      WHERE cv."Computer_Idn" = c."Computer_Idn" AND cv."DateDetected" > ${local})`);
    checks.push(sql`EXISTS (SELECT 1 FROM "SecurityStatusOverride" o
      WHERE o."Computer_Idn" = c."Computer_Idn" AND o."UpdatedAt" > ${since.utc})`);
  }
  if (query.sections.has('DatabaseViews')) {
    for (const view of query.views.filter((v) => v.ChangeColumn)) {
      checks.push(sql`EXISTS (SELECT 1 FROM ${sql.raw(q(view.SourceName))} w
        WHERE w.${sql.raw(q(view.KeyColumn))} = c."Computer_Idn"
          AND w.${sql.raw(q(view.ChangeColumn!))} > ${since.utc})`);
    }
  }

  if (checks.length === 0) return sql`1 = 0`;
  return sql.join(checks, sql` OR `);
}
