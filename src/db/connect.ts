import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { SqlDialect } from './dialects/dialect.js';
import { postgresDialect } from './dialects/postgres.js';
import { sqliteDialect } from './dialects/sqlite.js';
import type { DB } from './schema.js';

export type DatabaseTarget =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/**
 * Reads a database URL: `postgres://` or `postgresql://` for PostgreSQL;
 * `sqlite:<file>`, `sqlite://<file>`, `file:<file>` or a bare path for SQLite.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };

  // A typo such as postgress:// must not quietly become a new SQLite file.
  // (One-letter schemes are Windows drive letters.)
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1].toLowerCase();
  if (scheme && scheme !== 'sqlite' && scheme !== 'file') {
    throw new Error(
      `Unsupported database URL scheme "${scheme}:". Use ` +
        'postgres://user:password@host:5432/database or sqlite:<file>.',
    );
  }

  const file = url.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (file === '' || file === ':memory:') {
    throw new Error(
      'The SQLite database must be a file (the job worker opens its own ' +
        'connection), for example sqlite:./data/device-api.sqlite',
    );
  }
  return { kind: 'sqlite', file: resolve(file) };
}

export interface Connection {
  db: Kysely<DB>;
  dialect: SqlDialect;
  target: DatabaseTarget;
  /** The raw SQLite handle, for bulk loading. */
  sqlite?: Database.Database;
  close(): Promise<void>;
}

export interface ConnectOptions {
  poolSize?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

// bigint columns hold epoch milliseconds and counts, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

/** Opens a connection (SQLite file or PostgreSQL pool) for a database URL. */
export function connect(url: string, options: ConnectOptions = {}): Connection {
  const target = parseDatabaseUrl(url);
  return target.kind === 'sqlite'
    ? connectSqlite(target)
    : connectPostgres(target, options);
}

function connectSqlite(target: { kind: 'sqlite'; file: string }): Connection {
  mkdirSync(dirname(target.file), { recursive: true });
  const database = new Database(target.file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 10000');
  // 8 MB: the OS caches the file anyway; a bigger cache per connection
  // only grows the server's memory (measured by the benchmark).
  database.pragma('cache_size = -8192');

  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database }) });
  return {
    db,
    dialect: sqliteDialect,
    target,
    sqlite: database,
    close: () => db.destroy(),
  };
}

/**
 * Settings of every PostgreSQL connection: the URL carries host, database,
 * credentials and SSL (`sslmode`, `sslrootcert`, ...); libpq's PG* variables
 * fill in what it leaves out. A transaction left idle (a worker frozen
 * between two statements of a batch) is ended by the server, so its row
 * lock cannot hold up lease recovery.
 */
export function postgresClientConfig(
  url: string,
  options: ConnectOptions = {},
): pg.ClientConfig {
  const timeout = options.statementTimeoutMs ?? 120_000;
  return {
    connectionString: url,
    statement_timeout: timeout,
    idle_in_transaction_session_timeout: timeout || 60_000,
    application_name: options.applicationName ?? 'device-api',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

function connectPostgres(
  target: { kind: 'postgres'; url: string },
  options: ConnectOptions,
): Connection {
  const pool = new pg.Pool({
    ...postgresClientConfig(target.url, options),
    max: options.poolSize ?? 10,
  });
  // A client losing its connection must not crash the process: an idle one
  // is dropped by the pool; a busy one's query fails, and the pool drops it
  // when it comes back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: postgresDialect,
    target,
    close: () => db.destroy(),
  };
}
