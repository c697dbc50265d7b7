/**
 * Where export output goes: a file that appears under its name only once
 * complete (written beside it, then renamed), or standard output. Writes
 * are buffered and wait when the reader is slower than the download, so
 * memory stays flat however many devices pass through.
 */
import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';

export interface Sink {
  /** What the output is called in messages. */
  readonly name: string;
  write(text: string): Promise<void>;
  /** Flushes and puts the output in place. */
  commit(): Promise<void>;
  /** Drops partial output after a failure. */
  discard(): Promise<void>;
}

const flushBytes = 256 * 1024;

/** A file written to `<path>.partial` and renamed to `path` on commit. */
export class FileSink implements Sink {
  private parts: string[] = [];
  private size = 0;
  private readonly partial: string;

  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    partial: string,
  ) {
    this.partial = partial;
  }

  static async create(path: string): Promise<FileSink> {
    const partial = `${path}.partial`;
    const handle = await open(partial, 'w');
    return new FileSink(path, handle, partial);
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= flushBytes) await this.flush();
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.handle.close();
    await rename(this.partial, this.name);
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.partial, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.handle.write(chunk, null, 'utf8');
  }
}

/** Standard output (or any stream), honouring backpressure. */
export class StreamSink implements Sink {
  private parts: string[] = [];
  private size = 0;
  private failure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    readonly name = 'standard output',
  ) {
    // A closed pipe (`| head`) must end the export, not crash it.
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= flushBytes) await this.flush();
  }

  async commit(): Promise<void> {
    await this.flush();
  }

  async discard(): Promise<void> {
    this.parts = [];
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0) return;

    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) {
      // Rejects if the stream fails instead of draining.
      await once(this.stream, 'drain');
    }
    if (this.failure) throw this.failure;
  }
}
