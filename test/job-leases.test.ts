/**
 * The Job table's transitions under contention: a worker that lost its lease
 * writes nothing and deletes nothing, recovery acts once per job, and
 * retention deletes big jobs in short statements.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/app.js';
import type { Connection } from '../src/db/connect.js';
import { JobStatus, JobStore, LeaseLostError } from '../src/jobs/store.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import { testConfig } from './support/service.js';

const leaseMs = 60_000;
const retentionMs = 3_600_000;
const later = () => Date.now() + 10 * leaseMs;

describe.each(testDialects())('job leases and retention on %s', (dialect) => {
  let conn: Connection;
  let store: JobStore;

  beforeAll(async () => {
    const database = await createTestDatabase(dialect);
    conn = await openDatabase(testConfig(database));
    store = new JobStore(conn.db, conn.dialect);
  });
  afterAll(() => conn?.close());

  let created = 0;
  /** A pending job; each newer than the last, so claims take them in turn. */
  async function newJob(): Promise<string> {
    const JobId = randomUUID();
    created++;
    await store.insert({
      JobId,
      Token_Idn: 1,
      Method: 'RequestEpmInventory',
      Request: '{}',
      RequestHash: JobId,
      IdempotencyKey: null,
      CreatedAt: created,
    });
    return JobId;
  }

  async function claim(JobId: string, owner: string) {
    const job = await store.claimNext(owner, leaseMs);
    expect(job?.JobId).toBe(JobId);
    return job!;
  }

  async function writeResults(JobId: string, count: number, from = 1) {
    for (let seq = from; seq < from + count; seq += 500) {
      const size = Math.min(500, from + count - seq);
      await conn.db
        .insertInto('JobResult')
        .values(
          Array.from({ length: size }, (_, i) => ({
            JobId,
            Seq: seq + i,
            Computer_Idn: seq + i,
            Data: '{}',
          })),
        )
        .execute();
    }
  }

  function resultCount(JobId: string): Promise<number> {
    return conn.db
      .selectFrom('JobResult')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  }

  it('a worker that lost its lease can neither write nor fail the job', async () => {
    const JobId = await newJob();
    const old = await claim(JobId, 'A');
    await store.recoverExpired(3, retentionMs, later());
    const taken = await claim(JobId, 'B');
    await writeResults(JobId, 3);

    let wrote = false;
    await expect(
      store.withLease(old, 'A', leaseMs, {}, async () => {
        wrote = true;
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(wrote).toBe(false);
    await expect(store.clearResults(old, 'A', leaseMs)).rejects.toThrow(
      LeaseLostError,
    );
    expect(await store.fail(JobId, 'Failed: old', retentionMs, 'A')).toBe(
      false,
    );
    expect(await store.release(JobId, 'A')).toBe(false);
    expect(await resultCount(JobId)).toBe(3);

    expect(await store.progress(taken, 'B', leaseMs, {})).toBe(true);
    await store.clearResults(taken, 'B', leaseMs);
    expect(await resultCount(JobId)).toBe(0);
    await store.fail(JobId, 'Failed: done with this test', retentionMs, 'B');
  });

  it('recovers an expired job once, however many workers try', async () => {
    const JobId = await newJob();
    await claim(JobId, 'A');
    const now = later();

    const tries = await Promise.all(
      [1, 2, 3, 4].map(() => store.recoverExpired(3, retentionMs, now)),
    );
    expect(tries.reduce((n, t) => n + t.requeued, 0)).toBe(1);
    const job = await conn.db
      .selectFrom('Job')
      .selectAll()
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ Status: JobStatus.Pending, LeaseOwner: null });
    await claim(JobId, 'B');
    await store.fail(JobId, 'Failed: done with this test', retentionMs, 'B');
  });

  it('fails a job with a reason once its attempts are used up', async () => {
    const JobId = await newJob();
    for (const owner of ['A', 'B', 'C']) {
      await claim(JobId, owner);
      await writeResults(JobId, 2, 1);
      await store.recoverExpired(3, retentionMs, later());
      await conn.db
        .deleteFrom('JobResult')
        .where('JobId', '=', JobId)
        .execute();
    }
    const job = await conn.db
      .selectFrom('Job')
      .selectAll()
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow();
    expect(job.Status).toBe(JobStatus.Failure);
    expect(job.StatusDetails).toBe(
      'Failed: the job was interrupted 3 times (its worker stopped before ' +
        'finishing); request it again.',
    );
    expect(job.ExpiresAt).toBeGreaterThan(Date.now());
  });

  it.runIf(dialect === 'postgres')(
    'leaves a job alone while its batch is being written',
    async () => {
      const JobId = await newJob();
      const job = await claim(JobId, 'A');

      let finishBatch!: () => void;
      const inBatch = new Promise<void>((resolve) => (finishBatch = resolve));
      let started!: () => void;
      const batchStarted = new Promise<void>((resolve) => (started = resolve));
      const batch = store.withLease(job, 'A', leaseMs, {}, async (db) => {
        await db
          .insertInto('JobResult')
          .values({ JobId, Seq: 1, Computer_Idn: 1, Data: '{}' })
          .execute();
        started();
        await inBatch;
      });

      await batchStarted;
      const during = await store.recoverExpired(3, retentionMs, later());
      expect(during).toStrictEqual({ requeued: 0, failed: 0 });
      finishBatch();
      await batch;

      const after = await store.recoverExpired(3, retentionMs, later());
      expect(after.requeued).toBe(1);
      expect(await resultCount(JobId)).toBe(1);
      const next = await claim(JobId, 'B');
      await store.clearResults(next, 'B', leaseMs);
      expect(await resultCount(JobId)).toBe(0);
      await store.fail(JobId, 'Failed: done with this test', retentionMs, 'B');
    },
  );

  it('deletes expired jobs and all their results, keeps fresh ones', async () => {
    const big = await newJob();
    const fresh = await newJob();
    for (const JobId of [big, fresh]) {
      const job = await claim(JobId, 'A');
      await writeResults(JobId, JobId === big ? 12_345 : 10);
      await store.succeed(job, 'A', {
        TotalCount: JobId === big ? 12_345 : 10,
        DevicesNotFound: [],
        Watermark: 0,
        details: 'Completed',
        retentionMs,
      });
    }
    await conn.db
      .updateTable('Job')
      .set({ ExpiresAt: Date.now() - 1 })
      .where('JobId', '=', big)
      .execute();

    const stopped = await store.deleteExpired(Date.now(), AbortSignal.abort());
    expect(stopped).toBe(0);
    expect(await resultCount(big)).toBe(12_345);

    const deleted = await store.deleteExpired(Date.now());
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await resultCount(big)).toBe(0);
    const left = await conn.db
      .selectFrom('Job')
      .select('JobId')
      .where('JobId', 'in', [big, fresh])
      .execute();
    expect(left.map((j) => j.JobId)).toStrictEqual([fresh]);
    expect(await resultCount(fresh)).toBe(10);
  });
});
