/**
 * Fast bulk loading of rows (demo fleet, benchmarks): prepared statements in
 * one transaction on SQLite; on PostgreSQL one array parameter per column,
 * unnested into rows, so a statement of 20,000 rows has a handful of
 * parameters instead of 100,000 (parsing and planning stay cheap).
 */
import { CompiledQuery, sql } from 'kysely';
import type { Connection } from './connect.js';
import { quoteIdent } from './dialects/dialect.js';

export type Row = readonly unknown[];

const rowsPerStatement = 20_000;

export async function bulkInsert(
  conn: Connection,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const head = `INSERT INTO ${quoteIdent(table)} (${columns
    .map(quoteIdent)
    .join(', ')}) `;

  if (conn.sqlite) {
    const statement = conn.sqlite.prepare(
      `${head}VALUES (${columns.map(() => '?').join(', ')})`,
    );
    conn.sqlite.transaction(() => {
      for (const row of rows) statement.run(...row);
    })();
    return;
  }

  const types = await columnTypes(conn, table);
  const arrays = columns.map((column, i) => {
    const type = types.get(column);
    if (!type) throw new Error(`${table} has no column ${column}`);
    return `$${i + 1}::${type}[]`;
  });
  const text = `${head}SELECT * FROM unnest(${arrays.join(', ')})`;

  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const chunk = rows.slice(i, i + rowsPerStatement);
    const params = columns.map((_, c) => chunk.map((row) => row[c]));
    await conn.db.executeQuery(CompiledQuery.raw(text, params));
  }
}

const typeCache = new WeakMap<Connection, Map<string, Map<string, string>>>();

/** Column name -> PostgreSQL type name (int4, text, timestamp, ...). */
async function columnTypes(
  conn: Connection,
  table: string,
): Promise<Map<string, string>> {
  let tables = typeCache.get(conn);
  if (!tables) typeCache.set(conn, (tables = new Map()));
  const cached = tables.get(table);
  if (cached) return cached;

  const result = await sql<{ column_name: string; udt_name: string }>`
    SELECT column_name, udt_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table}`.execute(
    conn.db,
  );
  const types = new Map(
    result.rows.map((row) => [row.column_name, row.udt_name]),
  );
  tables.set(table, types);
  return types;
}
