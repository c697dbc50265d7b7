/**
 * Request body decoding for every client: any Content-Type (PowerShell 5.1
 * sends form encoding unless told otherwise), a byte-order mark (UTF-8 or
 * the UTF-16 that Windows PowerShell's Out-File writes), an empty body.
 */
import { ApiError } from '../errors.js';

export function decodeBody(raw: Buffer): string {
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) {
    return raw.subarray(3).toString('utf8');
  }
  if (raw[0] === 0xff && raw[1] === 0xfe) {
    return raw.subarray(2).toString('utf16le');
  }
  if (raw[0] === 0xfe && raw[1] === 0xff) {
    const swapped = Buffer.from(raw.subarray(2));
    return swapped.swap16().toString('utf16le');
  }
  return raw.toString('utf8');
}

/** Parses a JSON body; whitespace only means no body. */
export function parseJsonBody(raw: Buffer): unknown {
  const text = decodeBody(raw).trim();
  if (text === '') return undefined;

  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      'invalid_json',
      `The body is not valid JSON (${(error as Error).message}). Send a ` +
        'JSON object such as {"Hostnames": ["PC01"]} with ' +
        'Content-Type: application/json.',
    );
  }
}
