/**
 * DeviceApiClient: one method per API method, plus the request -> poll ->
 * page loop as `export()`, an async iterator of result pages.
 */
import { randomUUID } from 'node:crypto';
import { DeviceApiError, JobFailedError, JobTimeoutError } from './errors.js';
import {
  defaultRetryPolicy,
  parseRetryAfter,
  sleep,
  type RetryPolicy,
} from './retry.js';
import { Transport, type RetryEvent } from './transport.js';
import {
  JobStatus,
  type DeviceRequest,
  type DeviceResult,
  type JobDataReply,
  type JobDataRequest,
  type JobIdReply,
  type JobStatusReply,
  type RequestMethod,
} from './types.js';
import { apiBaseUrl } from './url.js';

export interface DeviceApiClientOptions {
  /** Server root (`http://host:5009`) or the API base URL. */
  url: string;
  token: string;
  /** Default `PAT`, as documented; `Bearer` is accepted too. */
  authScheme?: 'PAT' | 'Bearer';
  retry?: Partial<RetryPolicy>;
  /** Limit for one HTTP call, reply body included; default 120 s. */
  requestTimeoutMs?: number;
  onRetry?: (event: RetryEvent) => void;
  userAgent?: string;
  /** For tests: replace fetch, the clock, sleeping and jitter. */
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface RequestOptions extends CallOptions {
  /**
   * Idempotency-Key header; a fresh UUID by default, so the call can be
   * retried safely. `null` sends none, and the call is then never retried.
   */
  idempotencyKey?: string | null;
}

export interface WaitOptions extends CallOptions {
  /** Give up waiting for the job after this long; default 1 hour. */
  timeoutMs?: number;
  /** Polling interval when the server sends no Retry-After; default 500. */
  pollMs?: number;
  /** Called with every status reply (progress). */
  onStatus?: (status: JobStatusReply) => void;
}

export interface PageOptions extends CallOptions {
  /** Results per GetJobData call, 1..1000; default 1000. */
  pageSize?: number;
}

export interface ExportOptions extends DeviceRequest, WaitOptions, PageOptions {
  /** Default RequestAllInfos. */
  method?: RequestMethod;
  idempotencyKey?: string;
  /** Called once the job is stored, with its JobId. */
  onJob?: (JobId: string) => void;
}

/** One GetJobData page, with its position. */
export interface JobDataPage extends JobDataReply<DeviceResult> {
  Page: number;
  PageSize: number;
}

/** A page of an export, with the finished job's status (and Watermark). */
export interface ExportPage extends JobDataPage {
  JobId: string;
  job: JobStatusReply;
}

const maxPollMs = 5_000;
const minPollMs = 100;

export class DeviceApiClient {
  /** The API base URL, ending in /five9sWS/api/devices. */
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: DeviceApiClientOptions) {
    if (!options.token) throw new TypeError('A token is required.');
    this.baseUrl = apiBaseUrl(options.url);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.transport = new Transport({
      baseUrl: this.baseUrl,
      authorization: `${options.authScheme ?? 'PAT'} ${options.token}`,
      retry: { ...defaultRetryPolicy, ...options.retry },
      requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
      userAgent: options.userAgent ?? 'device-api-client',
      onRetry: options.onRetry,
      fetch: options.fetch ?? fetch,
      sleep: this.sleep,
      now: this.now,
      random: options.random ?? Math.random,
    });
  }

  requestEpmInventory(body?: DeviceRequest, options?: RequestOptions) {
    return this.request('RequestEpmInventory', body, options);
  }

  requestCustomInventory(body?: DeviceRequest, options?: RequestOptions) {
    return this.request('RequestCustomInventory', body, options);
  }

  requestSecurityInfo(body?: DeviceRequest, options?: RequestOptions) {
    return this.request('RequestSecurityInfo', body, options);
  }

  requestDatabaseViews(body?: DeviceRequest, options?: RequestOptions) {
    return this.request('RequestDatabaseViews', body, options);
  }

  requestAllInfos(body?: DeviceRequest, options?: RequestOptions) {
    return this.request('RequestAllInfos', body, options);
  }

  /** Starts a job with any Request* method. */
  request(
    method: RequestMethod,
    body: DeviceRequest = {},
    options: RequestOptions = {},
  ): Promise<JobIdReply> {
    const key =
      options.idempotencyKey === undefined
        ? randomUUID()
        : options.idempotencyKey;
    return this.transport.call<JobIdReply>(method, requestBody(body), {
      signal: options.signal,
      idempotencyKey: key ?? undefined,
      retryable: key !== null,
    });
  }

