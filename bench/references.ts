/**
 * The two references a job is measured against, on the same database in
 * the same run: the JavaScript way (set-based reads, objects built in JS,
 * JSON.stringify, nothing written) and the engine-side limit (one INSERT ...
 * SELECT building every result's JSON with the database's JSON functions,
 * the same SQL the job runs, into a scratch table shaped like JobResult).
 */
import { sql } from 'kysely';
import type { Connection } from '../src/db/connect.js';
import { resultSource, type ViewSource } from '../src/sql/sections.js';
import { Sections } from '../src/services/requests.js';
import { jsBaselineBatch } from './baseline.js';

export interface ReferenceTiming {
  ms: number;
  /** CPU time of this process (all of it on SQLite, which runs here). */
  cpuMs: number;
  results: number;
  /** Bytes of JSON produced. */
  bytes: number;
}

/** One INSERT ... SELECT of every RequestAllInfos result. */
export async function engineLimit(
  conn: Connection,
  views: ViewSource[],
): Promise<ReferenceTiming> {
  const { json, from } = resultSource(
    conn.dialect,
    new Set(Sections),
    views,
    'all',
  );
  await sql`DROP TABLE IF EXISTS "BenchResult"`.execute(conn.db);
  await createScratchTable(conn);

  const started = performance.now();
  const cpu = process.cpuUsage();
  await sql`INSERT INTO "BenchResult"
    SELECT 'reference', row_number() OVER (ORDER BY c."Computer_Idn"),
      c."Computer_Idn", ${sql.raw(json)}
    FROM ${sql.raw(from)}`.execute(conn.db);
  const ms = performance.now() - started;
  const cpuMs = cpuSince(cpu);

  const size = await sql<{ n: number; bytes: number }>`
    SELECT count(*) AS n, sum(length("Data")) AS bytes
    FROM "BenchResult"`.execute(conn.db);
  await sql`DROP TABLE "BenchResult"`.execute(conn.db);
  const { n, bytes } = size.rows[0];
  return { ms, cpuMs, results: Number(n), bytes: Number(bytes) };
}

/**
 * A scratch table shaped and stored like JobResult: on PostgreSQL a copy
 * of its definition (keys, column storage), on SQLite the same columns.
 */
async function createScratchTable(conn: Connection): Promise<void> {
  if (conn.dialect.name === 'postgres') {
    await sql`CREATE TABLE "BenchResult"
      (LIKE "JobResult" INCLUDING ALL)`.execute(conn.db);
    return;
  }
  await sql`CREATE TABLE "BenchResult" (
    "JobId" text NOT NULL,
    "Seq" integer NOT NULL,
    "Computer_Idn" integer NOT NULL,
    "Data" text NOT NULL,
    PRIMARY KEY ("JobId", "Seq"))`.execute(conn.db);
}

/** Every RequestAllInfos result built in JS, batch by batch. */
export async function jsBaseline(
  conn: Connection,
  views: ViewSource[],
  batchSize: number,
): Promise<ReferenceTiming> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const ids = await allIds(conn);
  let bytes = 0;
  for (let i = 0; i < ids.length; i += batchSize) {
    const texts = await jsBaselineBatch(
      conn,
      views,
      ids.slice(i, i + batchSize),
    );
    for (const text of texts) bytes += text.length;
  }
  const ms = performance.now() - started;
  return { ms, cpuMs: cpuSince(cpu), results: ids.length, bytes };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function allIds(conn: Connection): Promise<number[]> {
  const rows = await conn.db
    .selectFrom('Computer')
    .select('Computer_Idn')
    .orderBy('Computer_Idn')
    .execute();
  return rows.map((row) => row.Computer_Idn);
}
