/**
 * The job API's domain: starting jobs (reusing a fresh identical one), their
 * status, and their result pages. The job is stored before its JobId is
 * returned; the work itself happens in a worker.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import { JobStatus, type Job, type JobStore } from '../jobs/store.js';
import {
  parseDeviceRequest,
  type JobDataRequest,
  type RequestMethod,
} from './requests.js';

const comma = Buffer.from(',');
const empty = Buffer.alloc(0);

const statusNames: Record<number, string> = {
  1: 'Pending',
  2: 'Running',
  3: 'Success',
  4: 'Failure',
};

/** GetJobStatus reply: the documented fields first, then additions. */
export interface JobStatusReply {
  Status: number;
  StatusDetails: string;
  JobId: string;
  Method: string;
  StatusText: string;
  DevicesDone: number;
  DevicesTotal: number | null;
  TotalCount: number | null;
  CreatedAt: string;
  StartedAt: string | null;
  FinishedAt: string | null;
  ExpiresAt: string | null;
  /** Use as the next LastSyncDate: the server time the data was read from. */
  Watermark: string | null;
}

export class JobService {
  constructor(
    private readonly store: JobStore,
    private readonly config: Config,
    private readonly onJobCreated: () => void = () => {},
  ) {}

  /** Starts a job, or returns the still-fresh job of an identical request. */
  async request(
    Token_Idn: number,
    method: RequestMethod,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<{ JobId: string; reused: boolean }> {
    const request = parseDeviceRequest(body);
    const Request = JSON.stringify(request);
    const RequestHash = createHash('sha256')
      .update(`${method}\n${Request}`)
      .digest('hex');

    const existing = await this.reusable(
      Token_Idn,
      RequestHash,
      idempotencyKey,
    );
    if (existing) return { JobId: existing.JobId, reused: true };

    const JobId = randomUUID();
    await this.store.insert({
      JobId,
      Token_Idn,
      Method: method,
      Request,
      RequestHash,
      IdempotencyKey: idempotencyKey ?? null,
      CreatedAt: Date.now(),
    });
    this.onJobCreated();
    return { JobId, reused: false };
  }

  /**
   * With an Idempotency-Key, the job that key started (the same request
   * only; a failed one is run again). Without, a pending, running or freshly
   * succeeded job of the identical request.
   */
  private async reusable(
    Token_Idn: number,
    RequestHash: string,
    idempotencyKey: string | undefined,
  ): Promise<Job | undefined> {
    if (idempotencyKey) {
      const keyed = await this.store.findByIdempotencyKey(
        Token_Idn,
        idempotencyKey,
      );
      if (keyed && keyed.RequestHash !== RequestHash) {
        throw new ApiError(
          'idempotency_key_reused',
          `Idempotency-Key "${idempotencyKey}" already started job ` +
            `${keyed.JobId} for a different request; send a new key for a ` +
            'new request.',
          { JobId: keyed.JobId },
        );
      }
      return keyed?.Status === JobStatus.Failure ? undefined : keyed;
    }

    const window = this.config.dedupeWindowSeconds * 1000;
    return this.store.findSameRequest(
      Token_Idn,
      RequestHash,
      Date.now() - window,
    );
  }

  async status(Token_Idn: number, JobId: string): Promise<JobStatusReply> {
    const job = await this.visibleJob(Token_Idn, JobId);
    const iso = (ms: number | null) =>
      ms === null ? null : new Date(ms).toISOString();

    return {
      Status: job.Status,
      StatusDetails: job.StatusDetails,
      JobId: job.JobId,
      Method: job.Method,
      StatusText: statusNames[job.Status],
      DevicesDone: job.DevicesDone,
      DevicesTotal: job.DevicesTotal,
      TotalCount: job.TotalCount,
      CreatedAt: iso(job.CreatedAt)!,
      StartedAt: iso(job.StartedAt),
      FinishedAt: iso(job.FinishedAt),
      ExpiresAt: iso(job.ExpiresAt),
      Watermark: iso(job.Watermark),
    };
  }

  /** One page of results as JSON bytes, assembled from the stored results. */
  async data(Token_Idn: number, request: JobDataRequest): Promise<Buffer> {
    const job = await this.visibleJob(Token_Idn, request.Guid);
    assertSucceeded(job);

    const total = job.TotalCount ?? 0;
    const first = (request.Page - 1) * request.PageSize + 1;
    const last = Math.min(total, request.Page * request.PageSize);
    const results =
      first <= last ? await this.store.readPage(job.JobId, first, last) : [];

    const parts: Buffer[] = [
      Buffer.from(
        `{"ReturnedCount":${results.length},"TotalCount":${total},` +
          '"Results":[',
      ),
    ];
    results.forEach((result, i) => parts.push(i ? comma : empty, result));
    parts.push(
      Buffer.from(`],"DevicesNotFound":${job.DevicesNotFound ?? '[]'}}`),
    );
    return Buffer.concat(parts);
  }

  private async visibleJob(Token_Idn: number, JobId: string): Promise<Job> {
    const job = await this.store.find(JobId, Token_Idn);
    if (!job || (job.ExpiresAt !== null && job.ExpiresAt < Date.now())) {
      throw new ApiError(
        'job_not_found',
        `No job ${JobId} for this token. Jobs are visible only to the token ` +
          `that requested them and are kept ${this.config.jobRetentionHours} ` +
          'hours after they finish; request the data again.',
      );
    }
    return job;
  }
}

function assertSucceeded(job: Job): void {
  if (job.Status === JobStatus.Success) return;

  if (job.Status === JobStatus.Failure) {
    throw new ApiError(
      'job_failed',
      `Job ${job.JobId} failed, so it has no data: ${job.StatusDetails}`,
      { Status: job.Status, StatusDetails: job.StatusDetails },
    );
  }
  throw new ApiError(
    'job_not_ready',
    `Job ${job.JobId} is ${statusNames[job.Status]} ` +
      `(${job.StatusDetails}). Poll GetJobStatus until Status is 3 ` +
      '(Success), then call GetJobData.',
    { Status: job.Status, StatusDetails: job.StatusDetails },
  );
}
