/**
 * The Job table is the source of truth for a job's state. Every transition
 * is one short statement, guarded by the lease owner where a worker acts, so
 * a worker that lost its lease cannot overwrite the new owner's work.
 *
 * A worker writes results only inside a lease transaction: its first
 * statement renews the lease on the job's row (and so locks that row until
 * the batch commits), its next ones write. Whoever takes a job over (lease
 * recovery, another worker's claim) has to update the same row, so it waits
 * for a running batch to commit and then sees the lease gone; the old owner's
 * next transaction finds the lease changed and stops. Results of an earlier
 * run are therefore either committed before the new run clears them, or never
 * written at all.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { SqlDialect } from '../db/dialects/dialect.js';
import type { DB, JobTable } from '../db/schema.js';

export type Job = Selectable<JobTable>;

/** JobStatus as the API numbers it. */
export const JobStatus = {
  Pending: 1,
  Running: 2,
  Success: 3,
  Failure: 4,
} as const;
export type JobStatusValue = (typeof JobStatus)[keyof typeof JobStatus];

/** Thrown when the worker no longer holds the job's lease. */
export class LeaseLostError extends Error {
  constructor(JobId: string) {
    super(`Lost the lease of job ${JobId}`);
  }
}

export interface NewJob {
  JobId: string;
  Token_Idn: number;
  Method: string;
  Request: string;
  RequestHash: string;
  IdempotencyKey: string | null;
  CreatedAt: number;
}

/** What a worker reports while it holds a job. */
export interface Progress {
  DevicesDone?: number;
  DevicesTotal?: number;
  details?: string;
}

/** Result rows deleted per statement, so no delete holds locks for long. */
const resultRowsPerDelete = 5000;

export class JobStore {
  constructor(
    readonly db: Kysely<DB>,
    readonly dialect: SqlDialect,
  ) {}

  async insert(job: NewJob): Promise<void> {
    await this.db
      .insertInto('Job')
      .values({
        ...job,
        Status: JobStatus.Pending,
        StatusDetails: 'Waiting for a worker',
        DevicesDone: 0,
        Attempts: 0,
      })
      .execute();
  }

  /** A job of this token, or undefined (other tokens' jobs are invisible). */
  async find(JobId: string, Token_Idn: number): Promise<Job | undefined> {
    return this.db
      .selectFrom('Job')
      .selectAll()
      .where('JobId', '=', JobId)
      .where('Token_Idn', '=', Token_Idn)
      .executeTakeFirst();
  }

