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

/**
 * The thread's entry. Run from TypeScript sources, the thread first loads
 * tsx, since loader hooks of the main thread do not reach worker threads.
 */
function entry(): { script: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) {
    return { script: new URL('./worker-thread.js', import.meta.url), eval: false };
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new URL('./worker-thread.ts', import.meta.url).href;
  const script =
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); ` +
    `return import(${JSON.stringify(thread)}); });`;
  return { script, eval: true };
}

export async function startWorkerThread(
  config: Config,
  log: Logger,
  options: { soleWorker: boolean },
): Promise<WorkerThread> {
  const { script, eval: isCode } = entry();
  const worker = new Worker(script, {
    eval: isCode,
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
      const stopped = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
