/**
 * `device-api demo`: a fresh embedded database with the demo fleet and a
 * token, the server on localhost, and the documented request flow run over
 * HTTP with each step printed. Then it keeps serving.
 */
import { rmSync } from 'node:fs';
import { Command } from 'commander';
import { openDatabase, startService } from '../app.js';
import { parseDatabaseUrl } from '../db/connect.js';
import { DevicesRight, TokenService } from '../services/tokens.js';
import { loadDemoFleet } from './data.js';
import { configFrom } from './options.js';
import { onShutdown } from './serve.js';

const demoDatabase = 'sqlite:./data/demo.sqlite';
const say = (text = '') => process.stdout.write(`${text}\n`);

export function demoCommand(): Command {
  return new Command('demo')
    .description('load demo data, start the server, run the documented flow')
    .option('--devices <n>', 'devices in the demo fleet', '2000')
    .option('--port <port>', 'TCP port (default 5009; 0 picks a free one)')
    .option('--no-serve', 'exit after the flow instead of serving')
    .option(
      '--database <url>',
      `database (env DEVICE_API_DATABASE; default: a fresh ${demoDatabase}); ` +
        'its inventory tables are replaced by the demo fleet',
    )
    .option('--log-level <level>', 'log level (default warn)')
    .action(async (flags) => {
      const fresh = !flags.database && !process.env.DEVICE_API_DATABASE;
      const config = configFrom(flags, {
        ...(fresh ? { database: demoDatabase } : {}),
        logLevel: flags.logLevel ?? 'warn',
      });
      await run(config, flags, fresh);
    });
}

async function run(
  config: ReturnType<typeof configFrom>,
  flags: { devices: string; serve: boolean },
  fresh: boolean,
): Promise<void> {
  const secret = await prepare(config, flags.devices, fresh);

  const service = await startService(config);
  const base = `${service.url}/five9sWS/api/devices`;
  say(`Server listening at ${service.url}`);
  await runDocumentedFlow(base, secret);

  if (!flags.serve) {
    await service.close();
    return;
  }
  printNextSteps(base, secret);
  onShutdown(() => service.close());
}

async function prepare(
  config: ReturnType<typeof configFrom>,
  devices: string,
  fresh: boolean,
): Promise<string> {
  const target = parseDatabaseUrl(config.database);
  if (fresh && target.kind === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) {
      rmSync(target.file + suffix, { force: true });
    }
  }

  say(`1. Creating the demo fleet (${devices} devices) in ${config.database}`);
  const summary = await loadDemoFleet(config, { devices });
  say(
    `   ${summary.devices} devices, ${summary.detections} detections, ` +
      `${summary.customValues} custom inventory values`,
  );

  const conn = await openDatabase(config);
  const secret = await new TokenService(conn.db).create({
    Name: `demo-${Date.now()}`,
    Rights: [DevicesRight],
  });
  await conn.close();
  say('2. Created an access token with the right /api/devices/');
  return secret;
}

async function call(
  base: string,
  secret: string,
  method: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}/${method}`, {
    method: 'POST',
    headers: {
      Authorization: `PAT ${secret}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const reply = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new Error(`${method} answered ${response.status}: ${reply.detail}`);
  }
  return reply;
}

/** Request -> poll status -> fetch data, as the documented script does. */
export async function runDocumentedFlow(
  base: string,
  secret: string,
): Promise<Record<string, unknown>> {
  const request = {
    Hostnames: ['WIN10-Test2', 'Windows7-DN54'],
    LastSyncDate: '2025-07-30T00:00:00Z',
  };
  say(`3. POST ${base}/RequestAllInfos`);
  say(`   ${JSON.stringify(request)}`);
  const { JobId } = await call(base, secret, 'RequestAllInfos', request);
  say(`   -> JobId ${JobId}`);

  say('4. POST GetJobStatus until the job is done');
  let status: Record<string, unknown>;
  for (;;) {
    status = await call(base, secret, 'GetJobStatus', { Guid: JobId });
    say(`   -> Status ${status.Status} (${status.StatusDetails})`);
    if (status.Status === 3 || status.Status === 4) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (status.Status === 4) throw new Error('The demo job failed.');

  say('5. POST GetJobData');
  const data = await call(base, secret, 'GetJobData', { Guid: JobId });
  say(JSON.stringify(data, null, 2));
  return data;
}

function printNextSteps(base: string, secret: string): void {
  say();
  say('The server keeps running (Ctrl+C stops it). Try it yourself:');
  say(`  API base URL: ${base}`);
  say(`  Token:        ${secret}`);
  say();
  say('  curl:');
  say(`    curl -s -X POST ${base}/RequestEpmInventory \\`);
  say(`      -H "Authorization: PAT ${secret}" \\`);
  say(
    `      -H "Content-Type: application/json" -d '{"Hostnames":["WIN10-TEST2"]}'`,
  );
  say();
  say('  PowerShell:');
  say(`    $baseUri = "${base}"`);
  say(`    $headers = @{ Authorization = "PAT ${secret}" }`);
  say(
    '    Invoke-RestMethod -Method Post -Uri "$baseUri/RequestAllInfos" ' +
      '-Headers $headers -ContentType "application/json" -Body \'{}\'',
  );
}
