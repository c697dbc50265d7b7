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

/**
 * Lower-cased value -> ids. SQL narrows the rows with lower(column) (its
 * index); that folds only ASCII letters in SQLite and PostgreSQL's C locale,
 * so the final comparison folds case in JS: `MÜNCHEN-01` is `München-01`.
 */
async function matchLower(
  db: Kysely<DB>,
  table: 'Computer' | 'CompSystem',
  column: 'DeviceName' | 'SerialNum',
  values: string[],
): Promise<Map<string, number[]>> {
  const matches = new Map<string, number[]>();
  // No stored name holds a NUL, and PostgreSQL rejects one in a parameter.
  const wanted = new Set(
    values.filter((v) => !v.includes('\0')).map((v) => v.toLowerCase()),
  );
  const ascii = [...wanted].filter((v) => isAscii(v));
  const other = [...wanted].filter((v) => !isAscii(v));

  const lower = sql`lower(${sql.ref(column)})`;
  const conditions = [
    ...chunks(ascii, chunkSize).map(
      (chunk) => sql`${lower} IN (${sql.join(chunk)})`,
    ),
    ...chunks(other, 100).map((chunk) =>
      sql.join(
        chunk.map((v) => sql`${lower} LIKE ${likePattern(v)} ESCAPE '\\'`),
        sql` OR `,
      ),
    ),
  ];

  for (const condition of conditions) {
    const rows = await sql<{ id: number; value: string }>`
      SELECT "Computer_Idn" AS id, ${sql.ref(column)} AS value
      FROM ${sql.table(table)} WHERE ${condition}`.execute(db);

    for (const row of rows.rows) {
      const key = row.value.toLowerCase();
      if (!wanted.has(key)) continue;
      const list = matches.get(key) ?? [];
      if (!list.includes(row.id)) list.push(row.id);
      matches.set(key, list);
    }
  }
  return matches;
}

function isAscii(value: string): boolean {
  return /^\p{ASCII}*$/u.test(value);
}

/**
 * A LIKE pattern for a lower-cased value: a letter beyond ASCII matches any
 * one character (the database may not fold its case); % and _ are literal.
 */
function likePattern(value: string): string {
  let pattern = '';
  for (const char of value) {
    if (!isAscii(char)) pattern += '_';
    else if ('\\%_'.includes(char)) pattern += `\\${char}`;
    else pattern += char;
  }
  return pattern;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
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
