/**
 * LastSyncDate selects devices, not rows: a device is returned when a
 * column that counts for a requested section changed after LastSyncDate,
 * and then with its complete sections. Each test changes one device
 * directly in the database, later than anything before it.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.js';
import { epmChangeColumns } from '../src/sql/sections.js';
import { toWallTime, trimFraction } from '../src/time.js';
import { testDialects } from './support/dialects.js';
import { rows, withDatabase } from './support/inventory.js';
import {
  allResults,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

/** A core server zone with an offset, so wall time differs from UTC. */
const coreTimeZone = 'Europe/Berlin';

type Section =
  'EpmInventory' | 'CustomInventory' | 'SecurityInfo' | 'DatabaseViews';

const methodOf: Record<Section, string> = {
  EpmInventory: 'RequestEpmInventory',
  CustomInventory: 'RequestCustomInventory',
  SecurityInfo: 'RequestSecurityInfo',
  DatabaseViews: 'RequestDatabaseViews',
};

interface Change {
  name: string;
  section: Section;
  /** Changes `device` as of the instant `at`. */
  apply(db: Kysely<DB>, device: number, at: Date): Promise<void>;
}

/** EPM stores the core server's wall time, fraction trimmed. */
function wall(at: Date): string {
  return trimFraction(toWallTime(at, coreTimeZone));
}

const epmChanges: Change[] = epmChangeColumns.map((column) => ({
  name: `Computer.${column}`,
  section: 'EpmInventory',
  apply: async (db, device, at) => {
    await sql`UPDATE "Computer" SET ${sql.ref(column)} = ${wall(at)}
      WHERE "Computer_Idn" = ${device}`.execute(db);
  },
}));

const changes: Change[] = [
  ...epmChanges,
  {
    name: 'CustomInventoryValue.UpdatedAt',
    section: 'CustomInventory',
    apply: async (db, device, at) => {
      const { Field_Idn } = await db
        .selectFrom('CustomInventoryValue')
        .select((eb) => eb.fn.min<number>('Field_Idn').as('Field_Idn'))
        .where('Computer_Idn', '=', device)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('CustomInventoryValue')
        .set({ Value: 'Changed', UpdatedAt: at.toISOString() })
        .where('Computer_Idn', '=', device)
        .where('Field_Idn', '=', Field_Idn)
        .execute();
    },
  },
  {
    name: 'CVDetected.DateDetected (a new detection)',
    section: 'SecurityInfo',
    apply: async (db, device, at) => {
      const [free] = await rows<{ id: number }>(
        db,
        sql`SELECT min("Vulnerability_Idn") AS id FROM "Vulnerability"
          WHERE "Vulnerability_Idn" NOT IN (SELECT "Vulnerability_Idn"
            FROM "CVDetected" WHERE "Computer_Idn" = ${device})`,
      );
      await db
        .insertInto('CVDetected')
        .values({
          Computer_Idn: device,
          Vulnerability_Idn: free.id,
          DateDetected: wall(at),
          Reason: 'Detected by vulnerability scan',
          PatchInstallSucceeded: 0,
          NumInstallTries: 0,
        })
        .execute();
    },
  },
  {
    name: 'SecurityStatusOverride.UpdatedAt',
    section: 'SecurityInfo',
    apply: async (db, device, at) => {
      const { vuln } = await db
        .selectFrom('CVDetected')
        .select((eb) => eb.fn.min<number>('Vulnerability_Idn').as('vuln'))
        .where('Computer_Idn', '=', device)
        .executeTakeFirstOrThrow();
      const key = { Computer_Idn: device, Vulnerability_Idn: vuln };
      await db
        .deleteFrom('SecurityStatusOverride')
        .where('Computer_Idn', '=', device)
        .where('Vulnerability_Idn', '=', vuln)
        .execute();
      await db
        .insertInto('SecurityStatusOverride')
        .values({ ...key, Status: 1, UpdatedAt: at.toISOString() })
        .execute();
    },
  },
  {
    name: 'DeviceWarranty.UpdatedAt (the view change column)',
    section: 'DatabaseViews',
    apply: async (db, device, at) => {
      await sql`UPDATE "DeviceWarranty" SET "UpdatedAt" = ${at.toISOString()}
        WHERE "Computer_Idn" = ${device}`.execute(db);
    },
  },
];

