/**
 * Waking idle workers in other processes when a job is stored. PostgreSQL
 * has LISTEN/NOTIFY for it; on SQLite, jobs run in the one process that
 * serves the API, whose worker thread is woken by a message instead. Either
 * way polling stays as the fallback, so a lost wake-up only delays a job.
 */
import type { Connection } from '../db/connect.js';
import type { Logger } from '../log.js';
import { postgresJobSignal } from './signal-postgres.js';

export interface JobListener {
  close(): Promise<void>;
}

export interface JobSignal {
  /** Tells every listening worker that a job is waiting. */
  notify(): Promise<void>;
  /**
   * Calls `onWake` whenever a job was stored elsewhere, and after each
   * reconnect (jobs may have been stored meanwhile). Resolves once listening
   * or, if the database is out of reach, once retrying in the background.
   */
  listen(onWake: () => void, log: Logger): Promise<JobListener>;
}

const none: JobSignal = {
  notify: async () => {},
  listen: async () => ({ close: async () => {} }),
};

/** The signal of a connection's database; `listenUrl` overrides LISTEN's. */
export function jobSignal(conn: Connection, listenUrl = ''): JobSignal {
  if (conn.target.kind !== 'postgres') return none;
  return postgresJobSignal(conn.db, listenUrl || conn.target.url);
}
