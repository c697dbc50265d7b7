/**
 * Starts one PostgreSQL server for the whole test run when PostgreSQL is
 * among the tested dialects; each test file then makes its own database.
 */
import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from './support/postgres.js';
import { testDialects } from './support/dialects.js';

let server: TestPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!testDialects().includes('postgres')) return;
  server = await startTestPostgres();
  project.provide('postgresUrl', server.url);
  process.env.DEVICE_API_TEST_POSTGRES_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
