/**
 * Incremental sync state: the server's Watermark after a successful export,
 * to send as the next LastSyncDate. It is kept with the request it belongs
 * to, because a watermark is only valid for the same devices and sections.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface SyncScope {
  Url: string;
  Method: string;
  Sections: string[];
  Hostnames: string[];
  SerialNumbers: string[];
  Computer_Idns: number[];
}

export interface SyncState extends SyncScope {
  /** Server time the exported data was read from (ISO UTC). */
  Watermark: string;
  SavedAt: string;
}

/** The saved state, or undefined when the file does not exist yet. */
export async function readSyncState(
  path: string,
): Promise<SyncState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }

  const state = parse(text);
  if (!state || typeof state.Watermark !== 'string') {
    throw new Error(
      `The state file ${path} is not a saved export state; delete it to ` +
        'start over with a full export.',
    );
  }
  return state;
}

/** Saves the state atomically: a crash never leaves half a file. */
export async function writeSyncState(
  path: string,
  state: SyncState,
): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`, 'utf8');
  await rename(partial, path);
}

/** True when a saved state was made by the same kind of export. */
export function sameScope(a: SyncScope, b: SyncScope): boolean {
  // Hand-edited files may lack a list; treat that as empty.
  const sorted = <T>(list: T[] | undefined) => [...(list ?? [])].sort();
  const key = (s: SyncScope) =>
    JSON.stringify([
      s.Url,
      s.Method,
      sorted(s.Sections),
      sorted(s.Hostnames),
      sorted(s.SerialNumbers),
      sorted(s.Computer_Idns?.map(String)),
    ]);
  return key(a) === key(b);
}

function parse(text: string): SyncState | undefined {
  try {
    const value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    return value && typeof value === 'object'
      ? (value as SyncState)
      : undefined;
  } catch {
    return undefined;
  }
}
