/**
 * What retrying clients rely on, over raw sockets: Retry-After while a job
 * is not done, the same JobId for the same request within the dedupe window
 * (Power Query repeats POSTs, scripts re-run), and the Idempotency-Key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, JobStore } from '../src/jobs/store.js';
import {
  curl,
  powerQuery,
  ps51,
  ps7,
  pythonRequests,
  type Call,
} from './fixtures/raw/clients.js';
import { crlf, json, jsonUtf8, type Client } from './fixtures/raw/corpus.js';
import { exchange, type RawResponse } from './fixtures/raw/wire.js';
import { testDialects } from './support/dialects.js';
import {
  createToken,
  startTestService,
  type TestService,
} from './support/service.js';

describe.each(testDialects())('retrying clients on %s', (dialect) => {
  let t: TestService;
  let port: number;

  beforeAll(async () => {
    // No worker: jobs stay Pending until a test moves them on.
    t = await startTestService(dialect, { devices: 20, worker: false });
    port = Number(new URL(t.service.url).port);
  });
  afterAll(() => t?.close());

  async function send(
    client: Client,
    call: Partial<Call> & { method: string },
  ): Promise<RawResponse> {
    const request = client({ port }, { auth: `PAT ${t.token}`, ...call });
    const { responses } = await exchange(port, request);
    return responses[0];
  }

  async function jobIdOf(
    client: Client,
    body: string,
    more: Partial<Call> = {},
  ): Promise<string> {
    const reply = await send(client, {
      method: 'RequestSecurityInfo',
      body,
      contentType: json,
      ...more,
    });
    expect(reply.status, reply.body.toString()).toBe(200);
    return JSON.parse(reply.body.toString()).JobId;
  }

  function status(JobId: string): Promise<RawResponse> {
    return send(ps51, {
      method: 'GetJobStatus',
      body: `{"Guid":"${JobId}"}`,
      contentType: jsonUtf8,
    });
  }

  const store = () => new JobStore(t.service.conn.db, t.service.conn.dialect);

  describe('Retry-After', () => {
    it('is 1 second while the job is Pending', async () => {
      const JobId = await jobIdOf(ps7, '{"Hostnames":["pending"]}');

      const reply = await status(JobId);

      expect(JSON.parse(reply.body.toString()).Status).toBe(JobStatus.Pending);
      expect(reply.headers['retry-after']).toBe('1');
    });

    it('is 2 seconds while the job is Running', async () => {
      const JobId = await jobIdOf(ps7, '{"Hostnames":["running"]}');
      await claimUntil(JobId);

      const reply = await status(JobId);

      expect(JSON.parse(reply.body.toString()).Status).toBe(JobStatus.Running);
      expect(reply.headers['retry-after']).toBe('2');
    });

    it('is absent once the job has finished', async () => {
      const JobId = await jobIdOf(ps7, '{"Hostnames":["finished"]}');
      await setJob(JobId, { Status: JobStatus.Success, TotalCount: 0 });

      const reply = await status(JobId);

      expect(JSON.parse(reply.body.toString()).Status).toBe(JobStatus.Success);
      expect(reply.headers['retry-after']).toBeUndefined();
    });
  });

  /** Claims pending jobs (oldest first) until `JobId` is Running. */
  async function claimUntil(JobId: string): Promise<void> {
    for (let job = await store().claimNext('test', 60_000); job;) {
      if (job.JobId === JobId) return;
      job = await store().claimNext('test', 60_000);
    }
    throw new Error(`job ${JobId} was not pending`);
  }

  async function setJob(
    JobId: string,
    values: {
      Status?: number;
      TotalCount?: number;
      CreatedAt?: number;
      FinishedAt?: number;
    },
  ): Promise<void> {
    await t.service.conn.db
      .updateTable('Job')
      .set(values)
      .where('JobId', '=', JobId)
      .execute();
  }

  describe('the same request within the dedupe window', () => {
    const same = '{"Hostnames":["WIN10-TEST2"],"LastSyncDate":"2025-07-30"}';

    it('gets the same JobId from every client spelling it', async () => {
      const first = await jobIdOf(pythonRequests, same);

      const again = [
        await jobIdOf(ps7, same),
        await jobIdOf(curl, same.replace('Hostnames', 'hostnames')),
        await jobIdOf(
          powerQuery,
          '{"Hostnames":"WIN10-TEST2",' +
            '"LastSyncDate":"2025-07-30T00:00:00Z"}',
        ),
        await jobIdOf(
          ps51,
          crlf(
            '{',
            '    "Hostnames":  "WIN10-TEST2",',
            '    "LastSyncDate":  "\\/Date(1753833600000)\\/"',
            '}',
          ),
          { contentType: jsonUtf8 },
        ),
      ];

      expect(again).toEqual([first, first, first, first]);
    });

    it('gets a new JobId for other filters or another method', async () => {
      const first = await jobIdOf(ps7, same);
      const other = await jobIdOf(ps7, '{"Hostnames":["WIN10-TEST3"]}');
      const method = await send(ps7, {
        method: 'RequestEpmInventory',
        body: same,
        contentType: json,
      });

      expect(other).not.toBe(first);
      expect(JSON.parse(method.body.toString()).JobId).not.toBe(first);
    });

    it('gets a new JobId when sent by another token', async () => {
      const first = await jobIdOf(ps7, same);
      const other = await createToken(t.config, 'dedupe-other');

      const reply = await send(ps7, {
        method: 'RequestSecurityInfo',
        auth: `PAT ${other}`,
        body: same,
        contentType: json,
      });

      expect(JSON.parse(reply.body.toString()).JobId).not.toBe(first);
    });

    it('gets a new JobId once the window has passed', async () => {
      const body = '{"Hostnames":["window"]}';
      const first = await jobIdOf(ps7, body);
      const past = Date.now() - t.config.dedupeWindowSeconds * 1000 - 1000;
      await setJob(first, {
        Status: JobStatus.Success,
        CreatedAt: past,
        FinishedAt: past,
      });

      expect(await jobIdOf(ps7, body)).not.toBe(first);
    });

    it('gets the same JobId while the earlier job still runs', async () => {
      const body = '{"Hostnames":["long-running"]}';
      const first = await jobIdOf(ps7, body);
      const past = Date.now() - t.config.dedupeWindowSeconds * 1000 - 1000;
      await setJob(first, { Status: JobStatus.Running, CreatedAt: past });

      expect(await jobIdOf(ps7, body)).toBe(first);
    });

    it('gets a new JobId when the earlier job failed', async () => {
      const body = '{"Hostnames":["failed"]}';
      const first = await jobIdOf(ps7, body);
      await setJob(first, { Status: JobStatus.Failure });

      expect(await jobIdOf(ps7, body)).not.toBe(first);
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the job of the key even after the window', async () => {
      const key = ['Idempotency-Key: nightly-2025-07-30'];
      const first = await jobIdOf(ps7, '{"Hostnames":["key"]}', {
        headers: key,
      });
      const windowMs = t.config.dedupeWindowSeconds * 1000;
      await setJob(first, { CreatedAt: Date.now() - windowMs - 1000 });

      const again = await jobIdOf(ps7, '{"Hostnames":["key"]}', {
        headers: key,
      });

      expect(again).toBe(first);
    });

    it('starts a new job for a new key', async () => {
      const body = '{"Hostnames":["keys"]}';
      const first = await jobIdOf(ps7, body, {
        headers: ['Idempotency-Key: run-1'],
      });

      const second = await jobIdOf(ps7, body, {
        headers: ['Idempotency-Key: run-2'],
      });

      expect(second).not.toBe(first);
    });

    it('refuses the same key for a different request with 422', async () => {
      const key = ['Idempotency-Key: reused-key'];
      await jobIdOf(ps7, '{"Hostnames":["first"]}', { headers: key });

      const reply = await send(ps7, {
        method: 'RequestSecurityInfo',
        body: '{"Hostnames":["second"]}',
        contentType: json,
        headers: key,
      });

      expect(reply.status).toBe(422);
      expect(JSON.parse(reply.body.toString()).code).toBe(
        'idempotency_key_reused',
      );
    });

    it('longer than 200 characters is 400 invalid_request', async () => {
      const reply = await send(ps7, {
        method: 'RequestSecurityInfo',
        body: '{}',
        contentType: json,
        headers: [`Idempotency-Key: ${'k'.repeat(201)}`],
      });

      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body.toString()).code).toBe('invalid_request');
    });
  });
});