  getJobStatus(Guid: string, options: CallOptions = {}) {
    return this.transport.call<JobStatusReply>(
      'GetJobStatus',
      { Guid },
      { signal: options.signal, retryable: true },
    );
  }

  getJobData(request: JobDataRequest, options: CallOptions = {}) {
    return this.transport.call<JobDataReply<DeviceResult>>(
      'GetJobData',
      request,
      { signal: options.signal, retryable: true },
    );
  }

  /**
   * Polls GetJobStatus until the job succeeded (returns its status) or
   * failed (throws JobFailedError), waiting as long as the server's
   * Retry-After asks, else backing off from `pollMs` up to 5 s.
   */
  async waitForJob(
    JobId: string,
    options: WaitOptions = {},
  ): Promise<JobStatusReply> {
    const timeoutMs = options.timeoutMs ?? 3_600_000;
    const deadline = this.now() + timeoutMs;
    let interval = options.pollMs ?? 500;

    for (;;) {
      const { body: status, headers } =
        await this.transport.callWithHeaders<JobStatusReply>(
          'GetJobStatus',
          { Guid: JobId },
          { signal: options.signal, retryable: true },
        );
      options.onStatus?.(status);
      if (status.Status === JobStatus.Success) return status;
      if (status.Status === JobStatus.Failure) {
        throw new JobFailedError(JobId, status);
      }

      const remaining = deadline - this.now();
      if (remaining <= 0) throw new JobTimeoutError(JobId, timeoutMs, status);
      const hinted = parseRetryAfter(headers.get('retry-after'), this.now());
      const wait = Math.max(minPollMs, hinted ?? interval);
      interval = Math.min(maxPollMs, interval * 1.5);
      await this.sleep(Math.min(wait, remaining), options.signal);
    }
  }

  /**
   * Every page of a finished job, in order; always at least page 1. A page
   * size above the server's limit is lowered to that limit.
   */
  async *pages(
    JobId: string,
    options: PageOptions = {},
  ): AsyncGenerator<JobDataPage> {
    const call = { signal: options.signal };
    const first = await this.firstPage(JobId, options.pageSize ?? 1000, call);
    const { PageSize } = first;
    let reply = first.reply;
    let received = 0;

    for (let Page = 1; ; Page++) {
      if (Page > 1) {
        reply = await this.getJobData({ Guid: JobId, Page, PageSize }, call);
      }
      yield { ...reply, Page, PageSize };

      received += reply.Results.length;
      if (received >= reply.TotalCount || reply.Results.length === 0) return;
    }
  }

  /** Page 1, with PageSize lowered to the server's limit if above it. */
  private async firstPage(
    JobId: string,
    PageSize: number,
    call: CallOptions,
  ): Promise<{ reply: JobDataReply<DeviceResult>; PageSize: number }> {
    try {
      const reply = await this.getJobData(
        { Guid: JobId, Page: 1, PageSize },
        call,
      );
      return { reply, PageSize };
    } catch (error) {
      const limit = serverPageLimit(error, PageSize);
      if (limit === undefined) throw error;
      return this.firstPage(JobId, limit, call);
    }
  }

  /**
   * Requests a job, waits for it, and yields its result pages. One page
   * is held at a time, so any number of devices can be streamed.
   *
   * @example
   * for await (const page of client.export({ LastSyncDate: since })) {
   *   for (const device of page.Results) save(device);
   * }
   */
  async *export(options: ExportOptions = {}): AsyncGenerator<ExportPage> {
    const { JobId } = await this.request(
      options.method ?? 'RequestAllInfos',
      options,
      { idempotencyKey: options.idempotencyKey, signal: options.signal },
    );
    options.onJob?.(JobId);

    const job = await this.waitForJob(JobId, options);
    for await (const page of this.pages(JobId, options)) {
      yield { ...page, JobId, job };
    }
  }
}

/** The server's maximum PageSize when `PageSize` was above it. */
function serverPageLimit(error: unknown, PageSize: number): number | undefined {
  if (!(error instanceof DeviceApiError)) return undefined;
  const limit = error.problem.maxPageSize;
  const lower = typeof limit === 'number' && limit >= 1 && limit < PageSize;
  return error.code === 'page_out_of_range' && lower ? limit : undefined;
}

/** Only the documented properties, so extra option fields are not sent. */
function requestBody(request: DeviceRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.Hostnames?.length) body.Hostnames = request.Hostnames;
  if (request.SerialNumbers?.length) {
    body.SerialNumbers = request.SerialNumbers;
  }
  if (request.Computer_Idns?.length) {
    body.Computer_Idns = request.Computer_Idns;
  }
  const since = request.LastSyncDate;
  if (since) {
    body.LastSyncDate = since instanceof Date ? since.toISOString() : since;
  }
  return body;
}
