/**
 * Fast bulk loading of rows (demo fleet, benchmarks): prepared statements in
 * one transaction on SQLite, multi-row INSERTs on PostgreSQL.
 */
import { CompiledQuery } from 'kysely';
import type { Connection } from './connect.js';
import { quoteIdent } from './dialects/dialect.js';

export type Row = readonly unknown[];

const maxPgParams = 60_000;

export async function bulkInsert(
  conn: Connection,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const head = `INSERT INTO ${quoteIdent(table)} (${columns
    .map(quoteIdent)
    .join(', ')}) VALUES `;

  if (conn.sqlite) {
    const statement = conn.sqlite.prepare(
      head + `(${columns.map(() => '?').join(', ')})`,
    );
    conn.sqlite.transaction(() => {
      for (const row of rows) statement.run(...row);
    })();
    return;
  }

  const perStatement = Math.floor(maxPgParams / columns.length);
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await conn.db.executeQuery(
      CompiledQuery.raw(head + tuples.join(', '), params),
    );
  }
}
