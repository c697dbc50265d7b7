/**
 * `device-api worker` as real child processes, with their JSON log lines,
 * and direct looks at the Job table of a scale-out test database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { rows } from './inventory.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/device-api.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** The lease owner prefix this worker writes into Job.LeaseOwner. */
  owner: string;
  /** Parsed log lines so far. */
  logs: Record<string, any>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends a signal and waits for the exit; returns the exit code. */
  signal(name: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<WorkerProcess>();

/** Starts `device-api worker` and resolves once it claims jobs. */
export function startWorker(
  database: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [bin, 'worker', '--database', database, '--log-level', 'info', ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const logs: Record<string, any>[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  return new Promise((resolve, reject) => {
    let pending = '';
    child.stderr!.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const entry = parseLine(line);
        logs.push(entry);
        if (entry.msg === 'job worker started') {
          const worker: WorkerProcess = {
            child,
            pid: child.pid!,
            owner: entry.owner,
            logs,
            exited,
            signal: (name) => sendSignal(worker, name),
          };
          running.add(worker);
          exited.then(() => running.delete(worker));
          resolve(worker);
        }
      }
    });
    exited.then((code) =>
      reject(
        new Error(
          `worker exited with ${code} before starting:\n` +
            logs.map((l) => JSON.stringify(l)).join('\n'),
        ),
      ),
    );
  });
}

function parseLine(line: string): Record<string, any> {
  try {
    return JSON.parse(line);
  } catch {
    return { msg: line };
  }
}

function sendSignal(
  worker: WorkerProcess,
  name: NodeJS.Signals,
): Promise<number | null> {
  const { child } = worker;
  if (child.exitCode === null && child.signalCode === null) child.kill(name);
  return worker.exited;
}

/** Kills every worker this test file started and is still running. */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.signal('SIGKILL')));
}

export interface JobRow {
  JobId: string;
  Status: number;
  StatusDetails: string;
  Attempts: number;
  LeaseOwner: string | null;
  DevicesDone: number;
  TotalCount: number | null;
}

/** Every job of the database, oldest first. */
export function jobRows(db: Kysely<DB>): Promise<JobRow[]> {
  return db
    .selectFrom('Job')
    .select([
      'JobId',
      'Status',
      'StatusDetails',
      'Attempts',
      'LeaseOwner',
      'DevicesDone',
      'TotalCount',
    ])
    .orderBy('CreatedAt')
    .execute();
}

/** Per job: how many result rows, the Seq range, distinct devices. */
export interface ResultShape {
  JobId: string;
  rows: number;
  firstSeq: number;
  lastSeq: number;
  devices: number;
}

export async function resultShapes(db: Kysely<DB>): Promise<ResultShape[]> {
  const found = await rows<ResultShape>(
    db,
    sql`SELECT "JobId", count(*) AS "rows", min("Seq") AS "firstSeq",
        max("Seq") AS "lastSeq",
        count(DISTINCT "Computer_Idn") AS "devices"
      FROM "JobResult" GROUP BY "JobId"`,
  );
  return found.map((r) => ({
    JobId: r.JobId,
    rows: Number(r.rows),
    firstSeq: Number(r.firstSeq),
    lastSeq: Number(r.lastSeq),
    devices: Number(r.devices),
  }));
}

/** Resolves once `check` returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  tries = 1200,
  pauseMs = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Requests jobs until one is caught running with some results stored, and
 * freezes `child` (SIGSTOP) right there, so whatever the test does next
 * lands mid-job however fast the machine is. Returns the JobId; the caller
 * sends SIGCONT when it is ready.
 */
export async function freezeMidJob(
  db: Kysely<DB>,
  child: ChildProcess,
  requestJob: () => Promise<string>,
): Promise<string> {
  const statusOf = (JobId: string) =>
    db
      .selectFrom('Job')
      .select(['Status', 'DevicesDone'])
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow();

  for (let tries = 0; tries < 10; tries++) {
    const JobId = await requestJob();
    const state = await waitFor(
      'the job to start',
      async () => {
        const job = await statusOf(JobId);
        if (job.Status >= 3) return 'ended';
        return job.Status === 2 && job.DevicesDone > 0 ? 'running' : undefined;
      },
      5000,
      5,
    );
    if (state === 'ended') continue;

    child.kill('SIGSTOP');
    if ((await statusOf(JobId)).Status === 2) return JobId;
    child.kill('SIGCONT');
  }
  throw new Error('no job could be caught running');
}
