/**
 * `device-api demo-data` as a real process: the same seed gives the same
 * rows, another seed other rows, and loading replaces what was there.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import { rows, withDatabase } from './support/inventory.js';
import { runCli, type CliResult } from './support/process.js';
import { testConfig } from './support/service.js';

const devices = 150;

/** The generated tables; DatabaseView is left out (it records load time). */
const tables = [
  'Computer',
  'CompSystem',
  'Operating_System',
  'OSNT',
  'Scope',
  'ScopeComputer',
  'Vulnerability',
  'CVDetected',
  'CustomInventoryField',
  'CustomInventoryValue',
  'SecurityStatusOverride',
  'DeviceWarranty',
];

describe.each(testDialects())('device-api demo-data on %s', (dialect) => {
  /** --seed 7 loaded by the CLI into a fresh database. */
  let fresh: { database: string; run: CliResult; digest: string };
  /** --seed 7 loaded by the CLI over a bigger fleet of seed 8. */
  let reloaded: { run: CliResult; digest: string };
  /** Seeds 7 and 8 loaded in this process, for comparison. */
  let seven: string;
  let eight: string;

  beforeAll(async () => {
    const [freshDb, reloadedDb, sevenDb, eightDb] = await Promise.all(
      [1, 2, 3, 4].map(() => createTestDatabase(dialect)),
    );
    await load(reloadedDb, 8, devices * 2);
    await load(sevenDb, 7);
    await load(eightDb, 8);

    const [freshRun, reloadedRun] = await Promise.all([
      runCli(demoData(freshDb, '7')),
      runCli(demoData(reloadedDb, '7')),
    ]);
    fresh = { database: freshDb, run: freshRun, digest: await digest(freshDb) };
    reloaded = { run: reloadedRun, digest: await digest(reloadedDb) };
    [seven, eight] = await Promise.all([digest(sevenDb), digest(eightDb)]);
  });

  it('the same seed gives the same rows in every table', () => {
    expect(fresh.run.code, fresh.run.stderr).toBe(0);
    expect(fresh.digest).toBe(seven);
  });

  it('another seed gives other rows', () => {
    expect(eight).not.toBe(seven);
  });

  it('loading over an existing fleet replaces it completely', () => {
    expect(reloaded.run.code, reloaded.run.stderr).toBe(0);
    expect(reloaded.digest).toBe(fresh.digest);
  });

  it('the fleet holds the requested devices, WIN10-TEST2 among them', async () => {
    const names = await withDatabase(fresh.database, (db) =>
      db
        .selectFrom('Computer')
        .select(['Computer_Idn', 'DeviceName'])
        .orderBy('Computer_Idn')
        .execute(),
    );

    expect(fresh.run.stdout).toBe('');
    expect(fresh.run.stderr).toContain(`Demo fleet: ${devices} devices`);
    expect(names).toHaveLength(devices);
    expect(names[9]).toEqual({ Computer_Idn: 10, DeviceName: 'WIN10-TEST2' });
  });
});

describe('device-api demo-data argument checks', () => {
  it('--devices 0 is refused', async () => {
    const database = await createTestDatabase('sqlite');

    const result = await runCli([
      'demo-data',
      '--devices',
      '0',
      '--database',
      database,
    ]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--devices');
  });
});

function demoData(database: string, seed: string): string[] {
  return [
    'demo-data',
    '--devices',
    String(devices),
    '--seed',
    seed,
    '--database',
    database,
  ];
}

async function load(database: string, seed: number, count = devices) {
  await loadDemoFleet(testConfig(database), {
    devices: String(count),
    seed: String(seed),
  });
}

/** SHA-256 over every row of the generated tables, in a fixed order. */
async function digest(database: string): Promise<string> {
  const hash = createHash('sha256');
  await withDatabase(database, async (db) => {
    for (const table of tables) {
      const found = await rows(db, sql`SELECT * FROM ${sql.table(table)}`);
      const lines = found.map((row) => JSON.stringify(row)).sort();
      hash.update(`${table}\n${lines.join('\n')}\n`);
    }
  });
  return hash.digest('hex');
}
