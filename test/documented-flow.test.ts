import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './support/dialects.js';
import {
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const example = JSON.parse(
  readFileSync(
    new URL('./fixtures/jobdata-example.json', import.meta.url),
    'utf8',
  ),
);

describe.each(testDialects())('the documented flow on %s', (dialect) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(dialect);
  });
  afterAll(() => t?.close());

  it('reproduces the documented GetJobData example exactly', async () => {
    const { JobId, status } = await runJob(t.base, t.token, 'RequestAllInfos', {
      Hostnames: ['WIN10-Test2', 'Windows7-DN54'],
      LastSyncDate: '2025-07-30T00:00:00Z',
    });
    expect(status.Status).toBe(3);

    const page = await post(t.base, 'GetJobData', t.token, { Guid: JobId });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe(
      'application/json; charset=utf-8',
    );
    expect(page.body).toStrictEqual(example);
  });
});
