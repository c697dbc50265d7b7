/** `device-api demo-data`, `device-api migrate`, `device-api view ...`. */
import { Command } from 'commander';
import { openDatabase } from '../db/open.js';
import type { Config } from '../config.js';
import { generateFleet, type FleetSummary } from '../demo/fleet.js';
import { parseClientDate } from '../time.js';
import { addDatabaseOption, configFrom } from './options.js';

/** The demo fleet's default "now", so a seed always gives the same data. */
export const defaultAsOf = '2025-08-07T12:00:00Z';

export function demoDataCommand(): Command {
  return addDatabaseOption(
    new Command('demo-data')
      .description('replace the inventory data with a realistic demo fleet')
      .option('--devices <n>', 'number of devices', '2000')
      .option('--seed <n>', 'random seed', '1')
      .option('--as-of <date>', 'the fleet\'s "now" (or "now")', defaultAsOf),
  ).action(async (flags) => {
    const config = configFrom(flags);
    const started = Date.now();
    const summary = await loadDemoFleet(config, flags, (done, total) => {
      process.stderr.write(`\r  ${done} of ${total} devices`);
    });
    process.stderr.write(
      `\nDemo fleet: ${summary.devices} devices, ${summary.detections} ` +
        `detections, ${summary.customValues} custom inventory values, ` +
        `${summary.viewRows} view rows in ${Date.now() - started} ms\n`,
    );
  });
}

export async function loadDemoFleet(
  config: Config,
  flags: { devices?: string; seed?: string; asOf?: string },
  onProgress?: (done: number, total: number) => void,
): Promise<FleetSummary> {
  const devices = Number(flags.devices ?? 2000);
  const seed = Number(flags.seed ?? 1);
  const asOfText = flags.asOf ?? defaultAsOf;
  const asOf = asOfText === 'now' ? new Date() : parseClientDate(asOfText);
  if (!Number.isInteger(devices) || devices < 1 || !Number.isInteger(seed)) {
    throw new Error('--devices must be a whole number >= 1, --seed a number');
  }
  if (!asOf) throw new Error(`--as-of is not a date: ${asOfText}`);

  const conn = await openDatabase(config);
  try {
    return await generateFleet(conn, {
      devices,
      seed,
      asOf,
      coreTimeZone: config.coreTimeZone,
      onProgress,
    });
  } finally {
    await conn.close();
  }
}

export function migrateCommand(): Command {
  return addDatabaseOption(
    new Command('migrate').description('create or update the schema'),
  ).action(async (flags) => {
    const conn = await openDatabase(configFrom(flags));
    await conn.close();
    process.stderr.write('The database schema is up to date.\n');
  });
}

export function viewCommand(): Command {
  const view = new Command('view').description(
    'register database views (tables or views with a device key column)',
  );

  addDatabaseOption(
    view
      .command('add')
      .description('register a table or view for the DatabaseViews section')
      .requiredOption('--name <name>', 'name in the DatabaseViews reply')
      .requiredOption('--source <relation>', 'table or view in the database')
      .option(
        '--key-column <column>',
        'column holding Computer_Idn',
        'Computer_Idn',
      )
      .option('--change-column <column>', 'UTC change time, for LastSyncDate'),
  ).action(async (flags) => {
    const conn = await openDatabase(configFrom(flags));
    try {
      const columns = await conn.dialect.columnsOf(conn.db, flags.source);
      const missing = [flags.keyColumn, flags.changeColumn].filter(
        (c) => c && !columns.includes(c),
      );
      if (columns.length === 0 || missing.length > 0) {
        throw new Error(
          columns.length === 0
            ? `"${flags.source}" is not a table or view in the database`
            : `"${flags.source}" has no column ${missing.join(', ')}`,
        );
      }
      const taken = await conn.db
        .selectFrom('DatabaseView')
        .select('Name')
        .where('Name', '=', flags.name)
        .executeTakeFirst();
      if (taken) {
        throw new Error(
          `A view named "${flags.name}" is registered already; remove it ` +
            'first or choose another name.',
        );
      }
      await conn.db
        .insertInto('DatabaseView')
        .values({
          Name: flags.name,
          SourceName: flags.source,
          KeyColumn: flags.keyColumn,
          ChangeColumn: flags.changeColumn ?? null,
          CreatedAt: Date.now(),
        })
        .execute();
      process.stderr.write(`View "${flags.name}" registered.\n`);
    } finally {
      await conn.close();
    }
  });

  addDatabaseOption(
    view.command('list').description('list the registered views'),
  ).action(async (flags) => {
    const conn = await openDatabase(configFrom(flags));
    const rows = await conn.db.selectFrom('DatabaseView').selectAll().execute();
    for (const row of rows) {
      process.stdout.write(
        `${row.Name}\tsource=${row.SourceName}\tkey=${row.KeyColumn}\t` +
          `change=${row.ChangeColumn ?? '-'}\n`,
      );
    }
    await conn.close();
  });

  addDatabaseOption(
    view
      .command('remove')
      .description('unregister a view (the table or view itself stays)')
      .argument('<name>'),
  ).action(async (name: string, flags) => {
    const conn = await openDatabase(configFrom(flags));
    const result = await conn.db
      .deleteFrom('DatabaseView')
      .where('Name', '=', name)
      .executeTakeFirst();
    await conn.close();
    if (Number(result.numDeletedRows) === 0) {
      throw new Error(`No view named "${name}" is registered.`);
    }
    process.stderr.write(`View "${name}" removed.\n`);
  });
  return view;
}
