/**
 * Configuration: command-line flags win over environment variables, which win
 * over defaults. Read once at start-up, validated as a whole, then frozen.
 */
export interface Config {
  /** Database URL: `sqlite:<file>`, a file path, or `postgres://...`. */
  database: string;
  host: string;
  port: number;
  /** IANA zone the EPM core server writes its local timestamps in. */
  coreTimeZone: string;
  /** How long finished jobs and their results are kept. */
  jobRetentionHours: number;
  /** Identical requests within this window reuse the same job. */
  dedupeWindowSeconds: number;
  maxPageSize: number;
  /** Devices collected per batch (one short transaction each). */
  batchSize: number;
  logLevel: string;
  /** Jobs run at the same time by one worker. */
  workerConcurrency: number;
  /** A worker that stops heartbeating loses its job after this long. */
  leaseSeconds: number;
  /** Runs of one job before it is failed for good. */
  maxAttempts: number;
  /** Fallback polling interval of idle workers. */
  pollMs: number;
  /** Connections of one process's PostgreSQL pool. */
  poolSize: number;
  /** PostgreSQL statement_timeout (0 = none). */
  statementTimeoutMs: number;
  /** After SIGTERM, running jobs get this long before they are handed back. */
  shutdownGraceSeconds: number;
  /**
   * PostgreSQL URL for the workers' LISTEN connection, when `database` goes
   * through a pooler that cannot LISTEN (transaction pooling); default the
   * same as `database`.
   */
  listenDatabase: string;
}

export const defaults: Config = {
  database: 'sqlite:./data/device-api.sqlite',
  host: '127.0.0.1',
  port: 5009,
  coreTimeZone: 'UTC',
  jobRetentionHours: 24,
  dedupeWindowSeconds: 600,
  maxPageSize: 1000,
  batchSize: 1000,
  logLevel: 'info',
  workerConcurrency: 1,
  leaseSeconds: 60,
  maxAttempts: 3,
  pollMs: 1000,
  poolSize: 10,
  statementTimeoutMs: 120_000,
  shutdownGraceSeconds: 20,
  listenDatabase: '',
};

const envNames: Record<keyof Config, string> = {
  database: 'DEVICE_API_DATABASE',
  host: 'DEVICE_API_HOST',
  port: 'DEVICE_API_PORT',
  coreTimeZone: 'DEVICE_API_CORE_TIMEZONE',
  jobRetentionHours: 'DEVICE_API_JOB_RETENTION_HOURS',
  dedupeWindowSeconds: 'DEVICE_API_DEDUPE_WINDOW_SECONDS',
  maxPageSize: 'DEVICE_API_MAX_PAGE_SIZE',
  batchSize: 'DEVICE_API_BATCH_SIZE',
  logLevel: 'DEVICE_API_LOG_LEVEL',
  workerConcurrency: 'DEVICE_API_WORKER_CONCURRENCY',
  leaseSeconds: 'DEVICE_API_LEASE_SECONDS',
  maxAttempts: 'DEVICE_API_MAX_ATTEMPTS',
  pollMs: 'DEVICE_API_POLL_MS',
  poolSize: 'DEVICE_API_POOL_SIZE',
  statementTimeoutMs: 'DEVICE_API_STATEMENT_TIMEOUT_MS',
  shutdownGraceSeconds: 'DEVICE_API_SHUTDOWN_GRACE_SECONDS',
  listenDatabase: 'DEVICE_API_LISTEN_DATABASE',
};

export type ConfigInput = Partial<Record<keyof Config, string | number>>;

const logLevels = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Builds the frozen configuration; throws one error listing every problem. */
export function loadConfig(
  flags: ConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Config> {
  const problems: string[] = [];
  const config = { ...defaults };

  for (const key of Object.keys(defaults) as (keyof Config)[]) {
    const raw = flags[key] ?? env[envNames[key]];
    if (raw === undefined || raw === '') continue;
    const parsed = parseValue(key, raw, problems);
    if (parsed !== undefined) Object.assign(config, { [key]: parsed });
  }

  checkRanges(config, problems);
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(config);
}

function parseValue(
  key: keyof Config,
  raw: string | number,
  problems: string[],
): string | number | undefined {
  if (typeof defaults[key] === 'string') return String(raw);

  const value = Number(raw);
  if (!Number.isInteger(value)) {
    problems.push(`${key} (${envNames[key]}) must be a whole number: ${raw}`);
    return undefined;
  }
  return value;
}

function checkRanges(config: Config, problems: string[]): void {
  const positive: (keyof Config)[] = [
    'jobRetentionHours',
    'maxPageSize',
    'batchSize',
    'workerConcurrency',
    'leaseSeconds',
    'maxAttempts',
    'pollMs',
    'poolSize',
  ];
  for (const key of positive) {
    if ((config[key] as number) < 1) problems.push(`${key} must be >= 1`);
  }
  for (const key of ['statementTimeoutMs', 'shutdownGraceSeconds'] as const) {
    if (config[key] < 0) problems.push(`${key} must be >= 0`);
  }
  if (
    config.listenDatabase !== '' &&
    !/^postgres(ql)?:\/\//i.test(config.listenDatabase)
  ) {
    problems.push('listenDatabase must be a postgres:// URL');
  }
  if (config.port < 0 || config.port > 65535) {
    problems.push(`port must be 0..65535: ${config.port}`);
  }
  if (!isTimeZone(config.coreTimeZone)) {
    problems.push(`coreTimeZone is not an IANA zone: ${config.coreTimeZone}`);
  }
  if (!logLevels.includes(config.logLevel)) {
    problems.push(`logLevel must be one of ${logLevels.join(', ')}`);
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
