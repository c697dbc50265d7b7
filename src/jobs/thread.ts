/**
 * The HTTP process's side of the job worker thread.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export interface WorkerThread {
  wake(): void;
  stop(): Promise<void>;
}

/** The thread's entry: compiled JS, or the sources through tsx. */
function entry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fromSource ? './worker-entry.mjs' : './worker-thread.js';
  return new URL(file, import.meta.url);
}

export async function startWorkerThread(
  config: Config,
  log: Logger,
  options: { soleWorker: boolean },
): Promise<WorkerThread> {
  const worker = new Worker(entry(), {
    workerData: { config, soleWorker: options.soleWorker },
  });

  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('error', (error) => log.error({ err: error }, 'job thread failed'));

  return {
    wake: () => worker.postMessage('wake'),
    stop: async () => {
      // A thread that died already has nothing to stop.
      const stopped = new Promise((resolve) => {
        worker.once('message', resolve);
        worker.once('exit', resolve);
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
