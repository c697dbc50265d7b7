/**
 * GetJobData paging: defaults, the documented maximum, the edges, and pages
 * that together are one consistent, ordered snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './support/dialects.js';
import {
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

/** More devices than the largest page, so a full maximum page exists. */
const devices = 1050;

describe.each(testDialects())('GetJobData paging on %s', (dialect) => {
  let t: TestService;
  let JobId: string;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices });
    ({ JobId } = await runJob(t.base, t.token, 'RequestEpmInventory', {}));
  });
  afterAll(() => t?.close());

  const page = (body: Record<string, unknown>) =>
    post(t.base, 'GetJobData', t.token, { Guid: JobId, ...body });
  const idsOf = (reply: { body: any }) =>
    reply.body.Results.map((r: any) => r.Computer_Idn as number);

  it('Page defaults to 1 and PageSize to 100', async () => {
    const reply = await page({});

    expect(reply.status).toBe(200);
    expect(reply.body.ReturnedCount).toBe(100);
    expect(reply.body.TotalCount).toBe(devices);
    expect(idsOf(reply)).toEqual(range(1, 100));
  });

  it('PageSize 1000, the documented maximum, returns 1000 results', async () => {
    expect(t.config.maxPageSize).toBe(1000);

    const reply = await page({ Page: 1, PageSize: 1000 });

    expect(reply.status).toBe(200);
    expect(reply.body.ReturnedCount).toBe(1000);
    expect(reply.body.Results).toHaveLength(1000);
  });

  it('PageSize above the maximum is 400 page_out_of_range naming it', async () => {
    const reply = await page({ PageSize: 1001 });

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('page_out_of_range');
    expect(reply.body.detail).toContain('1000');
    expect(reply.body.maxPageSize).toBe(1000);
  });

  it.each([
    ['Page 0', { Page: 0 }],
    ['a negative Page', { Page: -1 }],
    ['PageSize 0', { PageSize: 0 }],
    ['a fractional PageSize', { PageSize: 2.5 }],
    ['a Page that is not a number', { Page: 'two' }],
  ])('%s is 400 page_out_of_range', async (_name, body) => {
    const reply = await page(body);

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('page_out_of_range');
  });

  it('Page and PageSize may be sent as numeric strings', async () => {
    const reply = await page({ Page: '2', PageSize: '10' });

    expect(reply.status).toBe(200);
    expect(idsOf(reply)).toEqual(range(11, 20));
  });

  it('the last page returns the remainder', async () => {
    const reply = await page({ Page: 11, PageSize: 100 });

    expect(reply.body.ReturnedCount).toBe(50);
    expect(idsOf(reply)).toEqual(range(1001, 1050));
  });

  it('a page past the end has no Results but the right TotalCount', async () => {
    const reply = await page({ Page: 12, PageSize: 100 });

    expect(reply.status).toBe(200);
    expect(reply.body).toStrictEqual({
      ReturnedCount: 0,
      TotalCount: devices,
      Results: [],
      DevicesNotFound: [],
    });
  });

  it.each([
    ['Page 2^31', { Page: 2 ** 31, PageSize: 1 }],
    ['Page 10^7 of 1000', { Page: 10_000_000, PageSize: 1000 }],
    ['the largest Page', { Page: 999_999_999_999_999, PageSize: 1000 }],
  ])('%s is an empty page past the end, not an error', async (_n, body) => {
    const reply = await page(body);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ReturnedCount: 0, TotalCount: devices });
  });

  it('pages are disjoint, in Computer_Idn order, and add up to TotalCount', async () => {
    const PageSize = 97;
    const seen: number[] = [];
    for (let Page = 1; Page <= Math.ceil(devices / PageSize); Page++) {
      const reply = await page({ Page, PageSize });
      expect(reply.body.TotalCount).toBe(devices);
      expect(reply.body.ReturnedCount).toBe(reply.body.Results.length);
      seen.push(...idsOf(reply));
    }

    expect(seen).toHaveLength(devices);
    expect(new Set(seen).size).toBe(devices);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
