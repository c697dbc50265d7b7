/**
 * A CSV file whose header is known only at the end: custom inventory fields
 * and view columns vary between devices. Rows are spooled to a temporary
 * file as they arrive (memory stays flat), and the CSV is written from the
 * spool once every column is known. Tables with fixed columns stream
 * straight through.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { csvLine, utf8Bom, type CsvRecord } from './csv.js';
import { FileSink, type Sink } from './sink.js';

export class CsvTable {
  private readonly columns: string[];
  private readonly index = new Map<string, number>();
  private spool: FileSink | undefined;
  private spoolPath: string | undefined;
  private started = false;
  rows = 0;

  /**
   * @param seedColumns columns that always come first, in this order
   * @param fixed no other columns will appear: stream without spooling
   */
  constructor(
    readonly sink: Sink,
    seedColumns: readonly string[],
    private readonly fixed = false,
  ) {
    this.columns = [...seedColumns];
    this.columns.forEach((column, i) => this.index.set(column, i));
  }

  async add(record: CsvRecord): Promise<void> {
    this.rows++;
    if (this.fixed) {
      await this.writeHeaderOnce();
      await this.sink.write(csvLine(this.columns.map((c) => record[c])));
      return;
    }

    const values: unknown[] = [];
    for (const [column, value] of Object.entries(record)) {
      values[this.columnIndex(column)] = value ?? null;
    }
    await (await this.spoolSink()).write(`${JSON.stringify(values)}\n`);
  }

  /** Writes header and rows, then puts the file in place. */
  async finish(): Promise<void> {
    await this.writeHeaderOnce();
    if (this.spool) await this.copySpool();
    await this.sink.commit();
  }

  async discard(): Promise<void> {
    await this.spool?.discard();
    if (this.spoolPath) await rm(this.spoolPath, { force: true });
    await this.sink.discard();
  }

  private columnIndex(column: string): number {
    let i = this.index.get(column);
    if (i === undefined) {
      i = this.columns.push(column) - 1;
      this.index.set(column, i);
    }
    return i;
  }

  private async spoolSink(): Promise<FileSink> {
    if (!this.spool) {
      this.spoolPath = join(tmpdir(), `device-api-${randomUUID()}.rows`);
      this.spool = await FileSink.create(this.spoolPath);
    }
    return this.spool;
  }

  private async writeHeaderOnce(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.sink.write(utf8Bom + csvLine(this.columns));
  }

  private async copySpool(): Promise<void> {
    await this.spool!.commit();
    const lines = createInterface({
      input: createReadStream(this.spoolPath!, 'utf8'),
      crlfDelay: Infinity,
    });
    const width = this.columns.length;
    for await (const line of lines) {
      const values = JSON.parse(line) as unknown[];
      values.length = width;
      await this.sink.write(csvLine(Array.from(values)));
    }
    await rm(this.spoolPath!, { force: true });
    this.spool = undefined;
  }
}
