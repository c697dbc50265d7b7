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
  /** Fleets loaded side by side into fresh databases, and their digests. */
  let sevenDatabase: string;
  let sevenRun: CliResult;
  let seven: string;
  let sevenAgain: string;
  let eight: string;

  beforeAll(async () => {
    const databases = await Promise.all(
      [1, 2, 3].map(() => createTestDatabase(dialect)),
    );
    const runs = await Promise.all(
      ['7', '7', '8'].map((seed, i) => runCli(demoData(databases[i], seed))),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);

    [sevenDatabase, sevenRun] = [databases[0], runs[0]];
    [seven, sevenAgain, eight] = await Promise.all(databases.map(digest));
  });

  it('the same seed gives the same rows in every table', () => {
    expect(sevenAgain).toBe(seven);
  });

  it('another seed gives other rows', () => {
    expect(eight).not.toBe(seven);
  });

  it('loading over an existing fleet replaces it completely', async () => {
    const database = await createTestDatabase(dialect);
    await loadDemoFleet(testConfig(database), {
      devices: String(devices * 2),
      seed: '8',
    });

    const result = await runCli(demoData(database, '7'));

    expect(result.code).toBe(0);
    expect(await digest(database)).toBe(seven);
  });

  it('the fleet holds the requested devices, WIN10-TEST2 among them', async () => {
    const names = await withDatabase(sevenDatabase, (db) =>
      db
        .selectFrom('Computer')
        .select(['Computer_Idn', 'DeviceName'])
        .orderBy('Computer_Idn')
        .execute(),
    );

    expect(sevenRun.code).toBe(0);
    expect(sevenRun.stdout).toBe('');
    expect(sevenRun.stderr).toContain(`Demo fleet: ${devices} devices`);
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
