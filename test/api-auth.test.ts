/**
 * Access tokens: every method needs a valid token with the right
 * /api/devices/; each way a token can be unusable has its own code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/services/tokens.js';
import { testDialects } from './support/dialects.js';
import { withDatabase } from './support/inventory.js';
import {
  createToken,
  post,
  startTestService,
  type TestService,
} from './support/service.js';

const methods = [
  'RequestEpmInventory',
  'RequestCustomInventory',
  'RequestSecurityInfo',
  'RequestDatabaseViews',
  'RequestAllInfos',
  'GetJobStatus',
  'GetJobData',
];

describe.each(testDialects())('access tokens on %s', (dialect) => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 20 });
  });
  afterAll(() => t?.close());

  /** A Request* call with a raw Authorization header (or none). */
  async function call(authorization?: string, method = 'RequestEpmInventory') {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
    };
    if (authorization !== undefined) headers.Authorization = authorization;
    const response = await fetch(`${t.base}/${method}`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    return { response, body: (await response.json()) as any };
  }

  it.each(methods)('%s without a token is 401 token_missing', async (m) => {
    const { response, body } = await call(undefined, m);

    expect(response.status).toBe(401);
    expect(body.code).toBe('token_missing');
    expect(response.headers.get('www-authenticate')).toContain('PAT');
  });

  it('an unknown token is 401 token_invalid', async () => {
    const { response, body } = await call('PAT dapi_not-a-real-token');

    expect(response.status).toBe(401);
    expect(body.code).toBe('token_invalid');
  });

  it('a header without the PAT scheme is 401 token_invalid', async () => {
    const { response, body } = await call(t.token);

    expect(response.status).toBe(401);
    expect(body.code).toBe('token_invalid');
  });

  it('the scheme may be PAT or Bearer in any letter case', async () => {
    for (const scheme of ['PAT', 'pat', 'Bearer']) {
      const { response } = await call(`${scheme} ${t.token}`);
      expect(response.status).toBe(200);
    }
  });

  it('an expired token is 401 token_expired', async () => {
    const token = await createToken(t.config, 'expired', undefined, 1);
    const before = await call(`PAT ${token}`);
    await withDatabase(t.config.database, (db) =>
      db
        .updateTable('ApiToken')
        .set({ ExpiresAt: Date.now() - 60_000 })
        .where('Name', '=', 'expired')
        .execute(),
    );

    const after = await call(`PAT ${token}`);

    expect(before.response.status).toBe(200);
    expect(after.response.status).toBe(401);
    expect(after.body.code).toBe('token_expired');
  });

  it('a revoked token is 401 token_revoked', async () => {
    const token = await createToken(t.config, 'revoked');
    const before = await call(`PAT ${token}`);
    await withDatabase(t.config.database, (db) =>
      new TokenService(db).revoke('revoked'),
    );

    const after = await call(`PAT ${token}`);

    expect(before.response.status).toBe(200);
    expect(after.response.status).toBe(401);
    expect(after.body.code).toBe('token_revoked');
  });

  it.each(methods)(
    '%s with a token lacking /api/devices/ is 403 right_missing',
    async (m) => {
      const token = await createToken(t.config, `other-${m}`, ['/api/other/']);

      const { response, body } = await call(`PAT ${token}`, m);

      expect(response.status).toBe(403);
      expect(body.code).toBe('right_missing');
      expect(body.detail).toContain('/api/devices/');
    },
  );

  it('the right may be granted as /api/devices without slashes', async () => {
    const token = await createToken(t.config, 'loose', ['api/devices']);

    const reply = await post(t.base, 'RequestAllInfos', token, {});

    expect(reply.status).toBe(200);
  });
});
