/** The client against the real service on loopback, on both databases. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeviceApiClient,
  DeviceApiError,
  type DeviceResult,
} from '../src/client/index.js';
import { testDialects } from './support/dialects.js';
import { startTestService, type TestService } from './support/service.js';

const example = JSON.parse(
  readFileSync(
    new URL('./fixtures/jobdata-example.json', import.meta.url),
    'utf8',
  ),
);

describe.each(testDialects())('client against the service on %s', (dialect) => {
  let t: TestService;
  let client: DeviceApiClient;
  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 300 });
    client = new DeviceApiClient({ url: t.service.url, token: t.token });
  });
  afterAll(() => t?.close());

  it('exports every device once, page by page', async () => {
    const ids: number[] = [];
    let total = -1;
    for await (const page of client.export({
      method: 'RequestEpmInventory',
      pageSize: 64,
    })) {
      ids.push(...page.Results.map((r) => r.Computer_Idn));
      total = page.TotalCount;
      expect(page.job.Watermark).toMatch(/Z$/);
    }

    expect(total).toBe(300);
    expect(new Set(ids).size).toBe(300);
  });

  it('reproduces the documented example with the typed methods', async () => {
    const { JobId } = await client.requestAllInfos({
      Hostnames: ['WIN10-Test2', 'Windows7-DN54'],
      LastSyncDate: new Date('2025-07-30T00:00:00Z'),
    });
    const status = await client.waitForJob(JobId, { pollMs: 50 });
    const page = await client.getJobData({ Guid: JobId });

    expect(status.Status).toBe(3);
    expect(page).toStrictEqual(example);
  });

  it('returns the same JobId for a retried request with the same key', async () => {
    const first = await client.requestSecurityInfo(
      {},
      { idempotencyKey: 'k-1' },
    );
    const again = await client.requestSecurityInfo(
      {},
      { idempotencyKey: 'k-1' },
    );
    expect(again.JobId).toBe(first.JobId);
  });

  it('raises a DeviceApiError with the problem code for a bad token', async () => {
    const wrong = new DeviceApiClient({ url: t.base, token: 'not-a-token' });
    const error = await wrong.requestAllInfos().catch((e) => e);

    expect(error).toBeInstanceOf(DeviceApiError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('token_invalid');
  });

  it('types the results as the API spells them', async () => {
    const results: DeviceResult[] = [];
    for await (const page of client.export({ Computer_Idns: [10] })) {
      results.push(...page.Results);
    }
    expect(results[0].EpmInventory?.Scopes[0].ScopeName).toBe(
      'All Win Devices',
    );
  });
});
