/**
 * Request body decoding for every client: any Content-Type (PowerShell 5.1
 * sends form encoding unless told otherwise), the charset it names or, when
 * it names none, UTF-8 with a fallback to the ISO-8859-1 that Windows
 * PowerShell encodes text in; a byte-order mark (UTF-8 or the UTF-16 that
 * Out-File writes); an empty body. JSON that parses but is ambiguous
 * (a property given twice) or absurdly nested is refused, not guessed at.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The charset parameter of the Content-Type sent, lower case. */
    bodyCharset: string;
  }
}

/** No request of this API nests deeper than 3 levels. */
const maxDepth = 20;

/** Reads every body as JSON, whatever its declared media type. */
export function registerBodyParser(app: FastifyInstance): void {
  app.decorateRequest('bodyCharset', '');

  app.addHook('onRequest', async (request) => {
    const type = request.headers['content-type'];
    if (type === undefined) return;
    request.bodyCharset = charsetOf(type);
    // Fastify answers 415 to media types it cannot parse before any parser
    // runs; here the body decides, so the declared type is set aside.
    request.headers['content-type'] = 'application/octet-stream';
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (request, body, done) => {
      try {
        checkContentEncoding(request.headers['content-encoding']);
        done(null, parseJsonBody(body as Buffer, request.bodyCharset));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

function charsetOf(contentType: string): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match ? match[1].toLowerCase() : '';
}

function checkContentEncoding(value: string | undefined): void {
  if (!value || value.trim().toLowerCase() === 'identity') return;
  throw new ApiError(
    'unsupported_content_encoding',
    `Content-Encoding "${value}" is not supported; send the body ` +
      'uncompressed, without a Content-Encoding header.',
  );
}

/** Parses a JSON body; whitespace only means no body. */
export function parseJsonBody(raw: Buffer, charset = ''): unknown {
  const text = decodeBody(raw, charset).trim();
  if (text === '') return undefined;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw notJson(text, error as Error);
  }
  checkStructure(text);
  return value;
}

type Encoding = 'utf8' | 'utf16' | 'utf16le' | 'utf16be' | 'latin1' | 'cp1252';

const charsets: Record<string, Encoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'utf-16': 'utf16',
  utf16: 'utf16',
  unicode: 'utf16',
  'ucs-2': 'utf16',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
  unicodefffe: 'utf16be',
  'iso-8859-1': 'latin1',
  iso8859_1: 'latin1',
  'iso8859-1': 'latin1',
  'iso_8859-1': 'latin1',
  latin1: 'latin1',
  l1: 'latin1',
  'us-ascii': 'latin1',
  ascii: 'latin1',
  'windows-1252': 'cp1252',
  cp1252: 'cp1252',
  'x-cp1252': 'cp1252',
};

/**
 * The body as text. A byte-order mark wins over the declared charset (it
 * cannot lie); JSON without either is UTF-16 when every other byte of its
 * first character is zero (RFC 4627 detection), else UTF-8, else the
 * ISO-8859-1 that Windows PowerShell sends when no charset is given.
 */
export function decodeBody(raw: Buffer, charset = ''): string {
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) {
    return utf8(raw.subarray(3), true);
  }
  if (raw[0] === 0xff && raw[1] === 0xfe) return utf16(raw.subarray(2), 'le');
  if (raw[0] === 0xfe && raw[1] === 0xff) return utf16(raw.subarray(2), 'be');

  const declared = charset ? charsets[charset] : undefined;
  if (charset && !declared) {
    throw new ApiError(
      'unsupported_charset',
      `The body's charset "${charset}" is not supported; send UTF-8 ` +
        'with Content-Type: application/json; charset=utf-8.',
    );
  }

  const sniffed = sniffUtf16(raw);
  switch (declared) {
    case 'utf8':
      return utf8(raw, true);
    case 'utf16':
      return utf16(raw, sniffed ?? 'le');
    case 'utf16le':
      return utf16(raw, 'le');
    case 'utf16be':
      return utf16(raw, 'be');
    case 'latin1':
      return raw.toString('latin1');
    case 'cp1252':
      return cp1252(raw);
  }
  if (sniffed) return utf16(raw, sniffed);
  return isUtf8(raw) ? raw.toString('utf8') : cp1252(raw);
}

function sniffUtf16(raw: Buffer): 'le' | 'be' | undefined {
  if (raw.length < 2) return undefined;
  if (raw[0] === 0 && raw[1] !== 0) return 'be';
  if (raw[0] !== 0 && raw[1] === 0) return 'le';
  return undefined;
}

function utf8(raw: Buffer, declared: boolean): string {
  if (isUtf8(raw)) return raw.toString('utf8');
  if (!declared) return cp1252(raw);
  throw new ApiError(
    'invalid_encoding',
    'The body is not valid UTF-8 although it says so (charset=utf-8 or ' +
      'a UTF-8 byte-order mark). Encode the text as UTF-8, or name its ' +
      'real charset in Content-Type.',
  );
}

/** Windows-1252 differs from ISO-8859-1 only in bytes 0x80 to 0x9F. */
const cp1252High =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160' +
  '\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022' +
  '\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

// Node's TextDecoder reads windows-1252 as ISO-8859-1, hence the table.
function cp1252(raw: Buffer): string {
  return raw
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => cp1252High[c.charCodeAt(0) - 0x80]);
}

