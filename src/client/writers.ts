/**
 * Export output formats. Each writer takes devices one at a time, so an
 * export of any size streams through; files appear under their final names
 * only when the export completed.
 *
 * - json: `{"JobId", "Watermark", "TotalCount", "DevicesNotFound",
 *   "Results": [...], "ReturnedCount"}`, the GetJobData shape plus job fields
 * - ndjson: one device per line
 * - csv: `<out>` one row per device; `<base>-security.csv` one row per
 *   detection; `<base>-view-<View>.csv` one row per view row
 */
import type { Writable } from 'node:stream';
import {
  deviceColumns,
  deviceRecord,
  epmColumns,
  securityColumns,
  securityRecords,
  viewRecords,
} from './csv.js';
import { CsvTable } from './csv-table.js';
import { FileSink, StreamSink, type Sink } from './sink.js';
import type { DeviceResult, Section } from './types.js';

export const exportFormats = ['json', 'ndjson', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** What is known about the export once its job has finished. */
export interface ExportHeader {
  JobId: string;
  Watermark: string | null;
  TotalCount: number;
  DevicesNotFound: string[];
}

export interface ExportWriter {
  begin(header: ExportHeader): Promise<void>;
  write(device: DeviceResult): Promise<void>;
  /** Completes the output; returns the names of what was written. */
  finish(): Promise<string[]>;
  /** Removes partial output after a failure. */
  discard(): Promise<void>;
}

export interface WriterOptions {
  /** Output file; standard output when not given. */
  out?: string;
  stdout?: Writable;
  /** Sections the export holds (decides the CSV columns and files). */
  sections: ReadonlySet<Section>;
}

export async function createExportWriter(
  format: ExportFormat,
  options: WriterOptions,
): Promise<ExportWriter> {
  const sink = options.out
    ? await FileSink.create(options.out)
    : new StreamSink(options.stdout ?? process.stdout);
  if (format === 'json') return new JsonWriter(sink);
  if (format === 'ndjson') return new NdjsonWriter(sink);
  return CsvWriter.create(sink, options);
}

/** The files a CSV export writes next to `out`. */
export function csvCompanionNames(out: string) {
  const base = out.replace(/\.csv$/i, '');
  return {
    security: `${base}-security.csv`,
    view: (name: string) =>
      `${base}-view-${name.replace(/[^\p{L}\p{N}._-]+/gu, '_')}.csv`,
  };
}

class JsonWriter implements ExportWriter {
  private count = 0;

  constructor(private readonly sink: Sink) {}

  async begin(header: ExportHeader): Promise<void> {
    const head = JSON.stringify(header).slice(0, -1);
    await this.sink.write(`${head},"Results":[`);
  }

  async write(device: DeviceResult): Promise<void> {
    const separator = this.count === 0 ? '\n' : ',\n';
    this.count++;
    await this.sink.write(separator + JSON.stringify(device));
  }

  async finish(): Promise<string[]> {
    await this.sink.write(`\n],"ReturnedCount":${this.count}}\n`);
    await this.sink.commit();
    return [this.sink.name];
  }

  discard(): Promise<void> {
    return this.sink.discard();
  }
}

class NdjsonWriter implements ExportWriter {
  constructor(private readonly sink: Sink) {}

  async begin(): Promise<void> {}

  write(device: DeviceResult): Promise<void> {
    return this.sink.write(`${JSON.stringify(device)}\n`);
  }

  async finish(): Promise<string[]> {
    await this.sink.commit();
    return [this.sink.name];
  }

  discard(): Promise<void> {
    return this.sink.discard();
  }
}

class CsvWriter implements ExportWriter {
  private readonly views = new Map<string, CsvTable>();

  private constructor(
    private readonly devices: CsvTable,
    private readonly security: CsvTable | undefined,
    private readonly options: WriterOptions,
  ) {}

  static async create(sink: Sink, options: WriterOptions): Promise<CsvWriter> {
    const { sections, out } = options;
    const needsFiles =
      sections.has('SecurityInfo') || sections.has('DatabaseViews');
    if (needsFiles && !out) {
      await sink.discard();
      throw new TypeError(
        'CSV with security info or database views writes several files; ' +
          'give an output file.',
      );
    }

    const seed = sections.has('EpmInventory')
      ? [...deviceColumns, ...epmColumns]
      : deviceColumns;
    const devices = new CsvTable(sink, seed);
    const security =
      sections.has('SecurityInfo') && out
        ? new CsvTable(
            await FileSink.create(csvCompanionNames(out).security),
            securityColumns,
            true,
          )
        : undefined;
    return new CsvWriter(devices, security, options);
  }

  async begin(): Promise<void> {}

  async write(device: DeviceResult): Promise<void> {
    await this.devices.add(deviceRecord(device));
    for (const record of securityRecords(device)) {
      await this.security?.add(record);
    }
    if (!this.options.sections.has('DatabaseViews')) return;

    for (const [name, records] of viewRecords(device)) {
      const table = await this.viewTable(name);
      for (const record of records) await table.add(record);
    }
  }

  async finish(): Promise<string[]> {
    const tables = [this.devices, this.security, ...this.views.values()];
    for (const table of tables) await table?.finish();
    return tables.filter((t) => t !== undefined).map((t) => t.sink.name);
  }

  async discard(): Promise<void> {
    const tables = [this.devices, this.security, ...this.views.values()];
    for (const table of tables) await table?.discard();
  }

  private async viewTable(name: string): Promise<CsvTable> {
    let table = this.views.get(name);
    if (!table) {
      const file = csvCompanionNames(this.options.out!).view(name);
      table = new CsvTable(await FileSink.create(file), [
        'Computer_Idn',
        'DeviceName',
      ]);
      this.views.set(name, table);
    }
    return table;
  }
}
