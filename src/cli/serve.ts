/** `device-api serve` and `device-api worker`. */
import { Command } from 'commander';
import { openDatabase, startService } from '../app.js';
import { JobWorker } from '../jobs/worker.js';
import { createLogger } from '../log.js';
import { addDatabaseOption, configFrom } from './options.js';

export function serveCommand(): Command {
  return addDatabaseOption(
    new Command('serve')
      .description('serve the Device API (and run jobs, unless --no-worker)')
      .option('--port <port>', 'TCP port (env DEVICE_API_PORT; default 5009)')
      .option('--host <host>', 'address to bind (default 127.0.0.1)')
      .option('--no-worker', 'serve the API only; run jobs in `worker`'),
  ).action(async (flags) => {
    const config = configFrom(flags);
    const service = await startService(config, { worker: flags.worker });
    service.log.info({ url: service.url }, 'serving the Device API');
    process.stderr.write(`Device API at ${service.url}/five9sWS/api/devices\n`);
    onShutdown(() => service.close());
  });
}

export function workerCommand(): Command {
  return addDatabaseOption(
    new Command('worker')
      .description('run jobs only (scale-out deployments)')
      .option('--concurrency <n>', 'jobs run at once (default 1)'),
  ).action(async (flags) => {
    const config = configFrom(flags);
    const log = createLogger(config.logLevel).child({ role: 'worker' });
    const conn = await openDatabase(config);
    const worker = new JobWorker(conn, config, log, {
      soleWorker: false,
    });
    await worker.start();
    log.info('job worker started');
    onShutdown(async () => {
      await worker.stop();
      await conn.close();
    });
  });
}

/** Stops cleanly on SIGTERM/SIGINT; a second signal exits at once. */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = async () => {
    if (closing) process.exit(1);
    closing = true;
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
