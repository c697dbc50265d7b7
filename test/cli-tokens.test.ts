/**
 * `device-api token create|list|revoke` as real processes, against a
 * running server on the same database. The commands do not depend on each
 * other, so they run side by side once; each test checks one outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, TokenService } from '../src/services/tokens.js';
import { createTestDatabase } from './support/database.js';
import { testDialects } from './support/dialects.js';
import { withDatabase } from './support/inventory.js';
import { runCli, type CliResult } from './support/process.js';
import {
  createToken,
  post,
  startTestService,
  type TestService,
} from './support/service.js';

const secretLine = /^dapi_[A-Za-z0-9_-]{32}\n$/;
const createFlags = ['--right', '/api/devices/', '--expires-in', '30'];

describe.each(testDialects())('device-api token on %s', (dialect) => {
  let t: TestService;
  /** Secrets of tokens made beforehand, for list and revoke to act on. */
  let listed: { active: string; revoked: string };
  let doomed: string;
  let doomedBefore: number;
  let run: Record<'create' | 'taken' | 'list' | 'revoke', CliResult>;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 20 });
    await createToken(t.config, 'taken');
    listed = {
      active: await createToken(t.config, 'listed-active'),
      revoked: await createToken(t.config, 'listed-revoked'),
    };
    await withDatabase(t.config.database, (db) =>
      new TokenService(db).revoke('listed-revoked'),
    );
    doomed = await createToken(t.config, 'doomed');
    doomedBefore = (await post(t.base, 'RequestEpmInventory', doomed, {}))
      .status;

    const cli = (...args: string[]) =>
      runCli([...args, '--database', t.config.database]);
    const [create, taken, list, revoke] = await Promise.all([
      cli('token', 'create', '--name', 'ops', ...createFlags),
      cli('token', 'create', '--name', 'taken'),
      cli('token', 'list'),
      cli('token', 'revoke', 'doomed'),
    ]);
    run = { create, taken, list, revoke };
  });
  afterAll(() => t?.close());

  it('token create prints only the secret on stdout', () => {
    expect(run.create.code).toBe(0);
    expect(run.create.stdout).toMatch(secretLine);
  });

  it('the printed secret is a working token', async () => {
    const secret = run.create.stdout.trim();

    const reply = await post(t.base, 'RequestEpmInventory', secret, {});

    expect(reply.status).toBe(200);
  });

  it('token create refuses a name that is taken', () => {
    expect(run.taken.code).toBe(1);
    expect(run.taken.stdout).toBe('');
    expect(run.taken.stderr).toContain('"taken" exists');
  });

  it('token create --expires-in stores an expiry that many days ahead', async () => {
    const { ExpiresAt } = await withDatabase(t.config.database, (db) =>
      db
        .selectFrom('ApiToken')
        .select('ExpiresAt')
        .where('Name', '=', 'ops')
        .executeTakeFirstOrThrow(),
    );

    expect(run.create.code).toBe(0);
    const days = (ExpiresAt! - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('token list shows names, rights and states', () => {
    expect(run.list.code).toBe(0);
    expect(run.list.stdout).toMatch(
      /^listed-active\tactive\trights=\/api\/devices\/\t/m,
    );
    expect(run.list.stdout).toMatch(/^listed-revoked\trevoked\t/m);
  });

  it('token list never prints a secret or its hash', () => {
    const output = run.list.stdout + run.list.stderr;

    for (const secret of [listed.active, listed.revoked]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(hashSecret(secret));
    }
    expect(output).not.toContain('dapi_');
  });

  it('token revoke makes the token 401 token_revoked', async () => {
    const after = await post(t.base, 'RequestEpmInventory', doomed, {});

    expect(doomedBefore).toBe(200);
    expect(run.revoke.code).toBe(0);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('token_revoked');
  });
});

describe('device-api token argument checks', () => {
  let expiresZero: CliResult;
  let revokeUnknown: CliResult;

  beforeAll(async () => {
    const database = await createTestDatabase('sqlite');
    const cli = (...args: string[]) =>
      runCli([...args, '--database', database]);
    [expiresZero, revokeUnknown] = await Promise.all([
      cli('token', 'create', '--name', 'never', '--expires-in', '0'),
      cli('token', 'revoke', 'nobody'),
    ]);
  });

  it('token create --expires-in 0 is refused', () => {
    expect(expiresZero.code).toBe(1);
    expect(expiresZero.stdout).toBe('');
    expect(expiresZero.stderr).toContain('--expires-in');
  });

  it('token revoke of an unknown name fails and says so', () => {
    expect(revokeUnknown.code).toBe(1);
    expect(revokeUnknown.stderr).toContain('No active token named "nobody"');
  });
});
