/**
 * The server phase: jobs through the real HTTP server on loopback, pages,
 * a full export, status latency during a job, and the server's memory.
 */
import { join } from 'node:path';
import { RequestMethods } from '../src/services/requests.js';
import { pollWhileRunning, readAllPages, timeJob } from './api.js';
import { fmt, percentile, round } from './report.js';
import { startServer, type ServerProcess } from './server.js';

export interface MeasureOptions {
  database: string;
  runDir: string;
  /** Two tokens: one for the timed jobs, one for the polled job. */
  tokens: string[];
  batchSize?: number;
  pollers: number;
  pollIntervalMs: number;
  say: (text?: string) => void;
}

export interface ServerFigures {
  allInfosJobMs: number;
  /** CPU time of the server process (both threads) during that job. */
  allInfosCpuMs: number;
  /** Job time of each single-section request. */
  sectionJobMs: Record<string, number>;
  pages: number;
  pageP50Ms: number;
  pageP99Ms: number;
  exportMs: number;
  statusSamples: number;
  statusP50Ms: number;
  statusP99Ms: number;
  /** The RequestAllInfos job that ran while the pollers polled. */
  polledJobMs: number;
  peakRssBytes: number;
  /** Peak RSS (VmHWM) after each step, in MB. */
  peakRssMb: Record<string, number>;
  pollers: number;
  pollIntervalMs: number;
}

const pageSize = 100;

export async function measureServer(
  options: MeasureOptions,
): Promise<ServerFigures> {
  const logFile = join(options.runDir, 'server.log');
  const server = await startServer({
    database: options.database,
    logFile,
    env: options.batchSize
      ? { DEVICE_API_BATCH_SIZE: String(options.batchSize) }
      : {},
  });
  try {
    options.say(
      `3. Server at ${server.base} (pid ${server.pid}, log ${logFile})`,
    );
    const mb = () => round(server.peakRss() / 2 ** 20, 1);
    const peakRssMb: Record<string, number> = { started: mb() };
    const jobs = await measureJobs(server, options, () => mb());
    const polled = await measureStatus(server.base, options);
    jobs.peakRssMb.polledJob = mb();
    return {
      ...jobs,
      ...polled,
      peakRssBytes: server.peakRss(),
      peakRssMb: { started: peakRssMb.started, ...jobs.peakRssMb },
    };
  } finally {
    await server.stop();
  }
}

/** The timed jobs, then all pages of the RequestAllInfos job. */
async function measureJobs(
  server: ServerProcess,
  options: MeasureOptions,
  rssMb: () => number,
) {
  const { say } = options;
  const base = server.base;
  const peakRssMb: Record<string, number> = {};
  const token = options.tokens[0];
  const started = performance.now();
  const cpuBefore = server.cpuMs();
  const allInfos = await timeJob(base, token, 'RequestAllInfos');
  const allInfosCpuMs = server.cpuMs() - cpuBefore;
  say(
    `   RequestAllInfos job: ${fmt.ms(allInfos.ms)} ` +
      `(server CPU ${fmt.ms(allInfosCpuMs)})`,
  );
  peakRssMb.allInfosJob = rssMb();

  const latencies = await readAllPages(base, token, allInfos, pageSize);
  const exportMs = performance.now() - started;
  say(
    `   ${fmt.int(latencies.length)} pages of ${pageSize}: ` +
      `p50 ${fmt.ms(percentile(latencies, 50))}, ` +
      `p99 ${fmt.ms(percentile(latencies, 99))}; ` +
      `export ${fmt.ms(exportMs)}`,
  );
  peakRssMb.pages = rssMb();

  const sectionJobMs: Record<string, number> = {};
  for (const method of Object.keys(RequestMethods)) {
    if (method === 'RequestAllInfos') continue;
    const job = await timeJob(base, token, method);
    sectionJobMs[method] = round(job.ms);
    say(`   ${method} job: ${fmt.ms(job.ms)}`);
  }
  peakRssMb.sectionJobs = rssMb();

  return {
    allInfosJobMs: round(allInfos.ms),
    allInfosCpuMs,
    sectionJobMs,
    pages: latencies.length,
    pageP50Ms: round(percentile(latencies, 50), 2),
    pageP99Ms: round(percentile(latencies, 99), 2),
    exportMs: round(exportMs),
    peakRssMb,
  };
}

/** GetJobStatus latency while another RequestAllInfos job runs. */
async function measureStatus(base: string, options: MeasureOptions) {
  const { pollers, pollIntervalMs } = options;
  const polled = await pollWhileRunning(
    base,
    options.tokens[1],
    'RequestAllInfos',
    pollers,
    pollIntervalMs,
  );
  const status = polled.latencies;
  options.say(
    `   ${pollers} pollers during a RequestAllInfos job ` +
      `(${fmt.ms(polled.job.ms)}): ${status.length} GetJobStatus, ` +
      `p99 ${fmt.ms(percentile(status, 99))}`,
  );

  return {
    statusSamples: status.length,
    statusP50Ms: round(percentile(status, 50), 2),
    statusP99Ms: round(percentile(status, 99), 2),
    polledJobMs: round(polled.job.ms),
    pollers,
    pollIntervalMs,
  };
}
