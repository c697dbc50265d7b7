/**
 * Page sizes: ConvertFrom-Json of Windows PowerShell 5.1 refuses JSON over
 * 2 MB (its JavaScriptSerializer limit), so the pages of a RequestAllInfos
 * over the demo fleet (stale devices carry up to 160 detections) must stay
 * well below at the default PageSize, and at PageSize 50 even in the worst
 * case of a page of only the biggest devices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ps51 } from './fixtures/raw/clients.js';
import { jsonUtf8 } from './fixtures/raw/corpus.js';
import { exchange } from './fixtures/raw/wire.js';
import { testDialects } from './support/dialects.js';
import {
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const limit = 2 * 1024 * 1024;

describe.each(testDialects())('page sizes on %s', (dialect) => {
  let t: TestService;
  let JobId: string;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 300 });
    ({ JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {}));
  });
  afterAll(() => t?.close());

  it('every page of 100 devices is under a quarter of the limit', async () => {
    const port = Number(new URL(t.service.url).port);
    const sizes: number[] = [];

    for (let Page = 1; ; Page++) {
      const body = `{"Guid":"${JobId}","Page":${Page},"PageSize":100}`;
      const request = ps51(
        { port },
        {
          method: 'GetJobData',
          auth: `PAT ${t.token}`,
          body,
          contentType: jsonUtf8,
        },
      );
      const [reply] = (await exchange(port, request)).responses;
      const page = JSON.parse(reply.body.toString());
      if (page.ReturnedCount === 0) break;
      sizes.push(reply.body.length);
    }

    expect(sizes).toHaveLength(3);
    expect(Math.max(...sizes)).toBeLessThan(limit / 4);
  });

  it('one device is at most 40 KB, so 50 of any kind fit in 2 MB', async () => {
    const rows = await t.service.conn.db
      .selectFrom('JobResult')
      .select('Data')
      .where('JobId', '=', JobId)
      .execute();
    const sizes = rows.map((row) => Buffer.byteLength(row.Data));

    expect(rows).toHaveLength(300);
    expect(Math.max(...sizes)).toBeLessThan(limit / 50);
  });
});
