/**
 * When and how long to wait before calling again: exponential backoff with
 * jitter, a server's `Retry-After` taking precedence, and the connection
 * errors that mean "try again" (the server restarting, a proxy dropping an
 * idle connection) rather than "you are talking to the wrong place".
 */

export interface RetryPolicy {
  /** Calls after the first one; 0 turns retrying off. */
  retries: number;
  /** First backoff delay; doubled per attempt. */
  minDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server's Retry-After. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 10,
  minDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** Replies worth retrying: rate limited, or the service (or proxy) busy. */
export const retryableStatuses: ReadonlySet<number> = new Set([
  429, 502, 503, 504,
]);

const retryableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Backoff before retry number `attempt` (1-based): doubling from
 * minDelayMs, capped, with "equal jitter" (between half and all of it) so
 * many clients cut off by one restart do not all return at the same moment.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponential = policy.minDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/** Retry-After in milliseconds (delay-seconds or an HTTP date), if valid. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === '') return undefined;

  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);

  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The error code of a connection failure worth retrying, found anywhere in
 * the cause chain (fetch wraps socket errors in a TypeError), or undefined.
 */
export function retryableErrorCode(error: unknown): string | undefined {
  const code = errorCode(error);
  return code !== undefined && retryableCodes.has(code) ? code : undefined;
}

/** The first `code` in the cause chain; a request timeout is ETIMEDOUT. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const err = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (err.name === 'TimeoutError') return 'ETIMEDOUT';
    if (typeof err.code === 'string') return err.code;
    current = err.cause;
  }
  return undefined;
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);

    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
