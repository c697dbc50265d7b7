/**
 * The `device-api` command as real child processes: one-shot CLI commands
 * and `serve` processes that a test can kill like a crash would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/device-api.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `device-api <args>` to its end. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  /** Base URL of the API: .../five9sWS/api/devices */
  base: string;
  /** Ends the process the hard way (no shutdown handlers run). */
  crash(): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Starts `device-api serve` on a free port (port 0) and resolves once it
 * prints the address it listens on.
 */
export function startServe(
  database: string,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<ServeProcess> {
  const child = spawnCli(
    [
      'serve',
      '--database',
      database,
      '--port',
      '0',
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    options.env ?? {},
  );
  running.add(child);
  child.once('exit', () => running.delete(child));

  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const match = /Device API at (\S+)/.exec(stderr);
      if (match) resolve({ child, base: match[1], crash: () => crash(child) });
    });
    child.stdout!.resume();
    child.once('exit', (code) =>
      reject(
        new Error(`serve exited with ${code} before listening:\n${stderr}`),
      ),
    );
  });
}

/** Kills every `serve` process this test file started and is still running. */
export async function crashAllServes(): Promise<void> {
  await Promise.all([...running].map(crash));
}

function crash(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  child.kill('SIGKILL');
  return exited;
}

function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
