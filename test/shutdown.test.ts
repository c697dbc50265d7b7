/**
 * Graceful shutdown: on SIGTERM a worker stops claiming, lets its running
 * job finish within the grace period or hands it back to the queue, closes
 * its pools and exits 0. A handed-back job is completed by another worker.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import { connect, type Connection } from '../src/db/connect.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import {
  crashAllServes,
  startServe,
  type ServeProcess,
} from './support/process.js';
import { createToken, post, testConfig } from './support/service.js';
import {
  freezeMidJob as freezeJob,
  killAllWorkers,
  resultShapes,
  startWorker,
  waitFor,
} from './support/workers.js';

/** Small batches, so a job runs long enough to be interrupted. */
const slow = { DEVICE_API_BATCH_SIZE: '2', DEVICE_API_POLL_MS: '200' };
const noGrace = { ...slow, DEVICE_API_SHUTDOWN_GRACE_SECONDS: '0' };
const longGrace = { ...slow, DEVICE_API_SHUTDOWN_GRACE_SECONDS: '60' };

describe.each(testDialects())('graceful shutdown on %s', (dialect) => {
  let database: string;
  let conn: Connection;
  let api: ServeProcess;
  let token: string;
  let requests = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = testConfig(database);
    await loadDemoFleet(config, { devices: '300' });
    token = await createToken(config, 'shutdown');
    conn = connect(database);
    api = await startServe(database, { args: ['--no-worker'] });
  });

  afterAll(async () => {
    await killAllWorkers();
    await crashAllServes();
    await conn?.close();
  });

  /** A job over every device (each request differs, so none is reused). */
  async function requestJob(base = api.base): Promise<string> {
    requests++;
    const reply = await post(base, 'RequestAllInfos', token, {
      Hostnames: [`none-${requests}`],
      Computer_Idns: Array.from({ length: 300 }, (_, i) => i + 1),
    });
    expect(reply.status).toBe(200);
    return reply.body.JobId;
  }

  function jobOf(JobId: string) {
    return conn.db
      .selectFrom('Job')
      .selectAll()
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow();
  }

  function freezeMidJob(child: ChildProcess, base = api.base) {
    return freezeJob(conn.db, child, () => requestJob(base));
  }

  function finished(JobId: string) {
    return waitFor('the job to finish', async () => {
      const job = await jobOf(JobId);
      return job.Status >= 3 ? job : undefined;
    });
  }

  async function expectComplete(JobId: string): Promise<void> {
    const job = await finished(JobId);
    expect(job.Status, job.StatusDetails).toBe(3);
    expect(job.TotalCount).toBe(300);
    const shape = (await resultShapes(conn.db)).find((s) => s.JobId === JobId);
    expect(shape).toMatchObject({ rows: 300, lastSeq: 300, devices: 300 });
  }

  it('hands a running job back when the grace period is over', async () => {
    const first = await startWorker(database, noGrace);
    const JobId = await freezeMidJob(first.child);
    expect((await jobOf(JobId)).LeaseOwner).toMatch(
      new RegExp(`^${first.owner}:`),
    );

    first.child.kill('SIGTERM');
    first.child.kill('SIGCONT');
    expect(await first.exited).toBe(0);
    const handedBack = await jobOf(JobId);
    expect(handedBack).toMatchObject({
      Status: 1,
      LeaseOwner: null,
      Attempts: 0,
    });
    expect(handedBack.StatusDetails).toMatch(/handed back/);
    const messages = first.logs.map((l) => l.msg);
    expect(messages).toContain('job handed back at shutdown');

    const second = await startWorker(database, noGrace);
    await expectComplete(JobId);
    expect(await second.signal('SIGTERM')).toBe(0);
  }, 90_000);

  it('lets a running job finish within the grace period', async () => {
    const worker = await startWorker(database, longGrace);
    const JobId = await freezeMidJob(worker.child);

    worker.child.kill('SIGTERM');
    worker.child.kill('SIGCONT');
    expect(await worker.exited).toBe(0);
    const done = worker.logs.filter((l) => l.msg === 'job succeeded');
    expect(done.map((l) => l.JobId)).toContain(JobId);
    await expectComplete(JobId);
  }, 90_000);

  it('stops `serve` and its worker thread with exit code 0', async () => {
    const serve = await startServe(database, { env: noGrace });
    const JobId = await freezeMidJob(serve.child, serve.base);

    serve.child.kill('SIGTERM');
    serve.child.kill('SIGCONT');
    expect(await exitCode(serve.child)).toBe(0);
    expect((await jobOf(JobId)).Status).toBe(1);

    const again = await startServe(database, { env: noGrace });
    await expectComplete(JobId);
    again.child.kill('SIGTERM');
    expect(await exitCode(again.child)).toBe(0);
  }, 90_000);
});

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', resolve));
}
