/**
 * The benchmark's client side of the Device API over loopback: jobs timed
 * from request to Success, pages, and status pollers.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface JobTiming {
  JobId: string;
  /** From sending the Request* call to seeing Status 3 (Success). */
  ms: number;
  TotalCount: number;
}

/** POSTs JSON; returns the reply text. Throws on anything but 200. */
export async function call(
  base: string,
  token: string,
  method: string,
  body: unknown,
): Promise<string> {
  const response = await fetch(`${base}/${method}`, {
    method: 'POST',
    headers: {
      Authorization: `PAT ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${method} answered ${response.status}: ${text}`);
  }
  return text;
}

/** Starts a job over all devices and polls until it has finished. */
export async function timeJob(
  base: string,
  token: string,
  method: string,
  pollMs = 20,
): Promise<JobTiming> {
  const started = performance.now();
  const { JobId } = JSON.parse(await call(base, token, method, {}));

  for (;;) {
    const status = JSON.parse(
      await call(base, token, 'GetJobStatus', { Guid: JobId }),
    );
    if (status.Status === 3) {
      const ms = performance.now() - started;
      return { JobId, ms, TotalCount: status.TotalCount };
    }
    if (status.Status === 4) {
      throw new Error(`${method} job failed: ${status.StatusDetails}`);
    }
    await sleep(pollMs);
  }
}

/**
 * Reads every page of a finished job in order; returns each page's latency.
 * Only the page counts are checked, to keep the client's CPU use small.
 */
export async function readAllPages(
  base: string,
  token: string,
  job: JobTiming,
  PageSize: number,
): Promise<number[]> {
  const pages = Math.ceil(job.TotalCount / PageSize);
  const latencies: number[] = [];
  for (let Page = 1; Page <= pages; Page++) {
    const started = performance.now();
    const text = await call(base, token, 'GetJobData', {
      Guid: job.JobId,
      Page,
      PageSize,
    });
    latencies.push(performance.now() - started);

    const expected = Math.min(PageSize, job.TotalCount - (Page - 1) * PageSize);
    if (!text.startsWith(`{"ReturnedCount":${expected},`)) {
      throw new Error(`page ${Page} of ${job.JobId}: ${text.slice(0, 200)}`);
    }
  }
  return latencies;
}

export interface PolledJob {
  job: JobTiming;
  /** GetJobStatus latencies seen while the job was pending or running. */
  latencies: number[];
}

/**
 * Runs a job while `pollers` clients each ask GetJobStatus every
 * `intervalMs`, as scripts waiting for their jobs do.
 */
export async function pollWhileRunning(
  base: string,
  token: string,
  method: string,
  pollers: number,
  intervalMs: number,
): Promise<PolledJob> {
  const started = performance.now();
  const { JobId } = JSON.parse(await call(base, token, method, {}));
  const latencies: number[] = [];
  let finished: { ms: number; TotalCount: number } | undefined;
  let failure: Error | undefined;

  const poller = async (index: number) => {
    await sleep((intervalMs * index) / pollers);
    while (!finished && !failure) {
      const sent = performance.now();
      const status = JSON.parse(
        await call(base, token, 'GetJobStatus', { Guid: JobId }),
      );
      const ms = performance.now() - sent;
      if (status.Status === 3) {
        finished ??= {
          ms: performance.now() - started,
          TotalCount: status.TotalCount,
        };
      } else if (status.Status === 4) {
        failure = new Error(`${method} job failed: ${status.StatusDetails}`);
      } else {
        latencies.push(ms);
      }
      await sleep(intervalMs);
    }
  };
  await Promise.all(Array.from({ length: pollers }, (_, i) => poller(i)));

  if (failure) throw failure;
  return { job: { JobId, ...finished! }, latencies };
}
