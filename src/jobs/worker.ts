/**
 * A job worker: claims pending jobs, runs them, and recovers jobs whose
 * worker died. Runs inside a worker thread of `serve` or as the separate
 * `worker` process; never on the HTTP event loop.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { Logger } from '../log.js';
import { LeaseLostError, runJob } from './runner.js';
import { JobStore } from './store.js';

export interface WorkerOptions {
  /** This process alone runs jobs on the database (embedded SQLite). */
  soleWorker?: boolean;
}

const cleanupEveryMs = 10 * 60_000;

export class JobWorker {
  private readonly store: JobStore;
  private readonly id =
    `${hostname()}:${process.pid}:${threadId}:` +
    randomBytes(3).toString('hex');
  private stopping = false;
  private readonly waiters = new Set<() => void>();
  private loops: Promise<void>[] = [];
  private lastCleanup = 0;

  constructor(
    private readonly conn: Connection,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly options: WorkerOptions = {},
  ) {
    this.store = new JobStore(conn.db, conn.dialect);
  }

  async start(): Promise<void> {
    if (this.options.soleWorker) await this.store.expireAllLeases();
    await this.recover();

    for (let slot = 0; slot < this.config.workerConcurrency; slot++) {
      this.loops.push(this.loop(`${this.id}:${slot}`));
    }
  }

  /** A new job was stored: stop idling now. */
  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Stops claiming, lets running jobs finish, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.loops);
  }

  private async loop(owner: string): Promise<void> {
    while (!this.stopping) {
      try {
        const worked = await this.step(owner);
        if (!worked) await this.idle();
      } catch (error) {
        this.log.error({ err: error }, 'job worker step failed');
        await this.idle();
      }
    }
  }

  /** Claims and runs one job; false when there was nothing to do. */
  private async step(owner: string): Promise<boolean> {
    await this.housekeeping();
    const job = await this.store.claimNext(
      owner,
      this.config.leaseSeconds * 1000,
    );
    if (!job) return false;

    const log = this.log.child({ JobId: job.JobId, Method: job.Method });
    log.info({ attempt: job.Attempts }, 'job started');
    try {
      await runJob(this.conn, this.store, this.config, job, owner, log);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        log.warn('job lease lost; another worker took over');
        return true;
      }
      log.error({ err: error }, 'job failed');
      await this.store.fail(
        job.JobId,
        `Failed: ${(error as Error).message}`,
        this.retentionMs(),
        owner,
      );
    }
    return true;
  }

  private async housekeeping(): Promise<void> {
    await this.recover();
    const now = Date.now();
    if (now - this.lastCleanup < cleanupEveryMs) return;

    this.lastCleanup = now;
    const deleted = await this.store.deleteExpired(now);
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

  private idle(): Promise<void> {
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
