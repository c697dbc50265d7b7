/**
 * The Job table is the source of truth for a job's state. Every transition
 * is one short statement, guarded by the lease owner where a worker acts, so
 * a worker that lost its lease cannot overwrite the new owner's work.
 */
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

export interface NewJob {
  JobId: string;
  Token_Idn: number;
  Method: string;
  Request: string;
  RequestHash: string;
  IdempotencyKey: string | null;
  CreatedAt: number;
}

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
   * The newest job of this token for the same request (or idempotency key)
   * that is still pending, running, or succeeded after `since`.
   */
  async findReusable(
    Token_Idn: number,
    match: { RequestHash: string } | { IdempotencyKey: string },
    since: number,
  ): Promise<Job | undefined> {
    let query = this.db
      .selectFrom('Job')
      .selectAll()
      .where('Token_Idn', '=', Token_Idn)
      .where('CreatedAt', '>=', since)
      .where('Status', '!=', JobStatus.Failure);
    query =
      'RequestHash' in match
        ? query.where('RequestHash', '=', match.RequestHash)
        : query.where('IdempotencyKey', '=', match.IdempotencyKey);
    return query.orderBy('CreatedAt', 'desc').limit(1).executeTakeFirst();
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
    update: { DevicesDone?: number; DevicesTotal?: number; details: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('Job')
      .set({
        LeaseExpiresAt: Date.now() + leaseMs,
        StatusDetails: update.details,
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
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async fail(
    JobId: string,
    reason: string,
    retentionMs: number,
    owner?: string,
  ): Promise<void> {
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
    if (owner) query = query.where('LeaseOwner', '=', owner);
    await query.execute();
    await this.db.deleteFrom('JobResult').where('JobId', '=', JobId).execute();
  }

  /**
   * Running jobs whose lease ran out (their worker died): run again, or fail
   * once they used up their attempts. Returns how many were requeued/failed.
   */
  async recoverExpired(
    maxAttempts: number,
    retentionMs: number,
    now = Date.now(),
  ): Promise<{ requeued: number; failed: number }> {
    const expired = await this.db
      .selectFrom('Job')
      .select(['JobId', 'Attempts'])
      .where('Status', '=', JobStatus.Running)
      .where('LeaseExpiresAt', '<', now)
      .execute();

    let requeued = 0;
    let failed = 0;
    for (const job of expired) {
      if (job.Attempts >= maxAttempts) {
        await this.fail(
          job.JobId,
          `Failed: the job was interrupted ${job.Attempts} times ` +
            '(its worker stopped before finishing); request it again.',
          retentionMs,
        );
        failed++;
        continue;
      }
      const result = await this.db
        .updateTable('Job')
        .set({
          Status: JobStatus.Pending,
          StatusDetails:
            'Waiting for a worker (the previous run was interrupted)',
          LeaseOwner: null,
          LeaseExpiresAt: null,
        })
        .where('JobId', '=', job.JobId)
        .where('Status', '=', JobStatus.Running)
        .where('LeaseExpiresAt', '<', now)
        .executeTakeFirst();
      requeued += Number(result.numUpdatedRows);
    }
    return { requeued, failed };
  }

  /** Ends the leases of all running jobs (used when one process owns them). */
  async expireAllLeases(): Promise<void> {
    await this.db
      .updateTable('Job')
      .set({ LeaseExpiresAt: 0 })
      .where('Status', '=', JobStatus.Running)
      .execute();
  }

  /** Hands a job back to the queue (graceful shutdown). */
  async release(JobId: string, owner: string): Promise<void> {
    await this.db
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
      .execute();
  }

  /** Result JSON texts of one page, in order. */
  async readPage(
    JobId: string,
    first: number,
    last: number,
  ): Promise<string[]> {
    const rows = await this.db
      .selectFrom('JobResult')
      .select('Data')
      .where('JobId', '=', JobId)
      .where('Seq', '>=', first)
      .where('Seq', '<=', last)
      .orderBy('Seq')
      .execute();
    return rows.map((row) => row.Data);
  }

  /** Deletes expired jobs and their results, a batch at a time. */
  async deleteExpired(now: number, batch = 500): Promise<number> {
    let deleted = 0;
    for (;;) {
      const jobs = await this.db
        .selectFrom('Job')
        .select('JobId')
        .where('ExpiresAt', '<', now)
        .limit(batch)
        .execute();
      if (jobs.length === 0) return deleted;

      const ids = jobs.map((j) => j.JobId);
      await this.db.deleteFrom('JobResult').where('JobId', 'in', ids).execute();
      await this.db.deleteFrom('Job').where('JobId', 'in', ids).execute();
      deleted += ids.length;
    }
  }
}
