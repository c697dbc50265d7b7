/**
 * Running one job: resolve the requested devices, then materialize results
 * batch by batch, each batch one short transaction, reporting progress and
 * renewing the lease as it goes.
 */
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
import type { Job, JobStore } from './store.js';

/** Thrown when the worker no longer holds the job's lease. */
export class LeaseLostError extends Error {
  constructor(JobId: string) {
    super(`Lost the lease of job ${JobId}`);
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

  await conn.db
    .deleteFrom('JobResult')
    .where('JobId', '=', job.JobId)
    .execute();
  let stored = 0;
  for (let i = 0; i < ids.length; i += config.batchSize) {
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
    const result = await query.execute(conn.db);
    stored += Number(result.numAffectedRows ?? 0);
    await report(i + batch.length);
  }

  const details =
    `Completed: ${count.format(stored)} devices` +
    (DevicesNotFound.length > 0
      ? `, ${count.format(DevicesNotFound.length)} identifiers not found`
      : '');
  const done = await store.succeed(job, owner, {
    TotalCount: stored,
    DevicesNotFound,
    Watermark: watermark,
    details,
    retentionMs: config.jobRetentionHours * 3_600_000,
  });
  if (!done) throw new LeaseLostError(job.JobId);
  log.info({ TotalCount: stored, devices: ids.length }, 'job succeeded');

  async function report(collected: number): Promise<void> {
    const details =
      `Collecting ${count.format(collected)} of ` +
      `${count.format(ids.length)} devices`;
    const held = await store.progress(job, owner, leaseMs, {
      DevicesDone: collected,
      DevicesTotal: ids.length,
      details,
    });
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
async function loadViews(conn: Connection): Promise<ViewSource[]> {
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
