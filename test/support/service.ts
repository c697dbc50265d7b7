/**
 * A real server on a loopback socket over a fresh database with a small
 * demo fleet and a token, for end-to-end tests.
 */
import {
  openDatabase,
  startService,
  type RunningService,
} from '../../src/app.js';
import { loadDemoFleet } from '../../src/cli/data.js';
import { loadConfig, type Config, type ConfigInput } from '../../src/config.js';
import type { DialectName } from '../../src/db/dialects/dialect.js';
import { DevicesRight, TokenService } from '../../src/services/tokens.js';
import { createTestDatabase } from './database.js';

export interface TestService {
  service: RunningService;
  config: Config;
  /** Base URL of the API: .../five9sWS/api/devices */
  base: string;
  token: string;
  close(): Promise<void>;
}

export function testConfig(database: string, extra: ConfigInput = {}): Config {
  return loadConfig(
    { database, port: 0, logLevel: 'silent', pollMs: 50, ...extra },
    {},
  );
}

export async function startTestService(
  dialect: DialectName,
  options: { devices?: number; config?: ConfigInput; worker?: boolean } = {},
): Promise<TestService> {
  const database = await createTestDatabase(dialect);
  const config = testConfig(database, options.config);
  await loadDemoFleet(config, { devices: String(options.devices ?? 300) });
  const token = await createToken(config, 'test');

  const service = await startService(config, { worker: options.worker });
  return {
    service,
    config,
    base: `${service.url}/five9sWS/api/devices`,
    token,
    close: () => service.close(),
  };
}

export async function createToken(
  config: Config,
  Name: string,
  Rights: string[] = [DevicesRight],
  expiresInDays?: number,
): Promise<string> {
  const conn = await openDatabase(config);
  try {
    return await new TokenService(conn.db).create({
      Name,
      Rights,
      expiresInDays,
    });
  } finally {
    await conn.close();
  }
}

/** POSTs JSON with a token; returns status, headers and the parsed body. */
export async function post(
  base: string,
  method: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
  };
  if (token) headers.Authorization = `PAT ${token}`;
  const response = await fetch(`${base}/${method}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** Requests a job and polls until it has finished; returns the JobId. */
export async function runJob(
  base: string,
  token: string,
  method: string,
  body: unknown,
): Promise<{ JobId: string; status: any }> {
  const started = await post(base, method, token, body);
  if (started.status !== 200) {
    throw new Error(
      `${method}: ${started.status} ${JSON.stringify(started.body)}`,
    );
  }
  const JobId = started.body.JobId as string;
  for (let i = 0; i < 600; i++) {
    const status = await post(base, 'GetJobStatus', token, { Guid: JobId });
    if (status.body.Status >= 3) return { JobId, status: status.body };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${JobId} did not finish`);
}

/** Every page of a finished job, concatenated. */
export async function allResults(
  base: string,
  token: string,
  JobId: string,
  PageSize = 100,
): Promise<any[]> {
  const results: any[] = [];
  for (let Page = 1; ; Page++) {
    const page = await post(base, 'GetJobData', token, {
      Guid: JobId,
      Page,
      PageSize,
    });
    results.push(...page.body.Results);
    if (page.body.Results.length < PageSize) return results;
  }
}
