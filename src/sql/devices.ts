/**
 * Resolving a request's identifiers to devices: the union of all lists,
 * hostname and serial matching ignore letter case, a name matching several
 * devices yields all of them, and every identifier that matched nothing is
 * reported as the caller spelled it.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DeviceRequest } from '../services/requests.js';

export interface ResolvedDevices {
  /** Matching Computer_Idn values, ascending, without duplicates. */
  ids: number[];
  DevicesNotFound: string[];
}

const chunkSize = 500;

export async function resolveDevices(
  db: Kysely<DB>,
  request: DeviceRequest,
): Promise<ResolvedDevices> {
  const { Hostnames, SerialNumbers, Computer_Idns } = request;
  if (Hostnames.length + SerialNumbers.length + Computer_Idns.length === 0) {
    return { ids: await allDeviceIds(db), DevicesNotFound: [] };
  }

  const found = new Set<number>();
  const notFound: string[] = [];
  const byName = await matchLower(db, 'Computer', 'DeviceName', Hostnames);
  const bySerial = await matchLower(
    db,
    'CompSystem',
    'SerialNum',
    SerialNumbers,
  );
  const byId = await matchIds(db, Computer_Idns);

  collect(Hostnames, (name) => byName.get(name.toLowerCase()));
  collect(SerialNumbers, (serial) => bySerial.get(serial.toLowerCase()));
  collect(Computer_Idns.map(String), (id) =>
    byId.has(Number(id)) ? [Number(id)] : undefined,
  );

  return {
    ids: [...found].sort((a, b) => a - b),
    DevicesNotFound: [...new Set(notFound)],
  };

  function collect(
    given: string[],
    lookup: (key: string) => number[] | undefined,
  ): void {
    for (const key of given) {
      const ids = lookup(key);
      if (!ids) notFound.push(key);
      else for (const id of ids) found.add(id);
    }
  }
}

async function allDeviceIds(db: Kysely<DB>): Promise<number[]> {
  const rows = await db
    .selectFrom('Computer')
    .select('Computer_Idn')
    .orderBy('Computer_Idn')
    .execute();
  return rows.map((row) => row.Computer_Idn);
}

/** Lower-cased value -> ids, using the lower(column) index. */
async function matchLower(
  db: Kysely<DB>,
  table: 'Computer' | 'CompSystem',
  column: 'DeviceName' | 'SerialNum',
  values: string[],
): Promise<Map<string, number[]>> {
  const matches = new Map<string, number[]>();
  // No stored name holds a NUL, and PostgreSQL rejects one in a parameter.
  const wanted = [
    ...new Set(
      values.filter((v) => !v.includes('\0')).map((v) => v.toLowerCase()),
    ),
  ];

  for (let i = 0; i < wanted.length; i += chunkSize) {
    const chunk = wanted.slice(i, i + chunkSize);
    const rows = await sql<{ id: number; key: string }>`
      SELECT "Computer_Idn" AS id, lower(${sql.ref(column)}) AS key
      FROM ${sql.table(table)}
      WHERE lower(${sql.ref(column)}) IN (${sql.join(chunk)})`.execute(db);

    for (const row of rows.rows) {
      const list = matches.get(row.key) ?? [];
      list.push(row.id);
      matches.set(row.key, list);
    }
  }
  return matches;
}

async function matchIds(db: Kysely<DB>, ids: number[]): Promise<Set<number>> {
  const found = new Set<number>();
  const unique = [...new Set(ids)];

  for (let i = 0; i < unique.length; i += chunkSize) {
    const rows = await db
      .selectFrom('Computer')
      .select('Computer_Idn')
      .where('Computer_Idn', 'in', unique.slice(i, i + chunkSize))
      .execute();
    for (const row of rows) found.add(row.Computer_Idn);
  }
  return found;
}
