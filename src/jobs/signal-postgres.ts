/**
 * LISTEN/NOTIFY on PostgreSQL. NOTIFY goes through the pool; each worker
 * process LISTENs on a connection of its own (a pooled connection may be
 * handed to someone else between queries), and reconnects with a growing
 * pause when that connection drops.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { postgresClientConfig } from '../db/connect.js';
import type { DB } from '../db/schema.js';
import type { Logger } from '../log.js';
import type { JobListener, JobSignal } from './signal.js';

/** The channel; NOTIFY reaches only listeners of the same database. */
export const jobChannel = 'device_api_jobs';

const firstRetryMs = 500;
const lastRetryMs = 30_000;

export function postgresJobSignal(db: Kysely<DB>, url: string): JobSignal {
  return {
    notify: async () => {
      await sql`SELECT pg_notify(${jobChannel}, '')`.execute(db);
    },
    listen: (onWake, log) => listen(url, onWake, log),
  };
}

async function listen(
  url: string,
  onWake: () => void,
  log: Logger,
): Promise<JobListener> {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = firstRetryMs;
  let timer: NodeJS.Timeout | undefined;

  const connectOnce = async (): Promise<void> => {
    const next = new pg.Client(
      postgresClientConfig(url, { applicationName: 'device-api-listener' }),
    );
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      client = undefined;
      next.end().catch(() => {});
      if (closed) return;
      log.warn({ err: error }, 'job listener lost its connection');
      retryLater();
    };
    next.on('notification', () => onWake());
    next.on('error', drop);
    next.on('end', () => drop());

    try {
      await next.connect();
      await next.query(`LISTEN ${jobChannel}`);
    } catch (error) {
      dropped = true;
      next.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    retryMs = firstRetryMs;
    onWake();
  };

  const attempt = async (): Promise<void> => {
    timer = undefined;
    try {
      await connectOnce();
    } catch (error) {
      if (closed) return;
      log.warn({ err: error, retryMs }, 'job listener cannot connect');
      retryLater();
    }
  };

  const retryLater = () => {
    if (closed || timer) return;
    timer = setTimeout(attempt, retryMs);
    retryMs = Math.min(retryMs * 2, lastRetryMs);
  };

  await attempt();
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
