/**
 * `device-api export` run as a real child process against a real server on
 * loopback: every format, incremental sync with --state, exit codes, and a
 * server restart in the middle of the download.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFleet } from '../src/cli/data.js';
import { connect } from '../src/db/connect.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import {
  createToken,
  startTestService,
  testConfig,
  type TestService,
} from './support/service.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const devices = 2000;

/** The environment without any Device API settings of the caller. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('DEVICE_API_TOKEN' in extra)) delete env.DEVICE_API_TOKEN;
  delete env.DEVICE_API_URL;
  return env;
}

/** A running `node bin/device-api.js ...` with its output collected. */
class Run {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly done: Promise<number>;
  private readonly waiters: (() => void)[] = [];

  constructor(args: string[], env: Record<string, string>, holdStdout = false) {
    this.child = spawn(process.execPath, ['bin/device-api.js', ...args], {
      cwd: repo,
      env: cleanEnv(env),
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      this.stderr += text;
      for (const wake of this.waiters.splice(0)) wake();
    });
    if (!holdStdout) this.readStdout();
    this.done = new Promise((resolve) => {
      this.child.on('close', (code) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve(code ?? -1);
      });
    });
  }

  /** Starts draining stdout (until then the child blocks once the pipe is full). */
  readStdout(): void {
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => (this.stdout += text));
  }

  /** Resolves with the first match of `pattern` in stderr. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.stderr.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`exited before ${pattern}:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

async function exportCli(args: string[], env: Record<string, string> = {}) {
  const run = new Run(['export', ...args], env);
  const code = await run.done;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

/** RFC 4180 reader for checking the files. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

function readCsv(file: string): { header: string[]; rows: string[][] } {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  for (const row of rows) expect(row).toHaveLength(header.length);
  return { header, rows };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const ndjsonIds = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).Computer_Idn as number);

describe.each(testDialects())('device-api export on %s', (dialect) => {
  let t: TestService;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestService(dialect, { devices });
    dir = mkdtempSync(join(tmpdir(), 'device-api-export-'));
    env = { DEVICE_API_TOKEN: t.token };
  });
  afterAll(() => t?.close());

  const count = async (table: string) => {
    const result = await sql<{ n: number }>`
      SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.service.conn.db);
    return Number(result.rows[0].n);
  };

  it('writes JSON with every device and the job fields', async () => {
    const out = join(dir, 'all.json');
    const run = await exportCli(['--url', t.service.url, '--out', out], env);

    expect(run.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.TotalCount).toBe(devices);
    expect(file.ReturnedCount).toBe(file.TotalCount);
    expect(file.Results).toHaveLength(file.TotalCount);
    const ids = new Set(file.Results.map((r: any) => r.Computer_Idn));
    expect(ids.size).toBe(devices);
    expect(file.Watermark).toMatch(/^\d{4}-.*Z$/);
    expect(run.stderr).toContain(`exported 2,000 devices to ${out}`);
    expect(run.stderr).not.toContain(t.token);
  });

  it('streams NDJSON to standard output, one device per line', async () => {
    const run = await exportCli(
      ['--url', t.base, '--format', 'ndjson', '--page-size', '300'],
      env,
    );

    expect(run.code).toBe(0);
    const ids = ndjsonIds(run.stdout);
    expect(ids).toHaveLength(devices);
    expect(new Set(ids).size).toBe(devices);
    expect(run.stderr).toMatch(/page 7 of 7: 2,000 of 2,000 devices/);
  });

  it('writes CSV files for devices, detections and each view', async () => {
    const out = join(dir, 'fleet.csv');
    const run = await exportCli(['--url', t.service.url, '--out', out], env);

    expect(run.code).toBe(0);
    const main = readCsv(out);
    expect(main.rows).toHaveLength(devices);
    expect(main.header.slice(0, 6)).toEqual([
      'Computer_Idn',
      'SerialNumber',
      'DeviceId',
      'DeviceName',
      'DisplayName',
      'Type',
    ]);
    expect(main.header).toContain('Custom.Tag ID #');
    const security = readCsv(join(dir, 'fleet-security.csv'));
    expect(security.rows).toHaveLength(await count('CVDetected'));
    const warranty = readCsv(join(dir, 'fleet-view-Warranty.csv'));
    expect(warranty.rows).toHaveLength(await count('DeviceWarranty'));
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('flattens the documented example device into one CSV row', async () => {
    const out = join(dir, 'one.csv');
    const run = await exportCli(
      [
        '--url',
        t.base,
        '--ids',
        '10',
        '--sections',
        'epm,custom',
        '--format',
        'csv',
      ],
      env,
    );
    expect(run.code).toBe(0);

    writeFileSync(out, run.stdout);
    const { header, rows } = readCsv(out);
    const row = Object.fromEntries(header.map((h, i) => [h, rows[0][i]]));
    expect(rows).toHaveLength(1);
    expect(row.DeviceName).toBe('WIN10-TEST2');
    expect(row.LDAPLocation).toBe(
      'CN=WIN10-TEST2,CN=Computers,DC=59s16,DC=local',
    );
    expect(row['Custom.Location']).toBe('Berlin');
  });

  it('uses the single section method, or drops unrequested sections', async () => {
    const one = await exportCli(
      ['--url', t.base, '--ids', '10', '--sections', 'security'],
      env,
    );
    const [device] = JSON.parse(one.stdout).Results;
    expect(one.stderr).toContain('(RequestSecurityInfo)');
    expect(device.SecurityInfo).toHaveLength(2);
    expect(device.EpmInventory).toBeNull();

    const two = await exportCli(
      ['--url', t.base, '--ids', '10', '--sections', 'epm,security'],
      env,
    );
    const [both] = JSON.parse(two.stdout).Results;
    expect(two.stderr).toContain('(RequestAllInfos)');
    expect(both.EpmInventory.DeviceName).toBe('WIN10-TEST2');
    expect(both.SecurityInfo).toHaveLength(2);
    expect(both.CustomInventory).toBeNull();
    expect(both.DatabaseViews).toBeNull();
  });

  it('reads identifier lists from @file and reports those not found', async () => {
    const list = join(dir, 'hosts.txt');
    writeFileSync(list, '\uFEFFwin10-test2\r\nWindows7-DN54\r\n\r\n');
    const run = await exportCli(
      ['--url', t.base, '--hostnames', `@${list}`],
      env,
    );

    expect(run.code).toBe(0);
    const file = JSON.parse(run.stdout);
    expect(file.Results.map((r: any) => r.Computer_Idn)).toEqual([10]);
    expect(file.DevicesNotFound).toEqual(['Windows7-DN54']);
    expect(run.stderr).toContain('not found (1): Windows7-DN54');
  });

  it('--state fetches only the devices changed since the last run', async () => {
    const state = join(dir, 'sync.state.json');
    const args = ['--url', t.base, '--format', 'ndjson', '--state', state];

    const first = await exportCli(args, env);
    expect(first.code).toBe(0);
    expect(ndjsonIds(first.stdout)).toHaveLength(devices);
    const saved = JSON.parse(readFileSync(state, 'utf8'));

    await changeDevices(t.config.database, { custom: 10, epm: 17 });
    const second = await exportCli(args, env);
    expect(second.code).toBe(0);
    expect(ndjsonIds(second.stdout)).toEqual([10, 17]);
    expect(second.stderr).toContain(`changes since ${saved.Watermark}`);

    const third = await exportCli(args, env);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe('');
    const last = JSON.parse(readFileSync(state, 'utf8'));
    expect(Date.parse(last.Watermark)).toBeGreaterThan(
      Date.parse(saved.Watermark),
    );
  }, 120_000);

  it('exits with 3 for a bad token and writes no output', async () => {
    const out = join(dir, 'denied.json');
    const run = await exportCli([
      '--url',
      t.service.url,
      '--token',
      'wrong-secret-value',
      '--out',
      out,
    ]);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/401 token_invalid/);
    expect(run.stderr).not.toContain('wrong-secret-value');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('exits with 2 when the server rejects the request', async () => {
    const run = await exportCli(['--url', t.base, '--since', 'soon'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LastSyncDate "soon" is not a date');
  });

  it('exits with 4 when the job fails', async () => {
    const db = t.service.conn.db;
    await db
      .insertInto('DatabaseView')
      .values({
        Name: 'Gone',
        SourceName: 'NoSuchTable',
        KeyColumn: 'Computer_Idn',
        ChangeColumn: null,
        CreatedAt: Date.now(),
      })
      .execute();
    try {
      const run = await exportCli(
        ['--url', t.base, '--sections', 'views', '--ids', '10'],
        env,
      );
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(/failed: .*NoSuchTable/);
    } finally {
      await db.deleteFrom('DatabaseView').where('Name', '=', 'Gone').execute();
    }
  });
});

/** Marks one device's custom inventory and another's EPM data as changed. */
async function changeDevices(
  database: string,
  ids: { custom: number; epm: number },
): Promise<void> {
  const conn = connect(database);
  const now = new Date();
  try {
    await conn.db
      .updateTable('CustomInventoryValue')
      .set({ Value: 'changed', UpdatedAt: now.toISOString() })
      .where('Computer_Idn', '=', ids.custom)
      .execute();
    // EPM columns hold the core server's wall time (UTC in the tests).
    await conn.db
      .updateTable('Computer')
      .set({ LastUpdInvSvr: now.toISOString().slice(0, 23) })
      .where('Computer_Idn', '=', ids.epm)
      .execute();
  } finally {
    await conn.close();
  }
}

