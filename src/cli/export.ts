/**
 * `device-api export`: request a job, wait for it, download every page and
 * write JSON, NDJSON or CSV, with progress on stderr. Exit codes tell
 * scripts what went wrong (see ExitCode).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  DeviceApiClient,
  DeviceApiError,
  describeCode,
  JobFailedError,
  JobTimeoutError,
  NetworkError,
  RequestMethods,
  apiBaseUrl,
  createExportWriter,
  exportFormats,
  type DeviceRequest,
  type DeviceResult,
  type ExportFormat,
  type ExportWriter,
  type JobStatusReply,
  type RequestMethod,
  type RetryEvent,
  type Section,
} from '../client/index.js';
import {
  readSyncState,
  sameScope,
  writeSyncState,
  type SyncScope,
} from '../client/state.js';

/** Process exit codes of `device-api export`. */
export const ExitCode = {
  Ok: 0,
  /** Anything unexpected, including failing to write the output. */
  Error: 1,
  /** Bad flags, or the server rejected the request as invalid. */
  Usage: 2,
  /** The token is missing, wrong, expired or lacks /api/devices/. */
  Auth: 3,
  /** The job ended with Status 4 (Failure). */
  JobFailed: 4,
  /** Server unreachable, connection lost for good, or timed out. */
  Network: 5,
  /** Any other error reply, or an incomplete download. */
  Server: 6,
  /** Interrupted (Ctrl+C). */
  Interrupted: 130,
} as const;

const sectionNames: Record<string, Section> = {
  epm: 'EpmInventory',
  custom: 'CustomInventory',
  security: 'SecurityInfo',
  views: 'DatabaseViews',
};

interface ExportFlags {
  url?: string;
  token?: string;
  hostnames?: string;
  serialNumbers?: string;
  ids?: string;
  since?: string;
  sections: string;
  pageSize: string;
  format?: string;
  out?: string;
  state?: string;
  timeout: string;
  retries: string;
  quiet?: boolean;
}

/** Everything the export needs, checked before anything is requested. */
interface Plan {
  /** The API base URL, ending in /five9sWS/api/devices. */
  url: string;
  token: string;
  method: RequestMethod;
  sections: Set<Section>;
  request: DeviceRequest;
  pageSize: number;
  format: ExportFormat;
  out?: string;
  statePath?: string;
  timeoutMs: number;
  retries: number;
  quiet: boolean;
}

class UsageError extends Error {}

class IncompleteError extends Error {}

/** What the summary and the state file need from the last page. */
interface LastPage {
  TotalCount: number;
  job: JobStatusReply;
  missing: string[];
}

export function exportCommand(): Command {
  return new Command('export')
    .description('export devices as JSON, NDJSON or CSV (request, wait, page)')
    .option('--url <url>', 'server root or API base URL (env DEVICE_API_URL)')
    .option('--token <token>', 'access token (env DEVICE_API_TOKEN)')
    .option('--hostnames <list>', 'device names: a,b,c or @file')
    .option('--serial-numbers <list>', 'serial numbers: a,b,c or @file')
    .option('--ids <list>', 'Computer_Idn values: 1,2,3 or @file')
    .option('--since <date>', 'only devices changed after (LastSyncDate)')
    .option(
      '--sections <list>',
      'all, or any of epm,custom,security,views',
      'all',
    )
    .option(
      '--page-size <n>',
      'devices per GetJobData call (max: server limit)',
      '1000',
    )
    .addOption(
      new Option('--format <format>', 'default: from --out, else json').choices(
        exportFormats,
      ),
    )
    .option('--out <file>', 'output file (default: standard output)')
    .option('--state <file>', 'incremental sync: saves and reuses Watermark')
    .option('--timeout <seconds>', 'longest wait for the job', '3600')
    .option('--retries <n>', 'retries of a failed call', '10')
    .option('--quiet', 'no progress or summary; errors only')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 bad flags or request rejected, 3 token ' +
        'refused (401/403),\n4 job failed, 5 server unreachable or timed ' +
        'out, 6 other server error,\n1 anything else (e.g. output not ' +
        'writable), 130 interrupted.',
    )
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
    })
    .action(async (flags: ExportFlags) => {
      process.exitCode = await runExport(flags);
    });
}

