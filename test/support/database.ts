/**
 * A fresh, isolated database per test: a temp SQLite file, or a new
 * database on the test run's PostgreSQL server. Kept after the run for
 * inspection (temp files, throwaway server).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { DialectName } from '../../src/db/dialects/dialect.js';

export async function createTestDatabase(
  dialect: DialectName,
): Promise<string> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'device-api-test-'));
    return `sqlite:${join(dir, 'test.sqlite')}`;
  }

  const adminUrl = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
