/**
 * Personal access tokens: random secrets shown once, stored as SHA-256
 * hashes, each with a list of rights and an optional expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ApiError } from '../errors.js';

/** The right the Device API requires. */
export const DevicesRight = '/api/devices/';

export interface TokenInfo {
  Token_Idn: number;
  Name: string;
  Rights: string[];
  CreatedAt: number;
  ExpiresAt: number | null;
  RevokedAt: number | null;
  LastUsedAt: number | null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `/api/devices` and `api/devices/` both mean the right `/api/devices/`. */
export function normalizeRight(right: string): string {
  const trimmed = right
    .trim()
    .toLowerCase()
    .replace(/^\/+|\/+$/g, '');
  return trimmed === '*' ? '*' : `/${trimmed}/`;
}

const lastUsedEveryMs = 60_000;

export class TokenService {
  private readonly lastUsedWritten = new Map<number, number>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a token and returns its secret (the only time it is shown). */
  async create(input: {
    Name: string;
    Rights: string[];
    expiresInDays?: number;
  }): Promise<string> {
    const secret = `dapi_${randomBytes(24).toString('base64url')}`;
    const now = this.now();
    await this.db
      .insertInto('ApiToken')
      .values({
        Name: input.Name,
        SecretHash: hashSecret(secret),
        Rights: JSON.stringify(input.Rights.map(normalizeRight)),
        CreatedAt: now,
        ExpiresAt: input.expiresInDays
          ? now + input.expiresInDays * 86_400_000
          : null,
      })
      .execute();
    return secret;
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.db
      .selectFrom('ApiToken')
      .selectAll()
      .orderBy('Name')
      .execute();
    return rows.map(({ SecretHash: _hash, ...row }) => ({
      ...row,
      Rights: JSON.parse(row.Rights) as string[],
    }));
  }

  /** Revokes a token by name; false if there is none. */
  async revoke(Name: string): Promise<boolean> {
    const result = await this.db
      .updateTable('ApiToken')
      .set({ RevokedAt: this.now() })
      .where('Name', '=', Name)
      .where('RevokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The token a secret belongs to, checked for state and the right. */
  async authenticate(secret: string, right: string): Promise<TokenInfo> {
    const row = await this.db
      .selectFrom('ApiToken')
      .selectAll()
      .where('SecretHash', '=', hashSecret(secret))
      .executeTakeFirst();

    const now = this.now();
    if (!row) {
      throw new ApiError(
        'token_invalid',
        'The token is unknown. Check that the whole token was copied; ' +
          'create one with "device-api token create".',
      );
    }
    if (row.RevokedAt !== null) {
      throw new ApiError('token_revoked', `Token "${row.Name}" was revoked.`);
    }
    if (row.ExpiresAt !== null && row.ExpiresAt <= now) {
      throw new ApiError(
        'token_expired',
        `Token "${row.Name}" expired on ${new Date(row.ExpiresAt).toISOString()}.`,
      );
    }

    const rights = JSON.parse(row.Rights) as string[];
    const wanted = normalizeRight(right);
    if (!rights.includes(wanted) && !rights.includes('*')) {
      throw new ApiError(
        'right_missing',
        `Token "${row.Name}" does not have the right ${wanted}; ` +
          'grant it to the token or use another one.',
      );
    }

    await this.touch(row.Token_Idn, now);
    return { ...row, Rights: rights };
  }

  /** Records last use at most once a minute per token, to spare writes. */
  private async touch(Token_Idn: number, now: number): Promise<void> {
    const last = this.lastUsedWritten.get(Token_Idn) ?? 0;
    if (now - last < lastUsedEveryMs) return;

    this.lastUsedWritten.set(Token_Idn, now);
    await this.db
      .updateTable('ApiToken')
      .set({ LastUsedAt: now })
      .where('Token_Idn', '=', Token_Idn)
      .execute();
  }
}
