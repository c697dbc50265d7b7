/**
 * Starting the service: connect, migrate, start the job worker thread and
 * the HTTP server. Used by `serve`, `demo` and the end-to-end tests.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Connection } from './db/connect.js';
import { openDatabase } from './db/open.js';
import { buildServer } from './http/server.js';
import { jobSignal } from './jobs/signal.js';
import { startWorkerThread, type WorkerThread } from './jobs/thread.js';
import { createLogger, type Logger } from './log.js';

export { openDatabase };

export interface RunningService {
  url: string;
  app: FastifyInstance;
  conn: Connection;
  log: Logger;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Run jobs in this process (a worker thread); default true. */
  worker?: boolean;
  log?: Logger;
}

export async function startService(
  config: Config,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const log = options.log ?? createLogger(config.logLevel);
  const conn = await openDatabase(config);

  let worker: WorkerThread | undefined;
  if (options.worker ?? true) {
    worker = await startWorkerThread(config, log, {
      soleWorker: conn.dialect.name === 'sqlite',
    });
  }

  // The own worker thread hears of a new job by message; workers in other
  // processes by the database's signal (PostgreSQL NOTIFY).
  const signal = jobSignal(conn);
  const onJobCreated = () => {
    worker?.wake();
    signal.notify().catch((error) => {
      log.warn({ err: error }, 'could not signal the new job to workers');
    });
  };
  const app = await buildServer({ conn, config, log, onJobCreated });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${port}`,
    app,
    conn,
    log,
    close: async () => {
      await app.close();
      await worker?.stop();
      await conn.close();
    },
  };
}
