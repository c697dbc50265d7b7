/**
 * The benchmark's client side of the Device API over loopback: jobs timed
 * from request to Success, pages, and status pollers.
 */
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface JobTiming {
  JobId: string;
  /** From sending the Request* call to seeing Status 3 (Success). */
  ms: number;
  TotalCount: number;
}

/**
 * Keep-alive connections and raw bytes: a light client (node:http rather
 * than fetch, no decoding of pages), so its own CPU use on a two-core
 * machine disturbs the server's figures as little as possible.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs JSON; returns the reply bytes. Throws on anything but 200. */
export function callRaw(
  base: string,
  token: string,
  method: string,
  body: unknown,
): Promise<Buffer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${base}/${method}`,
      {
        method: 'POST',
        agent,
        headers: {
          Authorization: `PAT ${token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const reply = Buffer.concat(chunks);
          if (response.statusCode === 200) return resolve(reply);
          reject(
            new Error(`${method} answered ${response.statusCode}: ${reply}`),
          );
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** The reply fields the benchmark reads (Request* and GetJobStatus). */
interface Reply {
  JobId: string;
  Status: number;
  StatusDetails: string;
  TotalCount: number;
}

/** POSTs JSON; returns the parsed reply. */
export async function call(
  base: string,
  token: string,
  method: string,
  body: unknown,
): Promise<Reply> {
  return JSON.parse((await callRaw(base, token, method, body)).toString());
}

/** Starts a job over all devices and polls until it has finished. */
export async function timeJob(
  base: string,
  token: string,
  method: string,
  pollMs = 20,
): Promise<JobTiming> {
  const started = performance.now();
  const { JobId } = await call(base, token, method, {});

  for (;;) {
    const status = await call(base, token, 'GetJobStatus', { Guid: JobId });
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
    const page = await callRaw(base, token, 'GetJobData', {
      Guid: job.JobId,
      Page,
      PageSize,
    });
    latencies.push(performance.now() - started);

    const expected = Math.min(PageSize, job.TotalCount - (Page - 1) * PageSize);
    const head = page.subarray(0, 40).toString();
    if (!head.startsWith(`{"ReturnedCount":${expected},`)) {
      throw new Error(`page ${Page} of ${job.JobId}: ${head}`);
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
  const { JobId } = await call(base, token, method, {});
  const latencies: number[] = [];
  let finished: { ms: number; TotalCount: number } | undefined;
  let failure: Error | undefined;

  const poller = async (index: number) => {
    await sleep((intervalMs * index) / pollers);
    while (!finished && !failure) {
      const sent = performance.now();
      const status = await call(base, token, 'GetJobStatus', {
        Guid: JobId,
      });
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
