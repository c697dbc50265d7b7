import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.js';
import { quoteLiteral, type SqlDialect } from './dialect.js';

/**
 * PostgreSQL keeps EPM wall times in `timestamp(3)` (its JSON form is already
 * ISO with the fraction trimmed) and console times in `timestamptz(3)`.
 */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  localTimestampType: 'timestamp(3)',
  utcTimestampType: 'timestamptz(3)',

  jsonObject: (pairs) =>
    `json_build_object(${pairs.map(([k, v]) => `${quoteLiteral(k)}, ${v}`)})`,
  rowJson: (alias) => `row_to_json(${alias})`,
  jsonArrayAgg: (value, orderBy) => `json_agg(${value} ORDER BY ${orderBy})`,
  jsonObjectAgg: (key, value, orderBy) =>
    `json_object_agg(${key}, ${value} ORDER BY ${orderBy})`,
  asJson: (expr) => expr,
  jsonText: (expr) => `(${expr})::text`,
  jsonLiteral: (text) => `'${text}'::json`,

  epmDate: (column) => column,
  utcDate7: (column) =>
    `(to_char(${column} AT TIME ZONE 'UTC', ` +
    `'YYYY-MM-DD"T"HH24:MI:SS.MS') || '0000Z')`,

  inIdList: (column, ids) => sql`${sql.raw(column)} = ANY(${ids}::int[])`,

  skipLocked: ' FOR UPDATE SKIP LOCKED',

  utcParam: (date) => date.toISOString(),
  localParam: (wallTime) => wallTime,

  async columnsOf(db: Kysely<DB>, relation: string) {
    const result = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${relation}
      ORDER BY ordinal_position`.execute(db);
    return result.rows.map((row) => row.column_name);
  },
};
