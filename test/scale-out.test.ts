/**
 * Scale-out on PostgreSQL with real processes: one API process
 * (`serve --no-worker`) and three `worker` processes share 200 jobs. The
 * workers poll only every ten minutes here, so every job they pick up
 * promptly was announced by NOTIFY.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import { connect, type Connection } from '../src/db/connect.js';
import type { DB } from '../src/db/schema.js';
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
  type WorkerProcess,
} from './support/workers.js';

const methods = [
  'RequestEpmInventory',
  'RequestCustomInventory',
  'RequestSecurityInfo',
  'RequestDatabaseViews',
  'RequestAllInfos',
];

const workerEnv = { DEVICE_API_POLL_MS: '600000' };

const onPostgres = testDialects().includes('postgres');

describe.runIf(onPostgres)('scale-out on PostgreSQL', () => {
  let database: string;
  let conn: Connection;
  let api: ServeProcess;
  let token: string;
  let workers: WorkerProcess[];
  let deviceIds: Set<number>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const config = testConfig(database);
    await loadDemoFleet(config, { devices: '200' });
    token = await createToken(config, 'scale-out');
    conn = connect(database);
    deviceIds = new Set(await allDeviceIds(conn.db));

    api = await startServe(database, { args: ['--no-worker'] });
    workers = await Promise.all(
      [1, 2, 3].map(() => startWorker(database, workerEnv)),
    );
  });

  afterAll(async () => {
    await killAllWorkers();
    await crashAllServes();
    await conn?.close();
  });

  it('runs 200 jobs on 3 workers: each succeeds exactly once, complete', async () => {
    // Step 1: 200 different requests through the API process.
    const expected = new Map<string, number | null>();
    for (let i = 0; i < 200; i += 20) {
      const batch = Array.from({ length: 20 }, (_, k) => requestOf(i + k));
      const started = await Promise.all(
        batch.map((r) => post(api.base, r.method, token, r.body)),
      );
      started.forEach((reply, k) => {
        expect(reply.status).toBe(200);
        expected.set(reply.body.JobId, expectedCount(batch[k], deviceIds));
      });
    }
    expect(expected.size).toBe(200);

    // Step 2: wait until none is pending or running.
    const jobs = await waitFor('all jobs to finish', async () => {
      const all = await jobRows(conn.db);
      return all.every((j) => j.Status >= 3) ? all : undefined;
    });

    // Step 3: every job succeeded with exactly its devices, once each.
    const shapes = new Map(
      (await resultShapes(conn.db)).map((s) => [s.JobId, s]),
    );
    for (const job of jobs) {
      expect(job.Status, job.StatusDetails).toBe(3);
      const count = job.TotalCount!;
      if (expected.get(job.JobId) !== null) {
        expect(count).toBe(expected.get(job.JobId));
      }
      const shape = shapes.get(job.JobId);
      if (count === 0) {
        expect(shape).toBeUndefined();
        continue;
      }
      expect(shape).toStrictEqual({
        JobId: job.JobId,
        rows: count,
        firstSeq: 1,
        lastSeq: count,
        devices: count,
      });
    }

    // Step 4: each job ran once, and every worker ran some.
    const runs = workers.flatMap((w) =>
      w.logs.filter((l) => l.msg === 'job started').map((l) => l.JobId),
    );
    const successes = workers.flatMap((w) =>
      w.logs.filter((l) => l.msg === 'job succeeded').map((l) => l.JobId),
    );
    expect(runs.sort()).toStrictEqual([...expected.keys()].sort());
    expect(successes.sort()).toStrictEqual([...expected.keys()].sort());
    for (const worker of workers) {
      const mine = worker.logs.filter((l) => l.msg === 'job succeeded');
      expect(mine.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('pages of a job read the same through the API as stored', async () => {
    const reply = await post(api.base, 'RequestAllInfos', token, {
      Computer_Idns: [10, 11, 12, 9999],
    });
    const JobId = reply.body.JobId;
    await waitForSuccess(conn.db, JobId);

    const page = await post(api.base, 'GetJobData', token, {
      Guid: JobId,
      PageSize: 2,
      Page: 2,
    });
    expect(page.body.TotalCount).toBe(3);
    expect(page.body.Results.map((r: any) => r.Computer_Idn)).toStrictEqual([
      12,
    ]);
    expect(page.body.DevicesNotFound).toStrictEqual(['9999']);
  });

  it('workers whose LISTEN connection dropped reconnect and hear new jobs', async () => {
    const listeners = () =>
      rows<{ pid: number }>(
        conn.db,
        sql`SELECT pid FROM pg_stat_activity
          WHERE application_name = 'device-api-listener'
            AND datname = current_database()`,
      );
    const before = await listeners();
    expect(before).toHaveLength(3);

    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = 'device-api-listener'
        AND datname = current_database()`.execute(conn.db);
    await waitFor('the listeners to reconnect', async () => {
      const now = await listeners();
      const fresh = now.filter((n) => !before.some((b) => b.pid === n.pid));
      return fresh.length === 3 ? true : undefined;
    });

    const reply = await post(api.base, 'RequestEpmInventory', token, {
      Computer_Idns: [1, 2, 3],
    });
    await waitForSuccess(conn.db, reply.body.JobId);
  });
});

interface JobRequest {
  method: string;
  body: Record<string, unknown>;
}

/** Request i of 200: different methods, device windows and filters. */
function requestOf(i: number): JobRequest {
  const method = methods[i % methods.length];
  const first = 1 + ((i * 37) % 220);
  const size = i % 10 === 7 ? 240 : 1 + ((i * 13) % 40);
  const body: Record<string, unknown> = {
    Computer_Idns: Array.from({ length: size }, (_, k) => first + k),
    // Unique per request, so no two requests share a job.
    Hostnames: [`none-${i}`],
  };
  if (i % 10 === 9) body.LastSyncDate = '2025-08-01';
  return { method, body };
}

/** Result count a request must give, or null where the data decides. */
function expectedCount(request: JobRequest, deviceIds: Set<number>) {
  if (request.body.LastSyncDate) return null;
  const ids = request.body.Computer_Idns as number[];
  return ids.filter((id) => deviceIds.has(id)).length;
}

async function waitForSuccess(db: Kysely<DB>, JobId: string): Promise<void> {
  const job = await waitFor(`job ${JobId}`, async () => {
    const found = await db
      .selectFrom('Job')
      .select(['Status', 'StatusDetails'])
      .where('JobId', '=', JobId)
      .executeTakeFirst();
    return found && found.Status >= 3 ? found : undefined;
  });
  expect(job.Status, job.StatusDetails).toBe(3);
}
