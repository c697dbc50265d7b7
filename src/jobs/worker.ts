/**
 * A job worker: claims pending jobs, runs them, recovers jobs whose worker
 * died, and deletes jobs past their retention. Runs inside a worker thread of
 * `serve` or as the separate `worker` process; never on the HTTP event loop.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { Logger } from '../log.js';
import { isTransientDbError as isTransient } from '../db/errors.js';
import { JobInterruptedError, LeaseLostError, runJob } from './runner.js';
import { jobSignal, type JobListener } from './signal.js';
import { JobStore, type Job } from './store.js';

export interface WorkerOptions {
  /** This process alone runs jobs on the database (embedded SQLite). */
  soleWorker?: boolean;
}

const cleanupEveryMs = 10 * 60_000;

export class JobWorker {
  private readonly store: JobStore;
  /** Lease owner prefix: which host, process and thread holds a job. */
  readonly id =
    `${hostname()}:${process.pid}:${threadId}:` +
    randomBytes(3).toString('hex');
  private stopping = false;
  /** Counts wake-ups, so one that comes while a slot is busy is not lost. */
  private wakeups = 0;
  private readonly waiters = new Set<() => void>();
  /** Aborted at stop: cleanup ends early. */
  private readonly stopRequested = new AbortController();
  /** Aborted when the grace period is over: running jobs are handed back. */
  private readonly interrupt = new AbortController();
  private loops: Promise<void>[] = [];
  private listener: JobListener | undefined;
  private lastCleanup = 0;

  constructor(
    private readonly conn: Connection,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly options: WorkerOptions = {},
  ) {
    this.store = new JobStore(conn.db, conn.dialect);
  }

  /** Listens for new jobs first, so none stored after start is missed. */
  async start(): Promise<void> {
    const signal = jobSignal(this.conn, this.config.listenDatabase);
    this.listener = await signal.listen(() => this.wake(), this.log);

    if (this.options.soleWorker) await this.store.expireAllLeases();
    await this.recover();

    for (let slot = 0; slot < this.config.workerConcurrency; slot++) {
      this.loops.push(this.loop(`${this.id}:${slot}`));
    }
  }

  /** A new job was stored: stop idling now. */
  wake(): void {
    this.wakeups++;
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Stops claiming and lets running jobs finish within the grace period;
   * jobs still running then stop after their current batch and go back to
   * the queue for another worker.
   */
  async stop(graceMs = this.config.shutdownGraceSeconds * 1000): Promise<void> {
    this.stopping = true;
    this.stopRequested.abort();
    this.wake();

    const finished = Promise.all(this.loops);
    if (!(await settlesWithin(finished, graceMs))) {
      this.log.warn({ graceMs }, 'handing running jobs back to the queue');
      this.interrupt.abort();
      await finished;
    }
    await this.listener?.close();
  }

  private async loop(owner: string): Promise<void> {
    while (!this.stopping) {
      const seen = this.wakeups;
      try {
        const worked = await this.step(owner);
        if (!worked) await this.idle(seen);
      } catch (error) {
        this.log.error({ err: error }, 'job worker step failed');
        await this.idle(seen);
      }
    }
  }

  /** Claims and runs one job; false when there was nothing to do. */
  private async step(owner: string): Promise<boolean> {
    await this.housekeeping();
    if (this.stopping) return false;
    const job = await this.store.claimNext(
      owner,
      this.config.leaseSeconds * 1000,
    );
    if (!job) return false;

    await this.run(job, owner);
    return true;
  }

  private async run(job: Job, owner: string): Promise<void> {
    const log = this.log.child({ JobId: job.JobId, Method: job.Method });
    log.info({ attempt: job.Attempts, owner }, 'job started');
    try {
      const { conn, store, config, interrupt } = this;
      await runJob(conn, store, config, job, owner, log, interrupt.signal);
    } catch (error) {
      await this.settleFailed(job, owner, error as Error, log);
    }
  }

  /** A run that threw: lost lease, shutdown, or a failure of the job. */
  private async settleFailed(
    job: Job,
    owner: string,
    error: Error,
    log: Logger,
  ): Promise<void> {
    if (error instanceof LeaseLostError) {
      log.warn('job lease lost; another worker took over');
      return;
    }
    if (error instanceof JobInterruptedError) {
      const released = await this.store.release(job.JobId, owner);
      if (released) log.info('job handed back at shutdown');
      return;
    }

    if (isTransient(error)) {
      // Like a crash: the lease runs out and the job is run again.
      log.warn({ err: error }, 'job interrupted by a database error');
      return;
    }

    log.error({ err: error }, 'job failed');
    await this.store.fail(
      job.JobId,
      `Failed: ${error.message}`,
      this.retentionMs(),
      owner,
    );
  }

  private async housekeeping(): Promise<void> {
    await this.recover();
    const now = Date.now();
    if (now - this.lastCleanup < cleanupEveryMs) return;

    this.lastCleanup = now;
    const deleted = await this.store.deleteExpired(
      now,
      this.stopRequested.signal,
    );
    if (deleted > 0) this.log.info({ deleted }, 'expired jobs deleted');
  }

  private async recover(): Promise<void> {
    const { requeued, failed } = await this.store.recoverExpired(
      this.config.maxAttempts,
      this.retentionMs(),
    );
    if (requeued + failed > 0) {
      this.log.warn({ requeued, failed }, 'recovered interrupted jobs');
    }
  }

  /** Waits for a wake-up or the poll interval; returns at once if one came. */
  private idle(seen: number): Promise<void> {
    if (this.wakeups !== seen || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.config.pollMs);
      this.waiters.add(done);
    });
  }

  private retentionMs(): number {
    return this.config.jobRetentionHours * 3_600_000;
  }
}

/** True if `promise` settles within `ms`. */
async function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
