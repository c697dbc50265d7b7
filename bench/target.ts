/**
 * The database a benchmark run measures: always fresh. A new SQLite file
 * under .bench/, a new database on a given PostgreSQL server, or a new
 * database on an embedded PostgreSQL server started for the run.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DialectName } from '../src/db/dialects/dialect.js';
import { startBenchPostgres } from './postgres.js';

export interface BenchTarget {
  dialect: DialectName;
  /** Database URL handed to the server and the bench connection. */
  url: string;
  /** Size of the database files in bytes. */
  size(): Promise<number>;
  /** Version string of the database engine. */
  version(): Promise<string>;
  /** Drops the database (unless kept) and stops what the run started. */
  dispose(keep: boolean): Promise<void>;
}

export interface TargetOptions {
  database?: string;
  postgres?: boolean;
  /** Directory of this run's files. */
  runDir: string;
}

export async function createTarget(
  options: TargetOptions,
): Promise<BenchTarget> {
  if (options.postgres) {
    const server = await startBenchPostgres(join(options.runDir, 'pg'));
    const target = await freshPostgres(server.url);
    return {
      ...target,
      dispose: async (keep) => {
        await target.dispose(keep);
        await server.stop();
      },
    };
  }
  if (options.database && /^postgres(ql)?:\/\//i.test(options.database)) {
    return freshPostgres(options.database);
  }
  return freshSqlite(options.database, options.runDir);
}

function freshSqlite(
  database: string | undefined,
  runDir: string,
): BenchTarget {
  const file = database
    ? resolve(database.replace(/^(sqlite|file):(\/\/)?/i, ''))
    : join(runDir, 'bench.sqlite');
  // The run replaces all data and deletes the file at the end: never
  // anything that existed before.
  if (existsSync(file)) {
    throw new Error(
      `${file} exists; the benchmark loads its own data into a new file ` +
        'and deletes it afterwards. Name a file that does not exist yet.',
    );
  }
  const files = ['', '-wal', '-shm'].map((suffix) => file + suffix);
  mkdirSync(runDir, { recursive: true });

  return {
    dialect: 'sqlite',
    url: `sqlite:${file}`,
    size: async () =>
      files.reduce((sum, path) => {
        try {
          return sum + statSync(path).size;
        } catch {
          return sum;
        }
      }, 0),
    version: async () => {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(':memory:');
      const row = db.prepare('SELECT sqlite_version() AS v').get() as {
        v: string;
      };
      db.close();
      return `SQLite ${row.v}`;
    },
    dispose: async (keep) => {
      if (!keep) for (const path of files) rmSync(path, { force: true });
    },
  };
}

/** A new database on the server of `adminUrl`, dropped at the end. */
async function freshPostgres(adminUrl: string): Promise<BenchTarget> {
  const name = `device_api_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  const query = async <T>(text: string): Promise<T> => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(text)).rows[0] as T;
    } finally {
      await client.end();
    }
  };

  return {
    dialect: 'postgres',
    url: url.toString(),
    size: async () => {
      const row = await query<{ size: string }>(
        'SELECT pg_database_size(current_database()) AS size',
      );
      return Number(row.size);
    },
    version: async () => {
      const row = await query<{ v: string }>(
        "SELECT current_setting('server_version') AS v",
      );
      return `PostgreSQL ${row.v.split(' ')[0]}`;
    },
    dispose: async (keep) => {
      if (!keep) await adminQuery(adminUrl, `DROP DATABASE ${name}`);
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