  /**
   * The newest job of this token for the same request that is still pending
   * or running, or that succeeded at or after `since`.
   */
  async findSameRequest(
    Token_Idn: number,
    RequestHash: string,
    since: number,
  ): Promise<Job | undefined> {
    return this.db
      .selectFrom('Job')
      .selectAll()
      .where('Token_Idn', '=', Token_Idn)
      .where('RequestHash', '=', RequestHash)
      .where((eb) =>
        eb.or([
          eb('Status', 'in', [JobStatus.Pending, JobStatus.Running]),
          eb.and([
            eb('Status', '=', JobStatus.Success),
            eb('FinishedAt', '>=', since),
          ]),
        ]),
      )
      .orderBy('CreatedAt', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** The newest job this token created with an Idempotency-Key. */
  async findByIdempotencyKey(
    Token_Idn: number,
    IdempotencyKey: string,
  ): Promise<Job | undefined> {
    return this.db
      .selectFrom('Job')
      .selectAll()
      .where('Token_Idn', '=', Token_Idn)
      .where('IdempotencyKey', '=', IdempotencyKey)
      .orderBy('CreatedAt', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Claims the oldest pending job for `owner`. PostgreSQL skips rows other
   * workers hold; SQLite has a single writer, so the update is atomic anyway.
   */
  async claimNext(owner: string, leaseMs: number): Promise<Job | undefined> {
    const now = Date.now();
    const result = await sql<Job>`
      UPDATE "Job" SET "Status" = ${JobStatus.Running},
        "LeaseOwner" = ${owner}, "LeaseExpiresAt" = ${now + leaseMs},
        "Attempts" = "Attempts" + 1, "StartedAt" = ${now},
        "StatusDetails" = 'Starting'
      WHERE "JobId" = (
        SELECT "JobId" FROM "Job" WHERE "Status" = ${JobStatus.Pending}
        ORDER BY "CreatedAt", "JobId" LIMIT 1${sql.raw(this.dialect.skipLocked)})
        AND "Status" = ${JobStatus.Pending}
      RETURNING *`.execute(this.db);
    return result.rows[0];
  }

  /** Extends the lease and records progress; false if the lease was lost. */
  async progress(
    job: Job,
    owner: string,
    leaseMs: number,
    update: Progress,
  ): Promise<boolean> {
    return this.renew(this.db, job, owner, leaseMs, update);
  }

  /**
   * Runs `work` in one transaction that first renews the lease (locking the
   * job's row until commit). Throws LeaseLostError, writing nothing, when
   * another worker has taken the job over.
   */
  async withLease<T>(
    job: Job,
    owner: string,
    leaseMs: number,
    update: Progress,
    work: (db: Kysely<DB>) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const held = await this.renew(trx, job, owner, leaseMs, update);
      if (!held) throw new LeaseLostError(job.JobId);
      return work(trx);
    });
  }

  private async renew(
    db: Kysely<DB>,
    job: Job,
    owner: string,
    leaseMs: number,
    update: Progress,
  ): Promise<boolean> {
    const result = await db
      .updateTable('Job')
      .set({
        LeaseExpiresAt: Date.now() + leaseMs,
        ...(update.details !== undefined
          ? { StatusDetails: update.details }
          : {}),
        ...(update.DevicesDone !== undefined
          ? { DevicesDone: update.DevicesDone }
          : {}),
        ...(update.DevicesTotal !== undefined
          ? { DevicesTotal: update.DevicesTotal }
          : {}),
      })
      .where('JobId', '=', job.JobId)
      .where('LeaseOwner', '=', owner)
      .where('Status', '=', JobStatus.Running)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Deletes results an interrupted earlier run of this job left behind, in
   * short lease transactions. Throws LeaseLostError if the job was taken over.
   */
  async clearResults(job: Job, owner: string, leaseMs: number): Promise<void> {
    let top = await this.lastSeq(job.JobId);
    while (top > 0) {
      const bottom = Math.max(0, top - resultRowsPerDelete);
      await this.withLease(job, owner, leaseMs, {}, (db) =>
        deleteResultRange(db, job.JobId, bottom, top),
      );
      top = bottom;
    }
  }

  async succeed(
    job: Job,
    owner: string,
    outcome: {
      TotalCount: number;
      DevicesNotFound: string[];
      Watermark: number;
      details: string;
      retentionMs: number;
    },
  ): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .updateTable('Job')
      .set({
        Status: JobStatus.Success,
        StatusDetails: outcome.details,
        TotalCount: outcome.TotalCount,
        DevicesDone: outcome.TotalCount,
        DevicesNotFound: JSON.stringify(outcome.DevicesNotFound),
        Watermark: outcome.Watermark,
        LeaseOwner: null,
        LeaseExpiresAt: null,
        FinishedAt: now,
        ExpiresAt: now + outcome.retentionMs,
      })
      .where('JobId', '=', job.JobId)
      .where('LeaseOwner', '=', owner)
      .where('Status', '=', JobStatus.Running)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Fails a job the worker `owner` holds, or any job when no owner is given.
   * Its partial results are deleted only if this call did fail it: a worker
   * that lost the lease must not touch the new owner's results.
   */
  async fail(
    JobId: string,
    reason: string,
    retentionMs: number,
    owner?: string,
  ): Promise<boolean> {
    const now = Date.now();
    let query = this.db
      .updateTable('Job')
      .set({
        Status: JobStatus.Failure,
        StatusDetails: reason,
        LeaseOwner: null,
        LeaseExpiresAt: null,
        FinishedAt: now,
        ExpiresAt: now + retentionMs,
      })
      .where('JobId', '=', JobId);
    if (owner) {
      query = query
        .where('LeaseOwner', '=', owner)
        .where('Status', '=', JobStatus.Running);
    }
    const result = await query.executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;

    await this.deleteResults(JobId);
    return true;
  }

  /**
   * Running jobs whose lease ran out (their worker died): run again, or fail
   * once they used up their attempts. Each is one set-based statement that
   * re-checks the expiry, so two workers recovering at once cannot both act
   * on a job, and a job whose owner renewed in time is left alone. Rows a
   * live batch holds locked are skipped (PostgreSQL) and looked at next time.
   */
  async recoverExpired(
    maxAttempts: number,
    retentionMs: number,
    now = Date.now(),
  ): Promise<{ requeued: number; failed: number }> {
    const expired = (attempts: RawCondition) => sql<boolean>`"JobId" IN (
      SELECT "JobId" FROM "Job" WHERE "Status" = ${JobStatus.Running}
        AND "LeaseExpiresAt" < ${now} AND ${attempts}
      ${sql.raw(this.dialect.skipLocked)})
      AND "Status" = ${JobStatus.Running} AND "LeaseExpiresAt" < ${now}`;

    const failed = await this.db
      .updateTable('Job')
      .set({
        Status: JobStatus.Failure,
        StatusDetails: sql<string>`'Failed: the job was interrupted ' ||
          CAST("Attempts" AS text) || ' times (its worker stopped before ' ||
          'finishing); request it again.'`,
        LeaseOwner: null,
        LeaseExpiresAt: null,
        FinishedAt: now,
        ExpiresAt: now + retentionMs,
      })
      .where(expired(sql`"Attempts" >= ${maxAttempts}`))
      .returning('JobId')
      .execute();
    for (const job of failed) await this.deleteResults(job.JobId);

    const requeued = await this.db
      .updateTable('Job')
      .set({
        Status: JobStatus.Pending,
        StatusDetails:
          'Waiting for a worker (the previous run was interrupted)',
        LeaseOwner: null,
        LeaseExpiresAt: null,
      })
      .where(expired(sql`"Attempts" < ${maxAttempts}`))
      .executeTakeFirst();

    return {
      requeued: Number(requeued.numUpdatedRows),
      failed: failed.length,
    };
  }

  /** Ends the leases of all running jobs (used when one process owns them). */
  async expireAllLeases(): Promise<void> {
    await this.db
      .updateTable('Job')
      .set({ LeaseExpiresAt: 0 })
      .where('Status', '=', JobStatus.Running)
      .execute();
  }

  /**
   * Hands a job back to the queue (graceful shutdown). The run does not
   * count as an attempt; its partial results are cleared by the next run.
   */
  async release(JobId: string, owner: string): Promise<boolean> {
    const result = await this.db
      .updateTable('Job')
      .set({
        Status: JobStatus.Pending,
        StatusDetails: 'Waiting for a worker (handed back at shutdown)',
        LeaseOwner: null,
        LeaseExpiresAt: null,
        Attempts: sql`"Attempts" - 1`,
      })
      .where('JobId', '=', JobId)
      .where('LeaseOwner', '=', owner)
      .where('Status', '=', JobStatus.Running)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Result JSON of one page, in order, as UTF-8 bytes: SQLite hands them over
   * as stored, skipping a decode to JS strings and an encode back (a third
   * of a page's CPU, measured by the benchmark).
   */
  async readPage(
    JobId: string,
    first: number,
    last: number,
  ): Promise<Buffer[]> {
    const data =
      this.dialect.name === 'sqlite'
        ? sql<Buffer | string>`CAST("Data" AS BLOB)`
        : sql<Buffer | string>`"Data"`;
    const rows = await this.db
      .selectFrom('JobResult')
      .select(data.as('Data'))
      .where('JobId', '=', JobId)
      .where('Seq', '>=', first)
      .where('Seq', '<=', last)
      .orderBy('Seq')
      .execute();
    return rows.map((row) =>
      typeof row.Data === 'string' ? Buffer.from(row.Data) : row.Data,
    );
  }

  /**
   * Deletes jobs whose retention ended, and their results: a big job's
   * results in Seq ranges of a few thousand rows, each its own statement, so
   * GetJobData and running batches never wait long behind the cleanup.
   * Stops early once `signal` is aborted; the next cleanup goes on.
   */
  async deleteExpired(
    now: number,
    signal?: AbortSignal,
    jobsPerRound = 100,
  ): Promise<number> {
    let deleted = 0;
    while (!signal?.aborted) {
      const jobs = await this.db
        .selectFrom('Job')
        .select('JobId')
        .where('ExpiresAt', '<', now)
        .limit(jobsPerRound)
        .execute();
      if (jobs.length === 0) break;

      for (const job of jobs) await this.deleteResults(job.JobId, signal);
      if (signal?.aborted) break;
      const ids = jobs.map((j) => j.JobId);
      await this.db.deleteFrom('Job').where('JobId', 'in', ids).execute();
      deleted += ids.length;
    }
    return deleted;
  }

  /** Deletes all results of a job no worker writes any more, in ranges. */
  async deleteResults(JobId: string, signal?: AbortSignal): Promise<void> {
    let top = await this.lastSeq(JobId);
    while (top > 0 && !signal?.aborted) {
      const bottom = Math.max(0, top - resultRowsPerDelete);
      await deleteResultRange(this.db, JobId, bottom, top);
      top = bottom;
      // SQLite calls block: let signals in between the ranges.
      await nextTick();
    }
  }

  private async lastSeq(JobId: string): Promise<number> {
    const row = await this.db
      .selectFrom('JobResult')
      .select((eb) => eb.fn.max('Seq').as('top'))
      .where('JobId', '=', JobId)
      .executeTakeFirst();
    return Number(row?.top ?? 0);
  }
}

type RawCondition = ReturnType<typeof sql>;

/** Deletes the results with bottom < Seq <= top (an index range). */
async function deleteResultRange(
  db: Kysely<DB>,
  JobId: string,
  bottom: number,
  top: number,
): Promise<void> {
  await db
    .deleteFrom('JobResult')
    .where('JobId', '=', JobId)
    .where('Seq', '>', bottom)
    .where('Seq', '<=', top)
    .execute();
}
