/**
 * What can go wrong when calling the Device API, as distinct error classes
 * so callers (and the CLI's exit codes) can tell them apart.
 */
import type { JobStatusReply, Problem } from './types.js';

/** The server answered with an error reply (a problem details body). */
export class DeviceApiError extends Error {
  override readonly name = 'DeviceApiError';
  /** HTTP status of the reply. */
  readonly status: number;
  /** Stable error code from the problem body, e.g. `token_invalid`. */
  readonly code: string;
  readonly problem: Problem;
  /** The API method that was called. */
  readonly method: string;

  constructor(method: string, status: number, problem: Problem) {
    const detail = problem.detail ?? problem.title ?? 'no details';
    const code = problem.code ?? `http_${status}`;
    super(`${method} answered ${status} ${code}: ${detail}`);
    this.method = method;
    this.status = status;
    this.code = code;
    this.problem = problem;
  }

  /** True for 401 and 403: the token is missing, wrong, or lacks a right. */
  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** The server could not be reached, or the connection kept failing. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  /** ECONNREFUSED, ECONNRESET, ETIMEDOUT, UND_ERR_SOCKET, ... */
  readonly code: string;
  readonly method: string;

  constructor(method: string, code: string, attempts: number, cause: unknown) {
    const what = code in codeText ? describeCode(code) : innermost(cause);
    super(
      `${method} failed: ${what} (${code}) after ` +
        `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`,
      { cause },
    );
    this.method = method;
    this.code = code;
  }
}

/** The job ended with Status 4 (Failure). */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
  readonly status: JobStatusReply;

  constructor(JobId: string, status: JobStatusReply) {
    super(`Job ${JobId} failed: ${status.StatusDetails}`);
    this.status = status;
  }
}

/** The job did not finish within the export's timeout. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  readonly status: JobStatusReply | undefined;

  constructor(JobId: string, timeoutMs: number, status?: JobStatusReply) {
    super(
      `Job ${JobId} did not finish within ${Math.round(timeoutMs / 1000)} s` +
        (status ? ` (last status: ${status.StatusDetails})` : ''),
    );
    this.status = status;
  }
}

const codeText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
  EAI_AGAIN: 'name lookup failed',
  ENOTFOUND: 'host not found',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no reply in time',
  UND_ERR_BODY_TIMEOUT: 'reply body stalled',
};

export function describeCode(code: string): string {
  return codeText[code] ?? 'network error';
}

/** The message of the deepest cause: fetch says only "fetch failed". */
function innermost(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause && typeof current.cause === 'object') {
    current = current.cause as typeof current;
  }
  return current?.message || 'network error';
}
