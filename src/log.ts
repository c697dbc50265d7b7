/**
 * The one logging policy: pino JSON lines on stderr. Requests complete at
 * info with their duration; client errors at info; server errors at error
 * with the error; job events on a child logger carrying the JobId. Tokens
 * and Authorization headers are never logged.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'device-api'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['req.headers.authorization', 'token', 'secret'],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