describe('device-api export without a server', () => {
  it('exits with 2 for missing or bad flags', async () => {
    const noUrl = await exportCli([], { DEVICE_API_TOKEN: 'x' });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--url');

    // An empty list must not turn into "all devices".
    const empty = await exportCli(
      ['--url', 'http://127.0.0.1:9', '--hostnames', ' , '],
      { DEVICE_API_TOKEN: 'x' },
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--hostnames has no values');

    const noToken = await exportCli(['--url', 'http://127.0.0.1:9']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('DEVICE_API_TOKEN');
  });

  it('exits with 5 when the server cannot be reached', async () => {
    const port = await closedPort();
    const run = await exportCli(
      ['--url', `http://127.0.0.1:${port}`, '--retries', '1'],
      { DEVICE_API_TOKEN: 'x' },
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('ECONNREFUSED');
  });
});

describe.each(testDialects())(
  'export across a server restart on %s',
  (dialect) => {
    const fleet = 1200;
    let database: string;
    let token: string;
    let server: Run | undefined;
    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      const config = testConfig(database);
      await loadDemoFleet(config, { devices: String(fleet) });
      token = await createToken(config, 'restart');
    });
    afterAll(async () => {
      server?.child.kill('SIGKILL');
      await server?.done;
    });

    /** `serve` as its own process, so it can be killed and started again. */
    async function serve(port: number): Promise<number> {
      server = new Run(
        ['serve', '--database', database, '--port', String(port)],
        { DEVICE_API_LOG_LEVEL: 'warn' },
      );
      const [, actual] = await server.waitFor(/Device API at http:\S+:(\d+)\//);
      return Number(actual);
    }

    it('survives the server being killed and restarted mid-download', async () => {
      const port = await serve(0);
      const cli = new Run(
        [
          'export',
          '--url',
          `http://127.0.0.1:${port}`,
          '--format',
          'ndjson',
          '--page-size',
          '25',
        ],
        { DEVICE_API_TOKEN: token },
        true,
      );

      // Unread stdout stalls the client after a few pages: kill the server
      // then, let the client run into the dead port, and bring it back.
      await cli.waitFor(/page 1 of 48/);
      server!.child.kill('SIGKILL');
      await server!.done;
      cli.readStdout();
      await cli.waitFor(/GetJobData: .*retry 1 of 10/);
      await serve(port);

      expect(await cli.done).toBe(0);
      const ids = ndjsonIds(cli.stdout);
      expect(ids).toHaveLength(fleet);
      expect(new Set(ids).size).toBe(fleet);
      expect(cli.stderr).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
    }, 120_000);
  },
);
