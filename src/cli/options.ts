/** Flags shared by the commands, mapped onto the configuration. */
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigInput } from '../config.js';

export function addDatabaseOption(command: Command): Command {
  return command
    .option(
      '--database <url>',
      'database URL: sqlite:<file> or postgres://... ' +
        '(env DEVICE_API_DATABASE; default sqlite:./data/device-api.sqlite)',
    )
    .option(
      '--log-level <level>',
      'fatal|error|warn|info|debug|trace|silent (env DEVICE_API_LOG_LEVEL)',
    );
}

/** Reads the configuration; prints every problem and exits on bad input. */
export function configFrom(
  flags: Record<string, unknown>,
  overrides: ConfigInput = {},
): Readonly<Config> {
  const input: ConfigInput = { ...overrides };
  const map: Record<string, keyof Config> = {
    database: 'database',
    logLevel: 'logLevel',
    port: 'port',
    host: 'host',
    concurrency: 'workerConcurrency',
  };
  for (const [flag, key] of Object.entries(map)) {
    const value = flags[flag];
    if (typeof value === 'string' || typeof value === 'number') {
      input[key] = value;
    }
  }
  try {
    return loadConfig(input);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
