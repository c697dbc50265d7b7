/**
 * `npm run bench` end to end on a tiny fleet: it runs on both databases and
 * writes every documented figure. Only the shape is checked, never a time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The figures the JSON output promises to compare runs by. */
const numericKeys = [
  'devices',
  'rawBaselineMs',
  'engineLimitMs',
  'allInfosJobMs',
  'ratio',
  'pageP50Ms',
  'pageP99Ms',
  'statusP99Ms',
  'exportMs',
  'peakRssMb',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/main.ts', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A URL the bench makes its own fresh database from. */
async function benchDatabase(dialect: string): Promise<string> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'device-api-bench-'));
    return `sqlite:${join(dir, 'bench.sqlite')}`;
  }
  return createTestDatabase('postgres');
}

describe.each(testDialects())('npm run bench on %s', (dialect) => {
  let run: Run;
  let figures: Record<string, unknown>;

  beforeAll(async () => {
    const json = join(
      mkdtempSync(join(tmpdir(), 'device-api-bench-')),
      'f.json',
    );
    run = await runBench([
      '--devices',
      '40',
      '--pollers',
      '2',
      '--database',
      await benchDatabase(dialect),
      '--json',
      json,
    ]);
    figures = run.code === 0 ? JSON.parse(readFileSync(json, 'utf8')) : {};
  }, 120_000);

  it('finishes and prints the ratio lines', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ratio job / engine limit:');
    expect(run.stdout).toContain('ratio job / JS baseline:');
  });

  it('writes every documented figure as a number', () => {
    for (const key of numericKeys) {
      expect(typeof figures[key], key).toBe('number');
    }
    expect(figures.devices).toBe(40);
    expect(figures.database).toMatch(/^(SQLite|PostgreSQL) \d/);
  });

  it('times each single-section job as well', () => {
    const server = figures.server as { sectionJobMs: Record<string, number> };
    expect(Object.keys(server.sectionJobMs)).toEqual([
      'RequestEpmInventory',
      'RequestCustomInventory',
      'RequestSecurityInfo',
      'RequestDatabaseViews',
    ]);
  });
});
