/**
 * Entry point of the worker thread that `serve` starts: its own database
 * connection and a JobWorker, woken by messages from the HTTP thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { connect } from '../db/connect.js';
import { createLogger } from '../log.js';
import { JobWorker } from './worker.js';

const { config, soleWorker } = workerData as {
  config: Config;
  soleWorker: boolean;
};
const log = createLogger(config.logLevel).child({ thread: 'jobs' });
const conn = connect(config.database, {
  poolSize: Math.max(2, config.workerConcurrency + 1),
  statementTimeoutMs: config.statementTimeoutMs,
  applicationName: 'device-api-worker',
});
const worker = new JobWorker(conn, config, log, { soleWorker });

parentPort!.on('message', async (message: string) => {
  if (message === 'wake') worker.wake();
  if (message === 'stop') {
    await worker.stop();
    await conn.close();
    parentPort!.postMessage('stopped');
  }
});

await worker.start();
parentPort!.postMessage('started');
