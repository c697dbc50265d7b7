import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.js';
import { quoteIdent, quoteLiteral, type SqlDialect } from './dialect.js';

/**
 * SQLite stores timestamps as ISO text: EPM wall times already in the form the
 * API prints (fraction trimmed), console times as `...SS.fffZ`. Text of one
 * form compares in time order, so range filters need no conversion.
 */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  localTimestampType: 'text',
  utcTimestampType: 'text',

  jsonObject: (pairs) =>
    `json_object(${pairs.map(([k, v]) => `${quoteLiteral(k)}, ${v}`)})`,
  rowJson: (alias, columns) =>
    sqliteDialect.jsonObject(
      columns.map((c) => [c, `${alias}.${quoteIdent(c)}`]),
    ),
  jsonArrayAgg: (value, orderBy) =>
    `json_group_array(${value} ORDER BY ${orderBy})`,
  jsonObjectAgg: (key, value, orderBy) =>
    `json_group_object(${key}, ${value} ORDER BY ${orderBy})`,
  asJson: (expr) => `json(${expr})`,
  jsonText: (expr) => expr,
  jsonLiteral: (text) => `json('${text}')`,

  epmDate: (column) => column,
  utcDate7: (column) => `(substr(${column}, 1, 23) || '0000Z')`,

  inIdList: (column, ids) =>
    sql`${sql.raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(
      ids,
    )}))`,

  skipLocked: '',

  utcParam: (date) => date.toISOString(),
  localParam: (wallTime) => wallTime,

  async columnsOf(db: Kysely<DB>, relation: string) {
    const result = await sql<{ name: string }>`
      SELECT name FROM pragma_table_info(${relation}) ORDER BY cid`.execute(db);
    return result.rows.map((row) => row.name);
  },
};
