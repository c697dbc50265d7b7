/**
 * Which devices a Request* selects: Hostnames, SerialNumbers and
 * Computer_Idns, their union, "none means all", and DevicesNotFound.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.js';
import { testDialects } from './support/dialects.js';
import { allDeviceIds, rows, withDatabase } from './support/inventory.js';
import {
  allResults,
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const exampleSerial = 'VMware-56 4d 78 db e0 23 67 d9-8b 85 07 b3 ba d9 4a 1f';

/** Two devices of our own whose name and serial differ only in case. */
const twins = [
  { Computer_Idn: 9001, DeviceName: 'Kiosk-Lobby', SerialNum: 'ab-123-xy' },
  { Computer_Idn: 9002, DeviceName: 'KIOSK-LOBBY', SerialNum: 'AB-123-XY' },
];

/** A name and serial with letters beyond ASCII, stored in upper case. */
const umlauts = {
  Computer_Idn: 9003,
  DeviceName: 'MÜNCHEN-WS01',
  SerialNum: 'ÄÖ-4711_X%',
};

interface Duplicate {
  key: string;
  ids: number[];
}

describe.each(testDialects())('device filters on %s', (dialect) => {
  let t: TestService;
  let everyDevice: number[];
  let sharedName: Duplicate;
  let sharedSerial: Duplicate;
  let serialOf20: string;

  beforeAll(async () => {
    t = await startTestService(dialect);
    await withDatabase(t.config.database, async (db) => {
      for (const twin of [...twins, umlauts]) {
        const { SerialNum, ...computer } = twin;
        await db.insertInto('Computer').values(computer).execute();
        await db
          .insertInto('CompSystem')
          .values({ Computer_Idn: twin.Computer_Idn, SerialNum })
          .execute();
      }
      everyDevice = await allDeviceIds(db);
      sharedName = await firstDuplicate(db, 'Computer', 'DeviceName');
      sharedSerial = await firstDuplicate(db, 'CompSystem', 'SerialNum');
      const row = await db
        .selectFrom('CompSystem')
        .select('SerialNum')
        .where('Computer_Idn', '=', 20)
        .executeTakeFirstOrThrow();
      serialOf20 = row.SerialNum!;
    });
  });
  afterAll(() => t?.close());

  /** Runs a RequestEpmInventory job; its ids and DevicesNotFound. */
  async function select(body: unknown) {
    const { JobId } = await runJob(
      t.base,
      t.token,
      'RequestEpmInventory',
      body,
    );
    const first = await post(t.base, 'GetJobData', t.token, { Guid: JobId });
    const results = await allResults(t.base, t.token, JobId, 1000);
    return {
      ids: results.map((r) => r.Computer_Idn as number),
      TotalCount: first.body.TotalCount as number,
      DevicesNotFound: first.body.DevicesNotFound as string[],
    };
  }

  it('a Hostname matches whatever its letter case', async () => {
    const reply = await select({ Hostnames: ['win10-TEST2'] });

    expect(reply.ids).toEqual([10]);
    expect(reply.DevicesNotFound).toEqual([]);
  });

  it('a Hostname that names several devices returns all of them', async () => {
    expect(sharedName.ids.length).toBeGreaterThan(1);

    const reply = await select({ Hostnames: [sharedName.key.toUpperCase()] });

    expect(reply.ids).toEqual(sharedName.ids);
  });

  it('names that differ only in letter case count as the same name', async () => {
    const reply = await select({ Hostnames: ['kiosk-lobby'] });

    expect(reply.ids).toEqual([9001, 9002]);
  });

  it.each(['MÜNCHEN-WS01', 'münchen-ws01', 'München-WS01'])(
    'a Hostname with letters beyond ASCII matches as %s',
    async (spelled) => {
      const reply = await select({ Hostnames: [spelled] });

      expect(reply.ids).toEqual([9003]);
      expect(reply.DevicesNotFound).toEqual([]);
    },
  );

  it('a SerialNumber with letters beyond ASCII matches in any case', async () => {
    const reply = await select({ SerialNumbers: ['äö-4711_x%'] });

    expect(reply.ids).toEqual([9003]);
  });

  it('_ and % in an identifier are plain characters, not wildcards', async () => {
    const reply = await select({
      Hostnames: ['M_NCHEN-WS01', 'MÜNCHEN%'],
      SerialNumbers: ['ÄÖ-4711_%%'],
    });

    expect(reply.ids).toEqual([]);
    expect(reply.DevicesNotFound).toHaveLength(3);
  });

  it('a SerialNumber matches whatever its letter case', async () => {
    const reply = await select({
      SerialNumbers: [exampleSerial.toUpperCase()],
    });

    expect(reply.ids).toEqual([10]);
  });

  it('a SerialNumber on several devices returns all of them', async () => {
    expect(sharedSerial.ids.length).toBeGreaterThan(1);

    const reply = await select({ SerialNumbers: [sharedSerial.key] });

    expect(reply.ids).toEqual(sharedSerial.ids);
  });

  it('serials that differ only in letter case count as the same serial', async () => {
    const reply = await select({ SerialNumbers: ['Ab-123-xY'] });

    expect(reply.ids).toEqual([9001, 9002]);
  });

  it('Computer_Idns select devices by their id', async () => {
    const reply = await select({ Computer_Idns: [30, 10, 20] });

    expect(reply.ids).toEqual([10, 20, 30]);
  });

  it('a bare value where a list is expected counts as a list of one', async () => {
    const reply = await select({ Hostnames: 'WIN10-TEST2', Computer_Idns: 20 });

    expect(reply.ids).toEqual([10, 20]);
  });

  it('the identifier lists combine as a union, each device once', async () => {
    const reply = await select({
      Hostnames: ['WIN10-TEST2'],
      SerialNumbers: [serialOf20, exampleSerial],
      Computer_Idns: [30, 10],
    });

    expect(reply.ids).toEqual([10, 20, 30]);
    expect(reply.TotalCount).toBe(3);
  });

  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['empty lists', { Hostnames: [], SerialNumbers: [], Computer_Idns: [] }],
    ['null lists', { Hostnames: null, SerialNumbers: null }],
  ])('%s selects every device', async (_name, body) => {
    const reply = await select(body);

    expect(reply.TotalCount).toBe(everyDevice.length);
    expect(reply.ids).toEqual(everyDevice);
    expect(reply.DevicesNotFound).toEqual([]);
  });

  it('DevicesNotFound lists each unmatched identifier as the caller spelled it', async () => {
    const reply = await select({
      Hostnames: ['No-Such-PC', 'WIN10-test2', 'no-such-pc'],
      SerialNumbers: ['Serial-XyZ-404'],
      Computer_Idns: [999999, 20],
    });

    expect(reply.ids).toEqual([10, 20]);
    expect([...reply.DevicesNotFound].sort()).toEqual(
      ['No-Such-PC', 'no-such-pc', 'Serial-XyZ-404', '999999'].sort(),
    );
  });

  it('a device left out by LastSyncDate is not in DevicesNotFound', async () => {
    // WIN10-TEST2's newest data is from 2025-08-06.
    const { JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {
      Hostnames: ['WIN10-TEST2', 'Windows7-DN54'],
      LastSyncDate: '2025-08-07T00:00:00Z',
    });
    const reply = await post(t.base, 'GetJobData', t.token, { Guid: JobId });

    expect(reply.body).toMatchObject({
      ReturnedCount: 0,
      TotalCount: 0,
      Results: [],
      DevicesNotFound: ['Windows7-DN54'],
    });
  });
});

/** The first value (lower-cased) that several devices share, with its ids. */
async function firstDuplicate(
  db: Kysely<DB>,
  table: 'Computer' | 'CompSystem',
  column: 'DeviceName' | 'SerialNum',
): Promise<Duplicate> {
  const found = await rows<{ key: string; id: number }>(
    db,
    sql`SELECT lower(${sql.ref(column)}) AS key, "Computer_Idn" AS id
      FROM ${sql.table(table)} WHERE lower(${sql.ref(column)}) = (
        SELECT lower(${sql.ref(column)}) FROM ${sql.table(table)}
        WHERE "Computer_Idn" < 9000
        GROUP BY lower(${sql.ref(column)}) HAVING count(*) > 1
        ORDER BY 1 LIMIT 1)
      ORDER BY "Computer_Idn"`,
  );
  return { key: found[0]?.key ?? '', ids: found.map((row) => row.id) };
}