/** Runs an export; returns the exit code. Never throws. */
export async function runExport(flags: ExportFlags): Promise<number> {
  const log = new Reporter(Boolean(flags.quiet));
  let plan: Plan;
  try {
    plan = await planFrom(flags, log);
  } catch (error) {
    log.error((error as Error).message);
    return error instanceof UsageError ? ExitCode.Usage : ExitCode.Error;
  }

  let writer: ExportWriter;
  try {
    writer = await createExportWriter(plan.format, plan);
  } catch (error) {
    log.error(`cannot write the output: ${(error as Error).message}`);
    return ExitCode.Error;
  }

  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    await download(plan, writer, log, interrupt.signal);
    return ExitCode.Ok;
  } catch (error) {
    await writer.discard().catch(() => {});
    log.end();
    if (interrupt.signal.aborted) {
      log.error('interrupted; no output was written');
      return ExitCode.Interrupted;
    }
    return reportFailure(error, plan, log);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function planFrom(flags: ExportFlags, log: Reporter): Promise<Plan> {
  const url = flags.url ?? process.env.DEVICE_API_URL;
  const token = flags.token ?? process.env.DEVICE_API_TOKEN;
  if (!url) throw new UsageError('give the server with --url URL');
  if (!token) {
    throw new UsageError('give a token with DEVICE_API_TOKEN or --token');
  }
  const { method, sections } = parseSections(flags.sections);
  const plan: Plan = {
    url: baseUrlFlag(url),
    token,
    method,
    sections,
    request: {
      Hostnames: listFlag(flags.hostnames, '--hostnames'),
      SerialNumbers: listFlag(flags.serialNumbers, '--serial-numbers'),
      Computer_Idns: idsFlag(flags.ids),
      LastSyncDate: flags.since,
    },
    pageSize: wholeFlag(flags.pageSize, '--page-size', 1),
    format: (flags.format ?? formatOf(flags.out)) as ExportFormat,
    out: flags.out,
    statePath: flags.state,
    timeoutMs: wholeFlag(flags.timeout, '--timeout', 1) * 1000,
    retries: wholeFlag(flags.retries, '--retries', 0),
    quiet: Boolean(flags.quiet),
  };
  checkCsvTarget(plan);
  if (plan.statePath && !flags.since) await applyState(plan, log);
  return plan;
}

/** One section picks its own method; several use RequestAllInfos. */
function parseSections(text: string): {
  method: RequestMethod;
  sections: Set<Section>;
} {
  const names = text.split(',').map((s) => s.trim().toLowerCase());
  if (names.includes('all')) {
    return { method: 'RequestAllInfos', sections: allSections() };
  }

  const sections = new Set<Section>();
  for (const name of names.filter(Boolean)) {
    const section = sectionNames[name];
    if (!section) {
      throw new UsageError(
        `--sections: unknown section "${name}"; use all or any of ` +
          'epm,custom,security,views',
      );
    }
    sections.add(section);
  }
  if (sections.size === 0) throw new UsageError('--sections is empty');

  const single = Object.entries(RequestMethods).find(
    ([, list]) =>
      list.length === 1 && sections.has(list[0]) && sections.size === 1,
  );
  return {
    method: (single?.[0] as RequestMethod) ?? 'RequestAllInfos',
    sections,
  };
}

function allSections(): Set<Section> {
  return new Set(RequestMethods.RequestAllInfos);
}

/** `a,b,c`, or `@file` with one value per line. */
function listFlag(value: string | undefined, flag: string): string[] {
  if (value === undefined) return [];
  const items = value.startsWith('@')
    ? readListFile(value.slice(1), flag).split(/\r?\n/)
    : value.split(',');
  const list = [...new Set(items.map((s) => s.trim()).filter(Boolean))];
  // An empty list would silently mean "all devices" to the API.
  if (list.length === 0) throw new UsageError(`${flag} has no values`);
  return list;
}

function readListFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${path}: ${(error as Error).message}`,
    );
  }
}

function idsFlag(value: string | undefined): number[] {
  return listFlag(value, '--ids').map((id) => {
    if (!/^\d{1,10}$/.test(id)) {
      throw new UsageError(`--ids: "${id}" is not a Computer_Idn number`);
    }
    return Number(id);
  });
}

function baseUrlFlag(url: string): string {
  try {
    return apiBaseUrl(url);
  } catch (error) {
    throw new UsageError(`--url: ${(error as Error).message}`);
  }
}

function wholeFlag(value: string, flag: string, min: number): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`${flag} must be a whole number >= ${min}: ${value}`);
  }
  return number;
}

function formatOf(out: string | undefined): ExportFormat {
  if (out && /\.csv$/i.test(out)) return 'csv';
  if (out && /\.(ndjson|jsonl)$/i.test(out)) return 'ndjson';
  return 'json';
}

function checkCsvTarget(plan: Plan): void {
  const files =
    plan.sections.has('SecurityInfo') || plan.sections.has('DatabaseViews');
  if (plan.format === 'csv' && files && !plan.out) {
    throw new UsageError(
      'CSV with security or views writes several files: give --out FILE ' +
        '(or --sections epm,custom for one CSV on standard output)',
    );
  }
}

function scopeOf(plan: Plan): SyncScope {
  return {
    Url: plan.url,
    Method: plan.method,
    Sections: [...plan.sections],
    Hostnames: plan.request.Hostnames ?? [],
    SerialNumbers: plan.request.SerialNumbers ?? [],
    Computer_Idns: plan.request.Computer_Idns ?? [],
  };
}

/** Uses the saved Watermark as LastSyncDate when it fits this export. */
async function applyState(plan: Plan, log: Reporter): Promise<void> {
  let state;
  try {
    state = await readSyncState(plan.statePath!);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!state) {
    log.info(`no state in ${plan.statePath} yet: full export`);
    return;
  }
  if (!sameScope(state, scopeOf(plan))) {
    log.warn(
      `${plan.statePath} was saved for another URL, sections or device ` +
        'list: full export',
    );
    return;
  }
  plan.request.LastSyncDate = state.Watermark;
  log.info(`changes since ${state.Watermark} (from ${plan.statePath})`);
}

async function download(
  plan: Plan,
  writer: ExportWriter,
  log: Reporter,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  const client = new DeviceApiClient({
    url: plan.url,
    token: plan.token,
    retry: { retries: plan.retries },
    onRetry: (event) => log.retry(event),
  });

  let written = 0;
  let last: LastPage | undefined;
  for await (const page of client.export({
    ...plan.request,
    method: plan.method,
    pageSize: plan.pageSize,
    timeoutMs: plan.timeoutMs,
    signal,
    onJob: (JobId) => log.info(`job ${JobId} (${plan.method})`),
    onStatus: (status) => log.job(status),
  })) {
    if (page.Page === 1) {
      await writer.begin({
        JobId: page.JobId,
        Watermark: page.job.Watermark ?? null,
        TotalCount: page.TotalCount,
        DevicesNotFound: page.DevicesNotFound,
      });
    }
    for (const device of page.Results) {
      await writer.write(onlyRequested(device, plan));
    }
    written += page.Results.length;
    last = {
      TotalCount: page.TotalCount,
      job: page.job,
      missing: page.DevicesNotFound,
    };
    log.page(page.Page, written, page.TotalCount, page.PageSize);
  }

  if (!last || written !== last.TotalCount) {
    throw new IncompleteError(
      `received ${written} of ${last?.TotalCount} devices; run the ` +
        'export again',
    );
  }
  const files = await writer.finish();
  await saveState(plan, last.job, log);
  log.end();
  log.summary(written, files, last.missing, last.job, Date.now() - started);
}

/** RequestAllInfos for some sections: the others become null, as unasked. */
function onlyRequested(device: DeviceResult, plan: Plan): DeviceResult {
  if (plan.method !== 'RequestAllInfos' || plan.sections.size === 4) {
    return device;
  }
  const result = { ...device };
  for (const section of RequestMethods.RequestAllInfos) {
    if (!plan.sections.has(section)) result[section] = null;
  }
  return result;
}

async function saveState(
  plan: Plan,
  job: JobStatusReply,
  log: Reporter,
): Promise<void> {
  if (!plan.statePath) return;
  if (!job.Watermark) {
    log.warn('the server sent no Watermark; the state was not saved');
    return;
  }
  await writeSyncState(plan.statePath, {
    ...scopeOf(plan),
    Watermark: job.Watermark,
    SavedAt: new Date().toISOString(),
  });
}

function reportFailure(error: unknown, plan: Plan, log: Reporter): number {
  const message = (error as Error).message;
  if (error instanceof DeviceApiError) return reportApiError(error, log);
  if (error instanceof JobFailedError) {
    log.error(message);
    return ExitCode.JobFailed;
  }
  if (error instanceof NetworkError || error instanceof JobTimeoutError) {
    log.error(`${message} (server ${plan.url})`);
    return ExitCode.Network;
  }
  if (error instanceof IncompleteError) {
    log.error(message);
    return ExitCode.Server;
  }
  log.error(message);
  return ExitCode.Error;
}

function reportApiError(error: DeviceApiError, log: Reporter): number {
  if (error.isAuthError) {
    log.error(
      `${sentence(error.message)} Check the token (--token or ` +
        'DEVICE_API_TOKEN) and its right /api/devices/.',
    );
    return ExitCode.Auth;
  }
  if (error.status === 400 || error.status === 413) {
    log.error(`the server rejected the request: ${error.message}`);
    return ExitCode.Usage;
  }
  const wrongPlace = error.status === 404 && error.code !== 'job_not_found';
  log.error(
    wrongPlace || error.code === 'invalid_reply'
      ? `${sentence(error.message)} Check --url: the server root or the ` +
          'API base ending in /five9sWS/api/devices.'
      : error.message,
  );
  return ExitCode.Server;
}

/** The text as a sentence, ending in exactly one period. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const count = new Intl.NumberFormat('en-US');

const devicesText = (n: number) =>
  `${count.format(n)} ${n === 1 ? 'device' : 'devices'}`;

/**
 * Progress and messages on stderr: a redrawn bar on a terminal, plain
 * lines otherwise (logs, CI), nothing but errors with --quiet.
 */
class Reporter {
  private readonly tty = Boolean(process.stderr.isTTY);
  private barShown = false;
  private lastDetails = '';
  private lastPageLog = 0;

  constructor(private readonly quiet: boolean) {}

  info(text: string): void {
    if (!this.quiet) this.line(text);
  }

  warn(text: string): void {
    if (!this.quiet) this.line(`warning: ${text}`);
  }

  error(text: string): void {
    this.line(`error: ${text}`);
  }

  retry(event: RetryEvent): void {
    const reason = event.reason.startsWith('HTTP')
      ? event.reason
      : `${describeCode(event.reason)} (${event.reason})`;
    this.info(
      `${event.method}: ${reason}; retry ${event.attempt} of ` +
        `${event.retries} in ${(event.delayMs / 1000).toFixed(1)} s`,
    );
  }

  job(status: JobStatusReply): void {
    if (this.quiet) return;
    const details = `job ${status.StatusText ?? status.Status}: ${status.StatusDetails}`;
    if (this.tty) {
      this.bar(status.DevicesDone ?? 0, status.DevicesTotal ?? 0, details);
    } else if (details !== this.lastDetails) {
      this.line(details);
    }
    this.lastDetails = details;
  }

  page(page: number, written: number, total: number, size: number): void {
    if (this.quiet) return;
    const pages = Math.max(1, Math.ceil(total / size));
    const text =
      `page ${page} of ${pages}: ${count.format(written)} of ` +
      `${count.format(total)} devices`;
    if (this.tty) return this.bar(written, total, text);

    const now = Date.now();
    if (page === 1 || page === pages || now - this.lastPageLog >= 2000) {
      this.lastPageLog = now;
      this.line(text);
    }
  }

  /** Clears the bar so the next line starts clean. */
  end(): void {
    if (this.barShown) process.stderr.write('\r\x1b[K');
    this.barShown = false;
  }

  summary(
    written: number,
    files: string[],
    missing: string[],
    job: JobStatusReply,
    ms: number,
  ): void {
    if (missing.length > 0) {
      const shown = missing.slice(0, 20).join(', ');
      const more =
        missing.length > 20 ? ` and ${missing.length - 20} more` : '';
      this.warn(`not found (${missing.length}): ${shown}${more}`);
    }
    this.info(
      `exported ${devicesText(written)} to ${files.join(', ')} ` +
        `in ${(ms / 1000).toFixed(1)} s; Watermark ${job.Watermark ?? '-'}`,
    );
  }

  private bar(done: number, total: number, text: string): void {
    const width = 24;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(share * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const percent = `${Math.round(share * 100)}%`.padStart(4);
    const columns = process.stderr.columns || 80;
    const line = `${bar} ${percent} ${text}`.slice(0, columns - 1);
    process.stderr.write(`\r${line}\x1b[K`);
    this.barShown = true;
  }

  private line(text: string): void {
    this.end();
    process.stderr.write(`device-api export: ${text}\n`);
  }
}
