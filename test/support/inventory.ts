/**
 * Direct access to a test database, to arrange the inventory data that the
 * API then reads (as EPM or an administrator would change it).
 */
import type { Kysely, RawBuilder } from 'kysely';
import { connect } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';

/** Opens the database, runs `work`, closes it again. */
export async function withDatabase<T>(
  url: string,
  work: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const conn = connect(url);
  try {
    return await work(conn.db);
  } finally {
    await conn.close();
  }
}

/** Rows of a raw query, for tables the schema types do not know. */
export async function rows<T = Record<string, unknown>>(
  db: Kysely<DB>,
  query: RawBuilder<T>,
): Promise<T[]> {
  return (await query.execute(db)).rows;
}

/** Every Computer_Idn in the database, ascending. */
export async function allDeviceIds(db: Kysely<DB>): Promise<number[]> {
  const found = await db
    .selectFrom('Computer')
    .select('Computer_Idn')
    .orderBy('Computer_Idn')
    .execute();
  return found.map((row) => row.Computer_Idn);
}
