/**
 * One API call over HTTP: POST a JSON body, read the JSON reply, and retry
 * what is safe to retry. A call that could start a second job (Request*) is
 * retried only when it carries an Idempotency-Key, which makes the server
 * answer every repeat with the job the first attempt created.
 */
import { DeviceApiError, NetworkError } from './errors.js';
import {
  backoffDelay,
  errorCode,
  parseRetryAfter,
  retryableErrorCode,
  retryableStatuses,
  type RetryPolicy,
} from './retry.js';
import type { Problem } from './types.js';

/** Reported before each retry, e.g. to log "retrying in 2 s". */
export interface RetryEvent {
  method: string;
  /** The retry about to be made: 1 for the second call. */
  attempt: number;
  retries: number;
  delayMs: number;
  /** Why: `HTTP 503`, `ECONNREFUSED`, ... */
  reason: string;
}

export interface TransportOptions {
  baseUrl: string;
  authorization: string;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  userAgent: string;
  onRetry?: (event: RetryEvent) => void;
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

export interface CallSpec {
  signal?: AbortSignal;
  /** Sent as the Idempotency-Key header. */
  idempotencyKey?: string;
  /** May this call be repeated without side effects? */
  retryable: boolean;
}

export interface Reply<T> {
  body: T;
  headers: Headers;
}

/** A failed attempt that may be retried, or turned into the final error. */
type Failure =
  | { kind: 'status'; error: DeviceApiError; retryAfterMs?: number }
  | { kind: 'network'; code: string; cause: unknown };

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async call<T>(method: string, body: unknown, spec: CallSpec): Promise<T> {
    return (await this.callWithHeaders<T>(method, body, spec)).body;
  }

  async callWithHeaders<T>(
    method: string,
    body: unknown,
    spec: CallSpec,
  ): Promise<Reply<T>> {
    const { retry } = this.options;
    const payload = JSON.stringify(body ?? {});

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(method, payload, spec);
      if ('body' in outcome) return outcome;

      if (!spec.retryable || attempt > retry.retries) {
        throw finalError(method, outcome, attempt);
      }
      const delayMs = this.delayFor(outcome, attempt);
      this.options.onRetry?.({
        method,
        attempt,
        retries: retry.retries,
        delayMs,
        reason:
          outcome.kind === 'status'
            ? `HTTP ${outcome.error.status}`
            : outcome.code,
      });
      await this.options.sleep(delayMs, spec.signal);
    }
  }

  private delayFor(failure: Failure, attempt: number): number {
    const { retry, random } = this.options;
    if (failure.kind === 'status' && failure.retryAfterMs !== undefined) {
      return Math.min(failure.retryAfterMs, retry.maxRetryAfterMs);
    }
    return backoffDelay(attempt, retry, random);
  }

  private async attempt<T>(
    method: string,
    payload: string,
    spec: CallSpec,
  ): Promise<Reply<T> | Failure> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
    const signal = spec.signal
      ? AbortSignal.any([spec.signal, timeout])
      : timeout;

    try {
      const response = await this.options.fetch(
        `${this.options.baseUrl}/${method}`,
        { method: 'POST', headers: this.headers(spec), body: payload, signal },
      );
      // The body is read inside the try: a connection cut mid-reply is a
      // network failure like any other.
      const text = await response.text();
      return this.interpret<T>(method, response, text);
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (error instanceof DeviceApiError) throw error;

      const code = retryableErrorCode(error);
      if (code) return { kind: 'network', code, cause: error };
      throw new NetworkError(method, errorCode(error) ?? 'EFETCH', 1, error);
    }
  }

  private headers(spec: CallSpec): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: this.options.authorization,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': this.options.userAgent,
    };
    if (spec.idempotencyKey) headers['Idempotency-Key'] = spec.idempotencyKey;
    return headers;
  }

  private interpret<T>(
    method: string,
    response: Response,
    text: string,
  ): Reply<T> | Failure {
    if (response.ok) {
      const body = parseReply<T>(method, response.status, text);
      return { body, headers: response.headers };
    }

    const error = new DeviceApiError(method, response.status, problemOf(text));
    if (!retryableStatuses.has(response.status)) throw error;
    const retryAfterMs = parseRetryAfter(
      response.headers.get('retry-after'),
      this.options.now(),
    );
    return { kind: 'status', error, retryAfterMs };
  }
}

function parseReply<T>(method: string, status: number, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DeviceApiError(method, status, {
      code: 'invalid_reply',
      detail:
        'the reply is not JSON; check that the URL points at a Device API ' +
        'server',
    });
  }
}

/** The problem details body, or a stand-in when the reply is not one. */
function problemOf(text: string): Problem {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as Problem;
  } catch {
    // Not JSON: a proxy's or another server's error page.
  }
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return snippet ? { detail: snippet } : {};
}

function finalError(method: string, failure: Failure, attempts: number): Error {
  if (failure.kind === 'status') return failure.error;
  return new NetworkError(method, failure.code, attempts, failure.cause);
}
