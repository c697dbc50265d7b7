import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './support/dialects.js';
import {
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

describe.each(testDialects())('operational endpoints on %s', (dialect) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 50 });
  });
  afterAll(() => t?.close());

  it('reports liveness and database readiness', async () => {
    const live = await fetch(`${t.service.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.service.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', database: dialect });
  });

  it('serves an OpenAPI document with the seven methods', async () => {
    const reply = await fetch(`${t.service.url}/openapi.json`);
    expect(reply.headers.get('content-type')).toBe(
      'application/json; charset=utf-8',
    );
    const doc = (await reply.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).map((p) => p.split('/').pop())).toEqual([
      'RequestEpmInventory',
      'RequestCustomInventory',
      'RequestSecurityInfo',
      'RequestDatabaseViews',
      'RequestAllInfos',
      'GetJobStatus',
      'GetJobData',
    ]);
  });

  it('exposes request and job metrics for Prometheus', async () => {
    await runJob(t.base, t.token, 'RequestEpmInventory', {});
    const text = await (await fetch(`${t.service.url}/metrics`)).text();
    expect(text).toContain('device_api_http_request_duration_seconds_bucket');
    expect(text).toMatch(/device_api_jobs\{status="success"\} 1/);
  });
});
