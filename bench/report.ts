/** Percentiles, the machine's description, and the printed report. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** Nearest-rank percentile of latencies in ms (0 when there are none). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Machine {
  cores: number;
  cpu: string;
  ramGb: number;
  node: string;
  /** 1, 5 and 15 minute load averages. */
  load: number[];
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpu;
  } catch {
    // Not Linux: the model from os.cpus() will do.
  }
  return {
    cores: cpus().length,
    cpu,
    ramGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    load: loadavg().map((n) => round(n, 2)),
  };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export type Line = [label: string, value: string, target?: string];

/** A plain-text table with aligned columns. */
export function table(lines: Line[]): string {
  const width = (i: number) =>
    Math.max(...lines.map((line) => (line[i] ?? '').length));
  const [w0, w1] = [width(0), width(1)];
  return lines
    .map(([label, value, target]) =>
      `  ${label.padEnd(w0)}  ${value.padStart(w1)}  ${target ?? ''}`.trimEnd(),
    )
    .join('\n');
}

const number = new Intl.NumberFormat('en-US');

export const fmt = {
  int: (n: number) => number.format(Math.round(n)),
  ms: (n: number) =>
    n >= 1000
      ? `${round(n / 1000, 2).toFixed(2)} s`
      : `${round(n, n < 10 ? 2 : 1)} ms`,
  mb: (bytes: number) => `${round(bytes / 2 ** 20, 1)} MB`,
  x: (n: number) => `${round(n, 2)}x`,
};
