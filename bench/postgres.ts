/**
 * An embedded PostgreSQL server for `--postgres`, so the PostgreSQL figures
 * need no installed server. Unlike the test server it keeps PostgreSQL's
 * durable defaults (fsync on).
 */
import {
  startTestPostgres,
  type TestPostgres,
} from '../test/support/postgres.js';

export type BenchPostgres = TestPostgres;

export function startBenchPostgres(
  databaseDir: string,
): Promise<BenchPostgres> {
  return startTestPostgres({ databaseDir, durable: true, maxConnections: 100 });
}
