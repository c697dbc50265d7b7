/**
 * Restart recovery with real processes: a `serve` process is killed with
 * SIGKILL (no shutdown code runs) while one job is Running and another is
 * Pending; a new `serve` process on the same database finishes both. A job
 * whose worker died on its last attempt ends Failure with a reason. No job
 * stays Running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import type { Config } from '../src/config.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import { withDatabase } from './support/inventory.js';
import {
  crashAllServes,
  startServe,
  type ServeProcess,
} from './support/process.js';
import {
  allResults,
  createToken,
  post,
  testConfig,
} from './support/service.js';

/** Enough devices, in small batches, that a job runs for a while. */
const devices = 1000;

/**
 * Small batches keep the job Running long enough to kill it; a short lease
 * lets PostgreSQL (where other workers may still live) take over soon.
 */
const env = {
  DEVICE_API_BATCH_SIZE: '10',
  DEVICE_API_LEASE_SECONDS: '2',
  DEVICE_API_POLL_MS: '100',
};

describe.each(testDialects())('restart recovery on %s', (dialect) => {
  let config: Config;
  let token: string;
  let restarted: ServeProcess;
  /** The job that was Running, and the one still Pending, at the kill. */
  let running: string;
  let pending: string;
  let atKill: { running: any; pending: any };

  beforeAll(async () => {
    config = testConfig(await createTestDatabase(dialect));
    await loadDemoFleet(config, { devices: String(devices) });
    token = await createToken(config, 'recovery');

    // One worker runs one job at a time: the second job waits.
    const first = await startServe(config.database, { env });
    running = await request(first.base, token, 'RequestAllInfos');
    pending = await request(first.base, token, 'RequestSecurityInfo');
    await waitForStatus(first.base, token, running, midway, 10);
    await first.crash();
    atKill = { running: await jobRow(running), pending: await jobRow(pending) };

    restarted = await startServe(config.database, { env });
  });
  afterAll(() => crashAllServes());

  it('the kill leaves one job Running mid-way and one Pending', () => {
    expect(atKill.running).toMatchObject({ Status: 2, Attempts: 1 });
    expect(atKill.running.DevicesDone).toBeGreaterThan(0);
    expect(atKill.running.DevicesDone).toBeLessThan(devices);
    expect(atKill.pending).toMatchObject({ Status: 1, Attempts: 0 });
  });

  it('the job Running at the kill is run again and ends Success', async () => {
    const done = await waitForStatus(restarted.base, token, running, finished);

    expect(done).toMatchObject({ Status: 3, TotalCount: devices });
    expect(await jobRow(running)).toMatchObject({ Attempts: 2 });
  });

  it('the rerun job has every device once, in order, and nothing more', async () => {
    await waitForStatus(restarted.base, token, running, finished);

    const results = await allResults(restarted.base, token, running, 1000);
    const ids = results.map((r) => r.Computer_Idn as number);

    expect(ids).toHaveLength(devices);
    expect(new Set(ids).size).toBe(devices);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await storedResults(running)).toBe(devices);
  });

  it('the job Pending at the kill runs after the restart', async () => {
    const done = await waitForStatus(restarted.base, token, pending, finished);

    expect(done).toMatchObject({ Status: 3, TotalCount: devices });
  });

  it('a job whose worker died on its last attempt ends Failure with the reason', async () => {
    // The row as a worker killed during its third (last) attempt leaves it.
    const JobId = await insertDeadJob(config.maxAttempts);

    const done = await waitForStatus(restarted.base, token, JobId, finished);
    const data = await post(restarted.base, 'GetJobData', token, {
      Guid: JobId,
    });

    expect(done.Status).toBe(4);
    expect(done.StatusDetails).toContain('interrupted 3 times');
    expect(data.status).toBe(409);
    expect(data.body.code).toBe('job_failed');
  });

  async function jobRow(JobId: string) {
    return withDatabase(config.database, (db) =>
      db
        .selectFrom('Job')
        .select(['Status', 'Attempts', 'DevicesDone'])
        .where('JobId', '=', JobId)
        .executeTakeFirstOrThrow(),
    );
  }

  async function storedResults(JobId: string): Promise<number> {
    const row = await withDatabase(config.database, (db) =>
      db
        .selectFrom('JobResult')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('JobId', '=', JobId)
        .executeTakeFirstOrThrow(),
    );
    return Number(row.n);
  }

  async function insertDeadJob(Attempts: number): Promise<string> {
    const JobId = '0badc0de-0000-4000-8000-000000000001';
    await withDatabase(config.database, async (db) => {
      const owner = await db
        .selectFrom('ApiToken')
        .select('Token_Idn')
        .where('Name', '=', 'recovery')
        .executeTakeFirstOrThrow();
      const now = Date.now();
      await db
        .insertInto('Job')
        .values({
          JobId,
          Token_Idn: owner.Token_Idn,
          Method: 'RequestEpmInventory',
          Request: JSON.stringify({
            Hostnames: [],
            SerialNumbers: [],
            Computer_Idns: [10],
            LastSyncDate: null,
          }),
          RequestHash: 'dead-worker',
          IdempotencyKey: null,
          Status: 2,
          StatusDetails: 'Collecting 0 of 1 devices',
          DevicesDone: 0,
          Attempts,
          LeaseOwner: 'gone-host:4242:0:dead',
          LeaseExpiresAt: now - 1000,
          CreatedAt: now - 10_000,
          StartedAt: now - 9_000,
        })
        .execute();
    });
    return JobId;
  }
});

const midway = (status: any) => status.Status === 2 && status.DevicesDone > 0;
const finished = (status: any) => status.Status >= 3;

async function request(
  base: string,
  token: string,
  method: string,
): Promise<string> {
  const reply = await post(base, method, token, {});
  expect(reply.status).toBe(200);
  return reply.body.JobId;
}

/** Polls GetJobStatus until `done` holds; fails with the last status. */
async function waitForStatus(
  base: string,
  token: string,
  Guid: string,
  done: (status: any) => boolean,
  everyMs = 50,
): Promise<any> {
  let status: any;
  for (let i = 0; i < 60_000 / everyMs; i++) {
    status = (await post(base, 'GetJobStatus', token, { Guid })).body;
    if (done(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`job ${Guid} stuck at ${JSON.stringify(status)}`);
}
