/**
 * `npm run bench`: the job engine measured against the physical limit in
 * the same run. On a fresh database it loads the demo fleet, times the two
 * references (JS and engine-side), then drives the real server over
 * loopback: jobs, pages, a full export, status polls during a job, memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { openDatabase } from '../src/app.js';
import { defaultAsOf } from '../src/cli/data.js';
import { loadConfig } from '../src/config.js';
import type { Connection } from '../src/db/connect.js';
import { generateFleet, type FleetSummary } from '../src/demo/fleet.js';
import { DevicesRight, TokenService } from '../src/services/tokens.js';
import { measureServer, type ServerFigures } from './measure.js';
import { loadViews } from '../src/jobs/runner.js';
import { engineLimit, jsBaseline } from './references.js';
import { describeMachine, fmt, round, type Machine } from './report.js';
import { printReport } from './print.js';
import { createTarget, type BenchTarget } from './target.js';

export interface BenchOptions {
  devices: number;
  database?: string;
  postgres: boolean;
  json?: string;
  keep: boolean;
  batchSize?: number;
  pollers: number;
  pollInterval: number;
  seed: number;
}

export interface Fleet extends FleetSummary {
  scopes: number;
  loadMs: number;
}

export interface Figures {
  devices: number;
  dialect: string;
  /** Engine and version, e.g. "SQLite 3.50.4". */
  database: string;
  rawBaselineMs: number;
  engineLimitMs: number;
  allInfosJobMs: number;
  /** RequestAllInfos job time / engine-side limit. */
  ratio: number;
  /** RequestAllInfos job time / JS baseline. */
  baselineRatio: number;
  /**
   * CPU time of the job (server process) / CPU time of the engine limit
   * (bench process): less sensitive to a busy machine than wall time, and
   * complete only on SQLite, where the database engine runs in-process.
   */
  cpuRatio: number | null;
  engineLimitCpuMs: number;
  allInfosCpuMs: number;
  pageP50Ms: number;
  pageP99Ms: number;
  statusP50Ms: number;
  statusP99Ms: number;
  exportMs: number;
  peakRssMb: number;
  databaseMb: number;
  inventoryMb: number;
  resultJsonMb: number;
  fleet: Fleet;
  server: ServerFigures;
  machine: Machine;
  loadAfter: number[];
  batchSize: number;
  startedAt: string;
  totalMs: number;
}

const say = (text = '') => process.stdout.write(`${text}\n`);

