/** The printed result of a run: one table, then the ratio lines. */
import type { Figures } from './main.js';
import { fmt, table, type Line } from './report.js';

const say = (text = '') => process.stdout.write(`${text}\n`);

export function printReport(f: Figures): void {
  const s = f.server;
  const perK = (ms: number) => `${fmt.ms((ms / f.devices) * 1000)} / 1k dev`;
  const check = (ok: boolean, goal: string) => `${ok ? 'ok ' : 'MISS'} ${goal}`;

  const lines: Line[] = [
    ['measure', 'value', 'target'],
    ['devices', fmt.int(f.devices)],
    ['JS baseline (reference)', fmt.ms(f.rawBaselineMs), perK(f.rawBaselineMs)],
    [
      'engine limit (reference)',
      fmt.ms(f.engineLimitMs),
      perK(f.engineLimitMs),
    ],
    [
      'RequestAllInfos job',
      fmt.ms(f.allInfosJobMs),
      check(f.ratio <= 1.25, '<= 1.25x engine limit'),
    ],
    ...Object.entries(s.sectionJobMs).map(([method, ms]): Line => [
      `${method} job`,
      fmt.ms(ms),
    ]),
    [
      'GetJobData p50 (PageSize 100)',
      fmt.ms(f.pageP50Ms),
      check(f.pageP50Ms <= 3, '<= 3 ms'),
    ],
    [
      'GetJobData p99 (PageSize 100)',
      fmt.ms(f.pageP99Ms),
      check(f.pageP99Ms <= 10, '<= 10 ms'),
    ],
    [
      'full export (request to last page)',
      fmt.ms(f.exportMs),
      `${fmt.int(s.pages)} pages`,
    ],
    [
      'GetJobStatus p50 during a job',
      fmt.ms(f.statusP50Ms),
      `${s.pollers} pollers`,
    ],
    [
      'GetJobStatus p99 during a job',
      fmt.ms(f.statusP99Ms),
      check(f.statusP99Ms <= 20, '<= 20 ms'),
    ],
    [
      'server peak RSS',
      `${f.peakRssMb} MB`,
      check(f.peakRssMb <= 300, '<= 300 MB (at 200k devices)'),
    ],
    [
      'database size after the run',
      `${f.databaseMb} MB`,
      `inventory ${f.inventoryMb} MB`,
    ],
    ['result JSON (all devices)', `${f.resultJsonMb} MB`],
    ['demo fleet load', fmt.ms(f.fleet.loadMs)],
  ];

  say();
  say(
    `${f.database}, ${fmt.int(f.devices)} devices, batch ${f.batchSize}, ` +
      `${f.machine.cores} cores, Node ${f.machine.node}, ` +
      `load ${f.machine.load.join(' ')} -> ${f.loadAfter.join(' ')}`,
  );
  say(table(lines));
  say();
  say(`ratio job / engine limit: ${fmt.x(f.ratio)} (target <= 1.25x)`);
  say(`ratio job / JS baseline:  ${fmt.x(f.baselineRatio)}`);
  if (f.cpuRatio !== null) {
    say(
      `CPU time job / engine limit: ${fmt.x(f.cpuRatio)} ` +
        `(${fmt.ms(f.allInfosCpuMs)} / ${fmt.ms(f.engineLimitCpuMs)})`,
    );
  }
  say(
    'server peak RSS by step (MB): ' +
      Object.entries(s.peakRssMb)
        .map(([step, mb]) => `${step} ${mb}`)
        .join(', '),
  );
  say(`run time ${fmt.ms(f.totalMs)}`);
}
