/** Telling database outages apart from errors of the work itself. */

/** PostgreSQL error classes that end a connection or a transaction. */
const transientStates = /^(08|57P0[123]|40001|40P01|53300)/;
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'SQLITE_BUSY',
]);

/**
 * Errors of the connection rather than of the work (the database restarting
 * or failing over, a lost socket, a busy SQLite file): a job is left to lease
 * recovery and re-run; an API request gets a 503 to retry.
 */
export function isTransientDbError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    return transientStates.test(code) || transientCodes.has(code);
  }
  return /Connection terminated|connection timeout/i.test(error.message);
}
