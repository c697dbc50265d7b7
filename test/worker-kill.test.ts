/**
 * Workers die mid-job (SIGKILL, no shutdown handlers), again and again, with
 * a replacement started each time: every job still ends, Success with
 * complete results or Failure with a reason; none stays Running.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import { connect, type Connection } from '../src/db/connect.js';
import type { DialectName } from '../src/db/dialects/dialect.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import { allDeviceIds, rows } from './support/inventory.js';
import {
  crashAllServes,
  startServe,
  type ServeProcess,
} from './support/process.js';
import { createToken, post, testConfig } from './support/service.js';
import {
  jobRows,
  killAllWorkers,
  resultShapes,
  startWorker,
  waitFor,
  type JobRow,
  type WorkerProcess,
} from './support/workers.js';

/** A short lease and small batches, so a kill lands inside a job. */
const workerEnv = {
  DEVICE_API_LEASE_SECONDS: '2',
  DEVICE_API_BATCH_SIZE: '4',
  DEVICE_API_POLL_MS: '200',
};

const kills = 12;

describe.each(testDialects())('workers killed mid-job on %s', (dialect) => {
  let database: string;
  let conn: Connection;
  let api: ServeProcess;
  let token: string;
  let deviceIds: number[];
  const workers = new Set<WorkerProcess>();
  /** JobId -> the Computer_Idns it must return, in order. */
  const expected = new Map<string, number[]>();

  beforeAll(async () => {
    ({ database, conn, token, deviceIds } = await prepare(dialect));
    api = await startServe(database, { args: ['--no-worker'] });
    for (const _ of [1, 2]) workers.add(await startWorker(database, workerEnv));
  });

  afterAll(async () => {
    await killAllWorkers();
    await crashAllServes();
    await conn?.close();
  });

  async function requestJobs(count: number): Promise<void> {
    for (let k = 0; k < count; k++) {
      const first = 1 + expected.size * 7;
      const ids = Array.from({ length: 120 }, (_, n) => first + n);
      const reply = await post(api.base, 'RequestAllInfos', token, {
        Computer_Idns: ids,
      });
      expect(reply.status).toBe(200);
      expected.set(
        reply.body.JobId,
        deviceIds.filter((id) => ids.includes(id)),
      );
    }
  }

  it('every job ends Success (complete) or Failure (with a reason)', async () => {
    await requestJobs(6);

    // Step 1: kill the worker of a half-done job, start a replacement.
    for (let kill = 0; kill < kills; kill++) {
      const { worker } = await waitFor('a job in the middle', async () => {
        const jobs = await jobRows(conn.db);
        if (jobs.every((j) => j.Status >= 3)) await requestJobs(3);
        return midJob(jobs, workers);
      });
      expect(await worker.signal('SIGKILL')).toBeNull();
      workers.delete(worker);
      workers.add(await startWorker(database, workerEnv));
    }

    // Step 2: the survivors finish or fail everything.
    const jobs = await waitFor('all jobs to end', async () => {
      const all = await jobRows(conn.db);
      return all.every((j) => j.Status >= 3) ? all : undefined;
    });
    expect(jobs.length).toBe(expected.size);

    // Step 3: failures say why; successes hold each device exactly once.
    const shapes = new Map(
      (await resultShapes(conn.db)).map((s) => [s.JobId, s]),
    );
    for (const job of jobs) {
      if (job.Status === 4) {
        expect(job.StatusDetails).toMatch(/^Failed: .{20,}/);
        continue;
      }
      expect(job.Status).toBe(3);
      const count = expected.get(job.JobId)!.length;
      expect(job.TotalCount).toBe(count);
      expect(shapes.get(job.JobId)).toStrictEqual({
        JobId: job.JobId,
        rows: count,
        firstSeq: 1,
        lastSeq: count,
        devices: count,
      });
    }
    expect(jobs.some((j) => j.Attempts > 1)).toBe(true);

    // Step 4: a job that was taken over pages out its devices in order.
    const retried = jobs.find((j) => j.Status === 3 && j.Attempts > 1);
    if (retried) await expectDevices(retried);
  }, 300_000);

  it.runIf(dialect === 'postgres')(
    'a job whose database connection is cut mid-batch is run again',
    async () => {
      // Step 1: hold a table the batch reads, so the batch waits mid-way.
      const locker = new pg.Client({ connectionString: database });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "CVDetected" IN ACCESS EXCLUSIVE MODE');
      await requestJobs(1);
      const JobId = [...expected.keys()].at(-1)!;
      await waitFor('the batch to wait for the lock', async () => {
        const waiting = await rows(
          conn.db,
          sql`SELECT pid FROM pg_stat_activity
            WHERE application_name = 'device-api-worker'
              AND datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.length > 0 ? true : undefined;
      });

      // Step 2: cut the workers' connections, then let go of the table.
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'device-api-worker'
          AND datname = current_database()`.execute(conn.db);
      await locker.query('COMMIT');
      await locker.end();

      // Step 3: the lease runs out and the job is run again, completely.
      const job = await waitFor('the job to end', async () => {
        const all = await jobRows(conn.db);
        const found = all.find((j) => j.JobId === JobId)!;
        return found.Status >= 3 ? found : undefined;
      });
      expect(job.Status, job.StatusDetails).toBe(3);
      expect(job.Attempts).toBe(2);
      await expectDevices(job);
      for (const worker of workers) expect(worker.child.exitCode).toBeNull();
    },
    60_000,
  );

  async function expectDevices(job: JobRow): Promise<void> {
    const page = await post(api.base, 'GetJobData', token, {
      Guid: job.JobId,
      PageSize: 1000,
    });
    const ids = page.body.Results.map((r: any) => r.Computer_Idn);
    expect(ids).toStrictEqual(expected.get(job.JobId));
  }
});

async function prepare(dialect: DialectName) {
  const database = await createTestDatabase(dialect);
  const config = testConfig(database);
  await loadDemoFleet(config, { devices: '300' });
  const token = await createToken(config, 'worker-kill');
  const conn = connect(database);
  const deviceIds = await allDeviceIds(conn.db);
  return { database, conn, token, deviceIds };
}

/** A running job with some results stored, and the live worker holding it. */
function midJob(
  jobs: JobRow[],
  workers: Set<WorkerProcess>,
): { job: JobRow; worker: WorkerProcess } | undefined {
  for (const job of jobs) {
    if (job.Status !== 2 || job.DevicesDone === 0) continue;
    for (const worker of workers) {
      if (job.LeaseOwner?.startsWith(`${worker.owner}:`)) {
        return { job, worker };
      }
    }
  }
  return undefined;
}
