/**
 * Running one job: resolve the requested devices, then materialize results
 * batch by batch, each batch one short transaction, reporting progress and
 * renewing the lease as it goes.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Connection } from '../db/connect.js';
import { resolveDevices } from '../sql/devices.js';
import {
  insertResultsBatch,
  type Since,
  type ViewSource,
} from '../sql/sections.js';
import {
  RequestMethods,
  type DeviceRequest,
  type RequestMethod,
  type Section,
} from '../services/requests.js';
import { toWallTime } from '../time.js';
import { LeaseLostError, type Job, type JobStore } from './store.js';

export { LeaseLostError };

/** Thrown between batches once the worker was asked to stop. */
export class JobInterruptedError extends Error {
  constructor(JobId: string) {
    super(`Job ${JobId} was interrupted to shut down`);
  }
}

const count = new Intl.NumberFormat('en-US');

export async function runJob(
  conn: Connection,
  store: JobStore,
  config: Config,
  job: Job,
  owner: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const leaseMs = config.leaseSeconds * 1000;
  const watermark = Date.now();
  const request = JSON.parse(job.Request) as DeviceRequest;
  const sections = new Set<Section>(
    RequestMethods[job.Method as RequestMethod],
  );

  const { ids, DevicesNotFound } = await resolveDevices(conn.db, request);
  const views = sections.has('DatabaseViews') ? await loadViews(conn) : [];
  const since = sinceOf(request, config);
  await report(0);

  await store.clearResults(job, owner, leaseMs);
  let stored = 0;
  for (let i = 0; i < ids.length; i += config.batchSize) {
    // SQLite calls block; let signals and thread messages in between batches.
    await nextTick();
    if (signal?.aborted) throw new JobInterruptedError(job.JobId);
    const batch = ids.slice(i, i + config.batchSize);
    const query = insertResultsBatch(conn.dialect, {
      jobId: job.JobId,
      leaseOwner: owner,
      sections,
      views,
      since,
      offset: stored,
      ids: batch,
    });
    // The lease renewal and the insert commit together (see JobStore).
    const result = await store.withLease(
      job,
      owner,
      leaseMs,
      collecting(i + batch.length),
      (db) => query.execute(db),
    );
    stored += Number(result.numAffectedRows ?? 0);
  }

  const missing = DevicesNotFound.length;
  const details =
    `Completed: ${plural(stored, 'device')}` +
    (missing > 0 ? `, ${plural(missing, 'identifier')} not found` : '');
  const done = await store.succeed(job, owner, {
    TotalCount: stored,
    DevicesNotFound,
    Watermark: watermark,
    details,
    retentionMs: config.jobRetentionHours * 3_600_000,
  });
  if (!done) throw new LeaseLostError(job.JobId);
  log.info({ TotalCount: stored, devices: ids.length }, 'job succeeded');

  function collecting(collected: number) {
    const details =
      `Collecting ${count.format(collected)} of ` +
      `${count.format(ids.length)} devices`;
    return { DevicesDone: collected, DevicesTotal: ids.length, details };
  }

  async function report(collected: number): Promise<void> {
    const held = await store.progress(
      job,
      owner,
      leaseMs,
      collecting(collected),
    );
    if (!held) throw new LeaseLostError(job.JobId);
  }
}

function sinceOf(request: DeviceRequest, config: Config): Since | null {
  if (!request.LastSyncDate) return null;
  const date = new Date(request.LastSyncDate);
  return {
    utc: date.toISOString(),
    local: toWallTime(date, config.coreTimeZone),
  };
}

/** Registered views with their current columns. */
export async function loadViews(conn: Connection): Promise<ViewSource[]> {
  const views = await conn.db
    .selectFrom('DatabaseView')
    .select(['Name', 'SourceName', 'KeyColumn', 'ChangeColumn'])
    .orderBy('Name')
    .execute();

  const sources: ViewSource[] = [];
  for (const view of views) {
    const columns = await conn.dialect.columnsOf(conn.db, view.SourceName);
    if (columns.length === 0) {
      throw new Error(
        `Database view "${view.Name}" reads "${view.SourceName}", ` +
          'which does not exist in the database; fix or remove the view.',
      );
    }
    sources.push({ ...view, columns });
  }
  return sources;
}

function plural(n: number, noun: string): string {
  return `${count.format(n)} ${noun}${n === 1 ? '' : 's'}`;
}
