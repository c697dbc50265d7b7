/** `device-api serve` and `device-api worker`. */
import { Command } from 'commander';
import { openDatabase, startService } from '../app.js';
import type { ConfigInput } from '../config.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger, type Logger } from '../log.js';
import { addDatabaseOption, configFrom } from './options.js';

export function serveCommand(): Command {
  return addScaleOptions(
    new Command('serve')
      .description('serve the Device API (and run jobs, unless --no-worker)')
      .option('--port <port>', 'TCP port (env DEVICE_API_PORT; default 5009)')
      .option(
        '--host <host>',
        'address to bind (env DEVICE_API_HOST; default 127.0.0.1)',
      )
      .option('--no-worker', 'serve the API only; run jobs in `worker`'),
  ).action(async (flags) => {
    const config = configFrom(flags, scaleOptions(flags));
    const service = await startService(config, { worker: flags.worker });
    service.log.info({ url: service.url }, 'serving the Device API');
    process.stderr.write(`Device API at ${service.url}/five9sWS/api/devices\n`);
    onShutdown(() => service.close(), service.log);
  });
}

export function workerCommand(): Command {
  return addScaleOptions(
    new Command('worker')
      .description('run jobs only (scale-out deployments)')
      .option('--concurrency <n>', 'jobs run at once (default 1)'),
  ).action(async (flags) => {
    const config = configFrom(flags, scaleOptions(flags));
    const log = createLogger(config.logLevel).child({ role: 'worker' });
    const conn = await openDatabase(config, 'device-api-worker');
    const worker = new JobWorker(conn, config, log, {
      soleWorker: false,
    });
    await worker.start();
    log.info({ owner: worker.id }, 'job worker started');
    onShutdown(async () => {
      await worker.stop();
      await conn.close();
    }, log);
  });
}

/** Database and shutdown flags of the long-running commands. */
function addScaleOptions(command: Command): Command {
  return addDatabaseOption(command)
    .option(
      '--pool-size <n>',
      'PostgreSQL connections per process (env DEVICE_API_POOL_SIZE; ' +
        'default 10)',
    )
    .option(
      '--statement-timeout-ms <ms>',
      'PostgreSQL statement timeout, 0 = none ' +
        '(env DEVICE_API_STATEMENT_TIMEOUT_MS; default 120000)',
    )
    .option(
      '--listen-database <url>',
      'PostgreSQL URL for LISTEN when --database goes through a ' +
        'transaction pooler (env DEVICE_API_LISTEN_DATABASE)',
    )
    .option(
      '--shutdown-grace-seconds <s>',
      'on SIGTERM, time running jobs get to finish before they are ' +
        'handed back (env DEVICE_API_SHUTDOWN_GRACE_SECONDS; default 20)',
    );
}

function scaleOptions(flags: Record<string, unknown>): ConfigInput {
  const input: ConfigInput = {};
  const keys = [
    'poolSize',
    'statementTimeoutMs',
    'listenDatabase',
    'shutdownGraceSeconds',
  ] as const;
  for (const key of keys) {
    const value = flags[key];
    if (typeof value === 'string') input[key] = value;
  }
  return input;
}

/**
 * On SIGTERM/SIGINT: stop taking work, finish or hand back running jobs,
 * close the pools, exit 0. A second signal exits at once.
 */
export function onShutdown(close: () => Promise<void>, log?: Logger): void {
  let closing = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    log?.info({ signal }, 'shutting down');
    try {
      await close();
    } catch (error) {
      log?.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    log?.info('shut down');
    process.exit(0);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
