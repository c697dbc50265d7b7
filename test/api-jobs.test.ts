/**
 * Jobs as a caller sees them: only the requesting token sees a job, Guids
 * are checked, and GetJobData explains why a job has no data (yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './support/dialects.js';
import { withDatabase } from './support/inventory.js';
import {
  createToken,
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

describe.each(testDialects())('jobs on %s', (dialect) => {
  let t: TestService;
  let other: string;
  let JobId: string;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 20 });
    other = await createToken(t.config, 'other');
    ({ JobId } = await runJob(t.base, t.token, 'RequestEpmInventory', {
      Computer_Idns: [10],
    }));
  });
  afterAll(() => t?.close());

  it.each(['GetJobStatus', 'GetJobData'])(
    "%s of another token's job is 404 job_not_found",
    async (method) => {
      const reply = await post(t.base, method, other, { Guid: JobId });

      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('job_not_found');
    },
  );

  it('an identical request of another token starts its own job', async () => {
    const mine = await post(t.base, 'RequestEpmInventory', t.token, {
      Computer_Idns: [10],
    });
    const theirs = await post(t.base, 'RequestEpmInventory', other, {
      Computer_Idns: [10],
    });

    expect(mine.body.JobId).toBe(JobId);
    expect(theirs.body.JobId).not.toBe(JobId);
  });

  it.each(['GetJobStatus', 'GetJobData'])(
    '%s of an unknown Guid is 404 job_not_found',
    async (method) => {
      const reply = await post(t.base, method, t.token, {
        Guid: '00000000-0000-4000-8000-000000000000',
      });

      expect(reply.status).toBe(404);
      expect(reply.body.code).toBe('job_not_found');
    },
  );

  it.each([
    ['a malformed Guid', { Guid: 'not-a-guid' }],
    ['a Guid that is a number', { Guid: 42 }],
    ['no Guid', {}],
  ])('GetJobStatus with %s is 400 invalid_guid', async (_name, body) => {
    const reply = await post(t.base, 'GetJobStatus', t.token, body);

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('invalid_guid');
  });

  it('GetJobData with a malformed Guid is 400 invalid_guid', async () => {
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: 'x-1' });

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('invalid_guid');
  });

  it('a Guid in upper case or braces names the same job', async () => {
    const spelled = `{${JobId.toUpperCase()}}`;

    const reply = await post(t.base, 'GetJobStatus', t.token, {
      Guid: spelled,
    });

    expect(reply.status).toBe(200);
    expect(reply.body.JobId).toBe(JobId);
  });

  it('a job past its retention is 404 job_not_found', async () => {
    const { JobId: old } = await runJob(
      t.base,
      t.token,
      'RequestEpmInventory',
      {
        Computer_Idns: [11],
      },
    );
    await withDatabase(t.config.database, (db) =>
      db
        .updateTable('Job')
        .set({ ExpiresAt: Date.now() - 1000 })
        .where('JobId', '=', old)
        .execute(),
    );

    const status = await post(t.base, 'GetJobStatus', t.token, { Guid: old });
    const data = await post(t.base, 'GetJobData', t.token, { Guid: old });

    expect(status.status).toBe(404);
    expect(data.status).toBe(404);
    expect(status.body.detail).toContain('hours');
  });

  it('a failed job says why, and GetJobData is 409 job_failed', async () => {
    // A registered view whose table is gone makes view jobs fail.
    await registerView(t, 'Broken', 'NoSuchTable');
    try {
      const { JobId: failed, status } = await runJob(
        t.base,
        t.token,
        'RequestDatabaseViews',
        { Computer_Idns: [10] },
      );
      const data = await post(t.base, 'GetJobData', t.token, { Guid: failed });

      expect(status.Status).toBe(4);
      expect(status.StatusText).toBe('Failure');
      expect(status.StatusDetails).toContain('NoSuchTable');
      expect(data.status).toBe(409);
      expect(data.body.code).toBe('job_failed');
      expect(data.body.detail).toContain('NoSuchTable');
    } finally {
      await removeView(t, 'Broken');
    }
  });
});

describe.each(testDialects())('jobs without a worker on %s', (dialect) => {
  let t: TestService;
  let JobId: string;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 20, worker: false });
    const reply = await post(t.base, 'RequestAllInfos', t.token, {});
    JobId = reply.body.JobId;
  });
  afterAll(() => t?.close());

  it('a new job is stored as Pending before its JobId is returned', async () => {
    const reply = await post(t.base, 'GetJobStatus', t.token, { Guid: JobId });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      Status: 1,
      StatusText: 'Pending',
      StatusDetails: 'Waiting for a worker',
    });
    expect(reply.headers.get('retry-after')).toBe('1');
  });

  it('GetJobData of an unfinished job is 409 job_not_ready, telling to poll', async () => {
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });

    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('job_not_ready');
    expect(reply.body.detail).toContain('GetJobStatus');
    expect(reply.body.Status).toBe(1);
  });
});

async function registerView(t: TestService, Name: string, SourceName: string) {
  await withDatabase(t.config.database, (db) =>
    db
      .insertInto('DatabaseView')
      .values({
        Name,
        SourceName,
        KeyColumn: 'Computer_Idn',
        ChangeColumn: null,
        CreatedAt: Date.now(),
      })
      .execute(),
  );
}

async function removeView(t: TestService, Name: string) {
  await withDatabase(t.config.database, (db) =>
    db.deleteFrom('DatabaseView').where('Name', '=', Name).execute(),
  );
}
