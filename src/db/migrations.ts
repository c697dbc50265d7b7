import {
  Migrator,
  sql,
  type Kysely,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import type { SqlDialect } from './dialects/dialect.js';
import type { DB } from './schema.js';

type AnyDb = Kysely<unknown>;

/** EPM tables, named and shaped as in an EPM database. */
function epmTables(d: SqlDialect): Migration {
  const local = sql.raw(d.localTimestampType);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('Computer')
        .addColumn('Computer_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('DeviceID', 'text')
        .addColumn('DeviceName', 'text')
        .addColumn('DisplayName', 'text')
        .addColumn('Type', 'text')
        .addColumn('Description', 'text')
        .addColumn('LoginName', 'text')
        .addColumn('HWLastScanDate', local)
        .addColumn('SWLastScanDate', local)
        .addColumn('VALastScanDate', local)
        .addColumn('UpdateLastScanDate', local)
        .addColumn('PatchSWLastScanDate', local)
        .addColumn('LastUpdInvSvr', local)
        .addColumn('ComputerLocation', 'text')
        .addColumn('LDAPLocation', 'text')
        .addColumn('RecordDate', local)
        .addColumn('DaysHardware', 'integer')
        .addColumn('DaysVulnerabil', 'integer')
        .addColumn('DaysStartUp', 'integer')
        .execute();
      await db.schema
        .createIndex('Computer_DeviceName_lower')
        .on('Computer')
        .expression(sql`lower("DeviceName")`)
        .execute();

      await db.schema
        .createTable('CompSystem')
        .addColumn('Computer_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('SerialNum', 'text')
        .addColumn('Model', 'text')
        .addColumn('Manufacturer', 'text')
        .addColumn('ChassisType', 'text')
        .execute();
      await db.schema
        .createIndex('CompSystem_SerialNum_lower')
        .on('CompSystem')
        .expression(sql`lower("SerialNum")`)
        .execute();

      await db.schema
        .createTable('Operating_System')
        .addColumn('Computer_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('OsType', 'text')
        .addColumn('ReleaseID', 'text')
        .execute();

      await db.schema
        .createTable('OSNT')
        .addColumn('Computer_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('LastStartUpTime', local)
        .execute();

      await db.schema
        .createTable('Scope')
        .addColumn('Scope_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('Name', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('ScopeComputer')
        .addColumn('Computer_Idn', 'integer', (c) => c.notNull())
        .addColumn('Scope_Idn', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('ScopeComputer_pk', [
          'Computer_Idn',
          'Scope_Idn',
        ])
        .execute();

      await db.schema
        .createTable('Vulnerability')
        .addColumn('Vulnerability_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('Vul_ID', 'text', (c) => c.notNull().unique())
        .addColumn('Title', 'text')
        .addColumn('Severity', 'integer')
        .addColumn('Type', 'text')
        .addColumn('Fixable', 'integer')
        .addColumn('Autofix', 'integer')
        .execute();

      await db.schema
        .createTable('CVDetected')
        .addColumn('Computer_Idn', 'integer', (c) => c.notNull())
        .addColumn('Vulnerability_Idn', 'integer', (c) => c.notNull())
        .addColumn('DateDetected', local)
        .addColumn('Reason', 'text')
        .addColumn('PatchInstallSucceeded', 'integer')
        .addColumn('NumInstallTries', 'integer')
        .addPrimaryKeyConstraint('CVDetected_pk', [
          'Computer_Idn',
          'Vulnerability_Idn',
        ])
        .execute();
    },
  };
}

/** The console's own tables: custom inventory, statuses, views, auth, jobs. */
function consoleTables(d: SqlDialect): Migration {
  const utc = sql.raw(d.utcTimestampType);
  const serial = d.name === 'postgres' ? 'serial' : 'integer';
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('CustomInventoryField')
        .addColumn('Field_Idn', 'integer', (c) => c.primaryKey())
        .addColumn('Name', 'text', (c) => c.notNull().unique())
        .addColumn('SortOrder', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('CustomInventoryValue')
        .addColumn('Computer_Idn', 'integer', (c) => c.notNull())
        .addColumn('Field_Idn', 'integer', (c) => c.notNull())
        .addColumn('Value', 'text', (c) => c.notNull())
        .addColumn('UpdatedAt', utc, (c) => c.notNull())
        .addPrimaryKeyConstraint('CustomInventoryValue_pk', [
          'Computer_Idn',
          'Field_Idn',
        ])
        .execute();

      await db.schema
        .createTable('SecurityStatusOverride')
        .addColumn('Computer_Idn', 'integer', (c) => c.notNull())
        .addColumn('Vulnerability_Idn', 'integer', (c) => c.notNull())
        .addColumn('Status', 'integer', (c) => c.notNull())
        .addColumn('UpdatedAt', utc, (c) => c.notNull())
        .addPrimaryKeyConstraint('SecurityStatusOverride_pk', [
          'Computer_Idn',
          'Vulnerability_Idn',
        ])
        .execute();

      await db.schema
        .createTable('DatabaseView')
        .addColumn('View_Idn', serial, (c) => c.primaryKey())
        .addColumn('Name', 'text', (c) => c.notNull().unique())
        .addColumn('SourceName', 'text', (c) => c.notNull())
        .addColumn('KeyColumn', 'text', (c) => c.notNull())
        .addColumn('ChangeColumn', 'text')
        .addColumn('CreatedAt', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('ApiToken')
        .addColumn('Token_Idn', serial, (c) => c.primaryKey())
        .addColumn('Name', 'text', (c) => c.notNull().unique())
        .addColumn('SecretHash', 'text', (c) => c.notNull().unique())
        .addColumn('Rights', 'text', (c) => c.notNull())
        .addColumn('CreatedAt', 'bigint', (c) => c.notNull())
        .addColumn('ExpiresAt', 'bigint')
        .addColumn('RevokedAt', 'bigint')
        .addColumn('LastUsedAt', 'bigint')
        .execute();

      await createJobTables(db);
    },
  };
}

async function createJobTables(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('Job')
    .addColumn('JobId', 'text', (c) => c.primaryKey())
    .addColumn('Token_Idn', 'integer', (c) => c.notNull())
    .addColumn('Method', 'text', (c) => c.notNull())
    .addColumn('Request', 'text', (c) => c.notNull())
    .addColumn('RequestHash', 'text', (c) => c.notNull())
    .addColumn('IdempotencyKey', 'text')
    .addColumn('Status', 'integer', (c) => c.notNull())
    .addColumn('StatusDetails', 'text', (c) => c.notNull())
    .addColumn('DevicesTotal', 'integer')
    .addColumn('DevicesDone', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('TotalCount', 'integer')
    .addColumn('DevicesNotFound', 'text')
    .addColumn('Watermark', 'bigint')
    .addColumn('Attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('LeaseOwner', 'text')
    .addColumn('LeaseExpiresAt', 'bigint')
    .addColumn('CreatedAt', 'bigint', (c) => c.notNull())
    .addColumn('StartedAt', 'bigint')
    .addColumn('FinishedAt', 'bigint')
    .addColumn('ExpiresAt', 'bigint')
    .execute();
  await db.schema
    .createIndex('Job_Status_CreatedAt')
    .on('Job')
    .columns(['Status', 'CreatedAt'])
    .execute();
  await db.schema
    .createIndex('Job_Token_RequestHash')
    .on('Job')
    .columns(['Token_Idn', 'RequestHash'])
    .execute();
  await db.schema
    .createIndex('Job_ExpiresAt')
    .on('Job')
    .column('ExpiresAt')
    .execute();

  await db.schema
    .createTable('JobResult')
    .addColumn('JobId', 'text', (c) => c.notNull())
    .addColumn('Seq', 'integer', (c) => c.notNull())
    .addColumn('Computer_Idn', 'integer', (c) => c.notNull())
    .addColumn('Data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('JobResult_pk', ['JobId', 'Seq'])
    .execute();
}

/**
 * PostgreSQL keeps result JSON uncompressed: compressing every result as it
 * is stored cost 17% of a RequestAllInfos job (measured), for rows that
 * live a day. They take ~2.5x the disk space instead. SQLite never
 * compresses.
 */
function resultStorage(d: SqlDialect): Migration {
  return {
    async up(db: AnyDb) {
      if (d.name !== 'postgres') return;
      await sql`ALTER TABLE "JobResult"
        ALTER COLUMN "Data" SET STORAGE EXTERNAL`.execute(db);
    },
  };
}

function provider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001_epm_tables': epmTables(dialect),
        '0002_console_tables': consoleTables(dialect),
        '0003_result_storage': resultStorage(dialect),
      };
    },
  };
}

/** Brings the schema up to date; safe to run at every start. */
export async function migrate(
  db: Kysely<DB>,
  dialect: SqlDialect,
): Promise<void> {
  const migrator = new Migrator({ db, provider: provider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`Database migration failed${name}: ${String(error)}`);
  }
}