describe.each(testDialects())('LastSyncDate on %s', (dialect) => {
  let t: TestService;
  /** Devices with data in every section, handed out one per test. */
  let candidates: number[];
  /** After all demo data; every test moves it on by a day. */
  let clock = Date.parse('2026-01-05T10:00:00Z');

  beforeAll(async () => {
    t = await startTestService(dialect, {
      devices: 150,
      config: { coreTimeZone },
    });
    candidates = await withDatabase(t.config.database, async (db) => {
      const found = await rows<{ id: number }>(
        db,
        sql`SELECT w."Computer_Idn" AS id FROM "DeviceWarranty" w
          WHERE w."Computer_Idn" <> 10
            AND (SELECT count(*) FROM "CVDetected" cv
              WHERE cv."Computer_Idn" = w."Computer_Idn") >= 2
            AND EXISTS (SELECT 1 FROM "CustomInventoryValue" v
              WHERE v."Computer_Idn" = w."Computer_Idn")
          ORDER BY 1`,
      );
      return found.map((row) => row.id);
    });
  });
  afterAll(() => t?.close());

  function nextDevice(): number {
    const device = candidates.shift();
    if (device === undefined) throw new Error('no more candidate devices');
    return device;
  }

  function nextInstant(): Date {
    clock += 86_400_000;
    return new Date(clock);
  }

  async function change(which: Change, device: number, at: Date) {
    await withDatabase(t.config.database, (db) => which.apply(db, device, at));
  }

  async function results(method: string, body: unknown): Promise<any[]> {
    const { JobId, status } = await runJob(t.base, t.token, method, body);
    expect(status.Status).toBe(3);
    return allResults(t.base, t.token, JobId, 1000);
  }

  const ids = (list: any[]) => list.map((r) => r.Computer_Idn as number);
  const before = (at: Date, ms = 1000) =>
    new Date(at.getTime() - ms).toISOString();

  it.each(changes)(
    'a newer $name selects exactly that device, with complete sections',
    async (which) => {
      const device = nextDevice();
      const at = nextInstant();
      await change(which, device, at);

      const method = methodOf[which.section];
      const since = await results(method, { LastSyncDate: before(at) });
      const full = await results(method, { Computer_Idns: [device] });

      expect(ids(since)).toEqual([device]);
      expect(since[0]).toStrictEqual(full[0]);
    },
  );

  it.each(changes)(
    'a newer $name selects the device only for requests of $section',
    async (which) => {
      const device = nextDevice();
      const at = nextInstant();
      await change(which, device, at);

      const body = { LastSyncDate: before(at) };
      const sections = Object.keys(methodOf) as Section[];
      const selected = await Promise.all(
        sections.map((section) => results(methodOf[section], body)),
      );
      const all = await results('RequestAllInfos', body);

      sections.forEach((section, i) => {
        const wanted = section === which.section ? [device] : [];
        expect(ids(selected[i]), section).toEqual(wanted);
      });
      expect(ids(all)).toEqual([device]);
    },
  );

  it('an included device carries its older detections too', async () => {
    const device = nextDevice();
    const at = nextInstant();
    const newDetection = changes.find((c) => c.name.startsWith('CVDetected'))!;
    await change(newDetection, device, at);

    const since = await results('RequestSecurityInfo', {
      LastSyncDate: before(at),
    });
    const detections = since[0].SecurityInfo as any[];
    const older = detections.filter(
      (d) => d.FirstDetectionDate < wall(new Date(at.getTime() - 1000)),
    );

    expect(detections.length).toBeGreaterThan(2);
    expect(older).toHaveLength(detections.length - 1);
  });

  it('a change exactly at LastSyncDate or earlier does not select the device', async () => {
    const device = nextDevice();
    const at = nextInstant();
    await change(changes[0], device, at);

    const atSince = await results('RequestEpmInventory', {
      LastSyncDate: at.toISOString(),
    });
    const afterSince = await results('RequestEpmInventory', {
      LastSyncDate: new Date(at.getTime() + 1000).toISOString(),
    });

    expect(atSince).toEqual([]);
    expect(afterSince).toEqual([]);
  });

  it("EPM wall times are compared in the core server's time zone", async () => {
    const device = nextDevice();
    const at = nextInstant();
    await change(changes[0], device, at);

    // The stored wall time reads one hour later than the UTC instant.
    const halfHourBefore = before(at, 1_800_000);
    const halfHourAfter = new Date(at.getTime() + 1_800_000).toISOString();
    const early = await results('RequestEpmInventory', {
      LastSyncDate: halfHourBefore,
    });
    const late = await results('RequestEpmInventory', {
      LastSyncDate: halfHourAfter,
    });

    expect(ids(early)).toEqual([device]);
    expect(late).toEqual([]);
  });

  it('a LastSyncDate with a UTC offset means the same instant', async () => {
    const device = nextDevice();
    const at = nextInstant();
    await change(changes[0], device, at);

    // One second before the change, written as +05:00 local time.
    const local = new Date(at.getTime() - 1000 + 5 * 3_600_000);
    const since = `${local.toISOString().slice(0, 19)}+05:00`;
    const selected = await results('RequestEpmInventory', {
      LastSyncDate: since,
    });

    expect(ids(selected)).toEqual([device]);
  });
});
