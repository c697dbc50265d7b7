/** `device-api token create|list|revoke`. */
import { Command } from 'commander';
import { openDatabase } from '../db/open.js';
import { DevicesRight, TokenService } from '../services/tokens.js';
import { addDatabaseOption, configFrom } from './options.js';

export function tokenCommand(): Command {
  const token = new Command('token').description('manage access tokens');

  addDatabaseOption(
    token
      .command('create')
      .description('create a token; prints only its secret')
      .requiredOption('--name <name>', 'a unique name for the token')
      .option(
        '--right <right...>',
        `rights of the token (default ${DevicesRight})`,
      )
      .option('--expires-in <days>', 'days until the token expires'),
  ).action(async (flags) => {
    const days = flags.expiresIn ? Number(flags.expiresIn) : undefined;
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) {
      fail('--expires-in must be a whole number of days, at least 1');
    }
    await withTokens(flags, async (tokens) => {
      const existing = await tokens.list();
      if (existing.some((t) => t.Name === flags.name)) {
        fail(`A token named "${flags.name}" exists; choose another name.`);
      }
      const secret = await tokens.create({
        Name: flags.name,
        Rights: flags.right ?? [DevicesRight],
        expiresInDays: days,
      });
      process.stdout.write(`${secret}\n`);
    });
  });

  addDatabaseOption(
    token.command('list').description('list tokens (never their secrets)'),
  ).action(async (flags) => {
    await withTokens(flags, async (tokens) => {
      const iso = (ms: number | null) =>
        ms === null ? '-' : new Date(ms).toISOString().slice(0, 19) + 'Z';
      for (const t of await tokens.list()) {
        const state = t.RevokedAt
          ? 'revoked'
          : t.ExpiresAt && t.ExpiresAt < Date.now()
            ? 'expired'
            : 'active';
        process.stdout.write(
          `${t.Name}\t${state}\trights=${t.Rights.join(',')}\t` +
            `created=${iso(t.CreatedAt)}\texpires=${iso(t.ExpiresAt)}\t` +
            `lastUsed=${iso(t.LastUsedAt)}\n`,
        );
      }
    });
  });

  addDatabaseOption(
    token
      .command('revoke')
      .description('revoke a token by name')
      .argument('<name>'),
  ).action(async (name: string, flags) => {
    await withTokens(flags, async (tokens) => {
      if (!(await tokens.revoke(name))) {
        fail(`No active token named "${name}".`);
      }
      process.stderr.write(`Token "${name}" revoked.\n`);
    });
  });

  return token;
}

async function withTokens(
  flags: Record<string, unknown>,
  work: (tokens: TokenService) => Promise<void>,
): Promise<void> {
  const config = configFrom(flags);
  const conn = await openDatabase(config);
  try {
    await work(new TokenService(conn.db));
  } finally {
    await conn.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
