/**
 * The Device API server under test, as its own process (`device-api
 * serve`), so its memory is measured apart from the benchmark client: the
 * peak resident set (VmHWM) covers the HTTP thread and the job thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  /** Base URL of the API: .../five9sWS/api/devices */
  base: string;
  pid: number;
  /** Peak resident set size so far, in bytes. */
  peakRss(): number;
  /** Current resident set size, in bytes. */
  rss(): number;
  /** CPU time the server process used so far (all threads), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  database: string;
  logFile: string;
  /** Extra DEVICE_API_* settings, e.g. the batch size. */
  env?: Record<string, string>;
}

const cli = fileURLToPath(new URL('../bin/device-api.js', import.meta.url));
const startTimeoutMs = 60_000;

export async function startServer(
  options: ServerOptions,
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--database', options.database, '--port', '0'],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The server logs on stderr (and may print on stdout): keep both.
  const log = createWriteStream(options.logFile);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });

  const url = await listeningUrl(child);
  const pid = child.pid!;
  return {
    base: `${url}/five9sWS/api/devices`,
    pid,
    peakRss: () => statusKb(pid, 'VmHWM') * 1024,
    rss: () => statusKb(pid, 'VmRSS') * 1024,
    cpuMs: () => cpuMs(pid),
    stop: () => stopChild(child),
  };
}

/** Waits for the line `Device API at <url>/five9sWS/...` on stderr. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start:\n${output}`));
    }, startTimeoutMs);

    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Device API at (http:\/\/\S+)\/five9sWS/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${output}`));
    });
  });
}

/** A field of /proc/<pid>/status in kB (Linux). */
function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** utime + stime of /proc/<pid>/stat, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