/**
 * UTF-16 text. NUL characters are dropped: JSON cannot contain them raw,
 * and `curl -d @file` leaves them behind when it strips the line breaks
 * from a UTF-16 file.
 */
function utf16(raw: Buffer, order: 'le' | 'be'): string {
  const even = raw.subarray(0, raw.length - (raw.length % 2));
  const bytes = order === 'be' ? Buffer.from(even).swap16() : even;
  return bytes.toString('utf16le').replace(/\0/g, '');
}

function notJson(text: string, error: Error): ApiError {
  if (looksLikeForm(text)) {
    const names = text.split('&').map((pair) => pair.split('=')[0]);
    return new ApiError(
      'form_body',
      `The body is form-encoded (${names.slice(0, 5).join(', ')}), not ` +
        'JSON. Windows PowerShell sends a hashtable -Body this way: convert ' +
        'it first with -Body ($body | ConvertTo-Json) and add ' +
        "-ContentType 'application/json; charset=utf-8'.",
    );
  }
  return new ApiError(
    'invalid_json',
    `The body is not valid JSON (${error.message}).${jsonHint(text)} ` +
      'Send a JSON object such as {"Hostnames": ["PC01"]}.',
  );
}

const formPair = '[\\w.%+\\-[\\]]+=[^&]*';
const formBody = new RegExp(`^${formPair}(?:&${formPair})*$`);

function looksLikeForm(text: string): boolean {
  return !/^[{["]/.test(text) && formBody.test(text);
}

/** The usual reason a hand-written body is not JSON, as advice. */
function jsonHint(text: string): string {
  const bare = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\/\/|\/\*/.test(bare)) return ' JSON has no comments; remove them.';
  if (/,\s*[}\]]/.test(bare)) {
    return ' Remove the comma before the closing } or ].';
  }
  if (bare.includes("'")) {
    return ' Text and property names need double quotes, not single quotes.';
  }
  if (/[{,[]\s*[A-Za-z_][\w-]*\s*[:,\]}]/.test(bare)) {
    return (
      ' Property names and text values need double quotes. A shell that ' +
      'strips them from a command line (cmd, or Windows PowerShell 5.1 ' +
      'calling curl.exe) causes this: escape them as \\" or send the body ' +
      'from a file with --data-binary @body.json.'
    );
  }
  return '';
}

const structural = /["{}[\]]/g;

/**
 * Rejects what JSON.parse lets through silently: a property given twice
 * (the last would win) and nesting deeper than any request needs.
 */
function checkStructure(text: string): void {
  const open: (Set<string> | null)[] = [];
  structural.lastIndex = 0;

  for (let m = structural.exec(text); m; m = structural.exec(text)) {
    const at = m.index;
    const char = text[at];
    if (char === '"') {
      const end = endOfString(text, at);
      const object = open[open.length - 1];
      if (object && text[afterSpace(text, end)] === ':') {
        addKey(object, JSON.parse(text.slice(at, end)) as string);
      }
      structural.lastIndex = end;
    } else if (char === '{' || char === '[') {
      open.push(char === '{' ? new Set() : null);
      if (open.length > maxDepth) throw tooDeep();
    } else {
      open.pop();
    }
  }
}

function endOfString(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    let slashes = 0;
    while (text[quote - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

function afterSpace(text: string, at: number): number {
  while (/\s/.test(text[at] ?? '')) at++;
  return at;
}

function addKey(object: Set<string>, key: string): void {
  if (object.has(key)) {
    throw new ApiError(
      'invalid_request',
      `"${key}" is given twice in the same object; send it once.`,
    );
  }
  object.add(key);
}

function tooDeep(): ApiError {
  return new ApiError(
    'invalid_request',
    `The body nests lists or objects more than ${maxDepth} levels deep; ` +
      'a request needs at most 3, as in ' +
      '{"LastSyncDate": {"value": "\\/Date(1753833600000)\\/"}}.',
  );
}