async function main(options: BenchOptions): Promise<void> {
  const started = Date.now();
  const runDir = resolve('.bench', `run-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const target = await createTarget({ ...options, runDir });
  try {
    const figures = await run(target, options, runDir, started);
    printReport(figures);
    if (options.json) {
      writeFileSync(options.json, `${JSON.stringify(figures, null, 2)}\n`);
      say(`Figures written to ${options.json}`);
    }
  } finally {
    await target.dispose(options.keep);
  }
}

async function run(
  target: BenchTarget,
  options: BenchOptions,
  runDir: string,
  started: number,
): Promise<Figures> {
  const machine = describeMachine();
  const database = await target.version();
  const batchSize = loadConfig({ batchSize: options.batchSize }).batchSize;
  say(
    `device-api bench: ${fmt.int(options.devices)} devices on ${database}, ` +
      `${machine.cores} cores (${machine.cpu}), load ${machine.load.join(' ')}`,
  );

  const conn = await openDatabase(
    loadConfig({ database: target.url, logLevel: 'silent' }, {}),
  );
  let fleet: Fleet;
  let tokens: string[];
  let inventoryBytes: number;
  let references: Awaited<ReturnType<typeof measureReferences>>;
  try {
    fleet = await loadFleet(conn, options);
    tokens = await createTokens(conn);
    inventoryBytes = await target.size();
    references = await measureReferences(conn, batchSize);
  } finally {
    await conn.close();
  }

  const server = await measureServer({
    database: target.url,
    runDir,
    tokens,
    batchSize: options.batchSize,
    pollers: options.pollers,
    pollIntervalMs: options.pollInterval,
    say,
  });

  return {
    devices: fleet.devices,
    dialect: target.dialect,
    database,
    rawBaselineMs: round(references.baseline.ms),
    engineLimitMs: round(references.limit.ms),
    allInfosJobMs: round(server.allInfosJobMs),
    ratio: round(server.allInfosJobMs / references.limit.ms, 3),
    baselineRatio: round(server.allInfosJobMs / references.baseline.ms, 3),
    cpuRatio:
      target.dialect === 'sqlite'
        ? round(server.allInfosCpuMs / references.limit.cpuMs, 3)
        : null,
    engineLimitCpuMs: round(references.limit.cpuMs),
    allInfosCpuMs: round(server.allInfosCpuMs),
    pageP50Ms: server.pageP50Ms,
    pageP99Ms: server.pageP99Ms,
    statusP50Ms: server.statusP50Ms,
    statusP99Ms: server.statusP99Ms,
    exportMs: round(server.exportMs),
    peakRssMb: round(server.peakRssBytes / 2 ** 20, 1),
    databaseMb: round((await target.size()) / 2 ** 20, 1),
    inventoryMb: round(inventoryBytes / 2 ** 20, 1),
    resultJsonMb: round(references.limit.bytes / 2 ** 20, 1),
    fleet,
    server,
    machine,
    loadAfter: describeMachine().load,
    batchSize,
    startedAt: new Date(started).toISOString(),
    totalMs: Date.now() - started,
  };
}

async function loadFleet(
  conn: Connection,
  options: BenchOptions,
): Promise<Fleet> {
  say(`1. Demo fleet: ${fmt.int(options.devices)} devices`);
  const started = performance.now();
  const summary = await generateFleet(conn, {
    devices: options.devices,
    seed: options.seed,
    asOf: new Date(defaultAsOf),
    coreTimeZone: 'UTC',
  });
  const loadMs = round(performance.now() - started);
  const scopes = await conn.db
    .selectFrom('ScopeComputer')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  const fleet = { ...summary, scopes: Number(scopes.n), loadMs };
  const per = (n: number) => round(n / fleet.devices, 1);
  say(
    `   loaded in ${fmt.ms(loadMs)}; per device ${per(fleet.detections)} ` +
      `detections, ${per(fleet.scopes)} scopes, ` +
      `${per(fleet.customValues)} custom fields`,
  );
  return fleet;
}

async function createTokens(conn: Connection): Promise<string[]> {
  const service = new TokenService(conn.db);
  const stamp = Date.now();
  return Promise.all(
    ['bench-jobs', 'bench-pollers'].map((name) =>
      service.create({ Name: `${name}-${stamp}`, Rights: [DevicesRight] }),
    ),
  );
}

async function measureReferences(conn: Connection, batchSize: number) {
  const views = await loadViews(conn);
  say('2. References (same database, same run)');
  const baseline = await jsBaseline(conn, views, batchSize);
  say(`   JS baseline (read, build, stringify): ${fmt.ms(baseline.ms)}`);
  const limit = await engineLimit(conn, views);
  say(
    `   engine limit (one INSERT ... SELECT): ${fmt.ms(limit.ms)}, ` +
      `${fmt.mb(limit.bytes)} of JSON`,
  );
  return { baseline, limit };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a whole number >= 1');
  }
  return n;
}

const program = new Command('bench')
  .description('measure the job engine against the engine-side limit')
  .option('--devices <n>', 'devices in the demo fleet', positive, 50_000)
  .option('--quick', 'a small run (5,000 devices) to check the setup')
  .option(
    '--database <url>',
    'sqlite:<file> or postgres://... (a fresh database is created on ' +
      'that server); default a new SQLite file under .bench/',
  )
  .option('--postgres', 'start an embedded PostgreSQL server for the run')
  .option('--json <file>', 'also write the figures as JSON')
  .option('--keep', 'keep the database after the run')
  .option(
    '--batch-size <n>',
    'devices per job batch (server default)',
    positive,
  )
  .option('--pollers <n>', 'concurrent GetJobStatus pollers', positive, 10)
  .option('--poll-interval <ms>', 'pause of each poller', positive, 100)
  .option('--seed <n>', 'demo fleet seed', positive, 1)
  .action(async (flags) => {
    await main({
      ...flags,
      devices: flags.quick ? 5000 : flags.devices,
      postgres: Boolean(flags.postgres),
      keep: Boolean(flags.keep),
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exit(1);
}
