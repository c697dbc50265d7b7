/**
 * The seven documented methods: what each Request* starts, what
 * GetJobStatus and GetJobData answer, and which sections a result carries.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.js';
import { testDialects } from './support/dialects.js';
import { rows, withDatabase } from './support/inventory.js';
import {
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const sections = [
  'CustomInventory',
  'EpmInventory',
  'SecurityInfo',
  'DatabaseViews',
] as const;

const requestMethods: [string, readonly string[]][] = [
  ['RequestEpmInventory', ['EpmInventory']],
  ['RequestCustomInventory', ['CustomInventory']],
  ['RequestSecurityInfo', ['SecurityInfo']],
  ['RequestDatabaseViews', ['DatabaseViews']],
  ['RequestAllInfos', sections],
];

describe.each(testDialects())('the Device API methods on %s', (dialect) => {
  let t: TestService;
  /** A server with rows in both demo views (Warranty, ServerOwners). */
  let server: number;
  let serverDetections: number;
  let serverCustomValues: number;

  beforeAll(async () => {
    t = await startTestService(dialect);
    await withDatabase(t.config.database, async (db) => {
      const [row] = await rows<{ id: number }>(
        db,
        sql`SELECT min(c."Computer_Idn") AS id FROM "Computer" c
          JOIN "DeviceWarranty" w ON w."Computer_Idn" = c."Computer_Idn"
          WHERE c."Type" = 'Server'`,
      );
      server = row.id;
      serverDetections = await countOf(db, 'CVDetected', server);
      serverCustomValues = await countOf(db, 'CustomInventoryValue', server);
    });
  });
  afterAll(() => t?.close());

  it.each(requestMethods)('%s replies with only a JobId GUID', async (m) => {
    const reply = await post(t.base, m, t.token, { Computer_Idns: [10] });

    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(['JobId']);
    expect(reply.body.JobId).toMatch(guid);
  });

  it.each(requestMethods)(
    '%s results carry only the requested sections, the others are null',
    async (method, wanted) => {
      const { JobId } = await runJob(t.base, t.token, method, {
        Computer_Idns: [10, server],
      });
      const page = await post(t.base, 'GetJobData', t.token, { Guid: JobId });

      expect(page.body.Results.map((r: any) => r.Computer_Idn)).toEqual(
        [10, server].sort((a, b) => a - b),
      );
      for (const result of page.body.Results) {
        for (const section of sections) {
          if (wanted.includes(section)) expect(result[section]).not.toBeNull();
          else expect(result[section]).toBeNull();
        }
      }
    },
  );

  it('GetJobStatus of a finished job answers Status and StatusDetails first', async () => {
    const { JobId } = await runJob(t.base, t.token, 'RequestEpmInventory', {
      Computer_Idns: [10, server],
    });
    const reply = await post(t.base, 'GetJobStatus', t.token, { Guid: JobId });

    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).slice(0, 2)).toEqual([
      'Status',
      'StatusDetails',
    ]);
    expect(reply.body).toMatchObject({
      Status: 3,
      StatusText: 'Success',
      StatusDetails: 'Completed: 2 devices',
      JobId,
      Method: 'RequestEpmInventory',
      DevicesDone: 2,
      DevicesTotal: 2,
      TotalCount: 2,
    });
  });

  it('GetJobData answers ReturnedCount, TotalCount, Results and DevicesNotFound', async () => {
    const { JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {
      Computer_Idns: [server],
      Hostnames: ['NO-SUCH-PC'],
    });
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });

    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual([
      'ReturnedCount',
      'TotalCount',
      'Results',
      'DevicesNotFound',
    ]);
    expect(reply.body).toMatchObject({
      ReturnedCount: 1,
      TotalCount: 1,
      DevicesNotFound: ['NO-SUCH-PC'],
    });
    expect(Object.keys(reply.body.Results[0])).toEqual([
      'Computer_Idn',
      'SerialNumber',
      'DeviceId',
      'DeviceName',
      'DisplayName',
      ...sections,
    ]);
  });

  it('a RequestAllInfos result holds every row of the device in each section', async () => {
    const { JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {
      Computer_Idns: [server],
    });
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });
    const result = reply.body.Results[0];

    expect(result.EpmInventory.Computer_Idn).toBe(server);
    expect(result.EpmInventory.Scopes.length).toBeGreaterThan(0);
    expect(result.SecurityInfo).toHaveLength(serverDetections);
    expect(Object.keys(result.CustomInventory)).toHaveLength(
      serverCustomValues + 1,
    );
    expect(result.CustomInventory.UpdatedAt).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/,
    );
    expect(Object.keys(result.DatabaseViews).sort()).toEqual([
      'ServerOwners',
      'Warranty',
    ]);
  });

  it('a requested section is empty, not null, for a device without data in it', async () => {
    await withDatabase(t.config.database, (db) =>
      db
        .insertInto('Computer')
        .values({ Computer_Idn: 9100, DeviceName: 'BARE-DEVICE' })
        .execute(),
    );

    const { JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {
      Computer_Idns: [9100],
    });
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });
    const result = reply.body.Results[0];

    expect(result.CustomInventory).toStrictEqual({ UpdatedAt: null });
    expect(result.SecurityInfo).toStrictEqual([]);
    expect(result.DatabaseViews).toStrictEqual({});
    expect(result.EpmInventory).toMatchObject({
      Computer_Idn: 9100,
      DeviceName: 'BARE-DEVICE',
      SerialNum: null,
      Scopes: [],
    });
  });

  it('a view without rows for a device is left out of its DatabaseViews', async () => {
    const { JobId } = await runJob(t.base, t.token, 'RequestDatabaseViews', {
      Computer_Idns: [10],
    });
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });

    expect(reply.body.Results[0].DatabaseViews).toStrictEqual({});
  });
});

async function countOf(
  db: Kysely<DB>,
  table: 'CVDetected' | 'CustomInventoryValue',
  Computer_Idn: number,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('Computer_Idn', '=', Computer_Idn)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
