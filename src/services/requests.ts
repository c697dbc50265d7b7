/**
 * Reading request bodies the way real clients send them: property names in
 * any letter case, one value where a list is expected, numbers as strings,
 * dates in the forms PowerShell 5.1 and 7 write. Anything that cannot be
 * understood is rejected with a detail that says what to change.
 */
import { ApiError } from '../errors.js';
import { acceptedDateForms, parseClientDate } from '../time.js';

export const Sections = [
  'CustomInventory',
  'EpmInventory',
  'SecurityInfo',
  'DatabaseViews',
] as const;
export type Section = (typeof Sections)[number];

/** The Request* methods and the sections each one collects. */
export const RequestMethods = {
  RequestEpmInventory: ['EpmInventory'],
  RequestCustomInventory: ['CustomInventory'],
  RequestSecurityInfo: ['SecurityInfo'],
  RequestDatabaseViews: ['DatabaseViews'],
  RequestAllInfos: [...Sections],
} as const satisfies Record<string, readonly Section[]>;
export type RequestMethod = keyof typeof RequestMethods;

/** A Request* body after normalization. */
export interface DeviceRequest {
  Hostnames: string[];
  SerialNumbers: string[];
  Computer_Idns: number[];
  /** ISO 8601 UTC instant, or null for all data. */
  LastSyncDate: string | null;
}

export interface JobDataRequest {
  Guid: string;
  Page: number;
  PageSize: number;
}

type Body = Record<string, unknown>;

const deviceKeys: Record<string, keyof DeviceRequest> = {
  hostnames: 'Hostnames',
  hostname: 'Hostnames',
  serialnumbers: 'SerialNumbers',
  serialnumber: 'SerialNumbers',
  computer_idns: 'Computer_Idns',
  computer_idn: 'Computer_Idns',
  computeridns: 'Computer_Idns',
  lastsyncdate: 'LastSyncDate',
};

const jobKeys: Record<string, keyof JobDataRequest> = {
  guid: 'Guid',
  jobid: 'Guid',
  page: 'Page',
  pagesize: 'PageSize',
};

/** Normalizes a Request* body. */
export function parseDeviceRequest(body: unknown): DeviceRequest {
  const fields = canonicalKeys(asObject(body), deviceKeys, [
    'Hostnames',
    'SerialNumbers',
    'Computer_Idns',
    'LastSyncDate',
  ]);

  const request = {
    Hostnames: textList(fields.Hostnames, 'Hostnames'),
    SerialNumbers: textList(fields.SerialNumbers, 'SerialNumbers'),
    Computer_Idns: idList(fields.Computer_Idns),
    LastSyncDate: lastSyncDate(fields.LastSyncDate),
  };
  checkIdentifierCount(request);
  checkNotOnlyBlanks(request, fields);
  return request;
}

/**
 * Lists that held only empty values would silently turn a filtered request
 * into "all devices" (a script's empty variable), so they are refused.
 */
function checkNotOnlyBlanks(
  request: DeviceRequest,
  fields: Partial<Record<keyof DeviceRequest, unknown>>,
): void {
  const { Hostnames, SerialNumbers, Computer_Idns } = request;
  if (Hostnames.length + SerialNumbers.length + Computer_Idns.length > 0) {
    return;
  }

  const blank = (
    ['Hostnames', 'SerialNumbers', 'Computer_Idns'] as const
  ).filter((name) => listOf(fields[name]).length > 0);
  if (blank.length === 0) return;
  throw new ApiError(
    'invalid_request',
    `${blank.join(' and ')} held only empty values, which would request ` +
      'every device. Send the names to look for, or leave the property out ' +
      '(or send []) to request all devices.',
  );
}

/**
 * Every page of a job repeats DevicesNotFound, so the identifiers of one
 * request are bounded to keep pages small.
 */
export const maxIdentifiers = 10_000;
const maxIdentifierLength = 256;

function checkIdentifierCount(request: DeviceRequest): void {
  const count =
    request.Hostnames.length +
    request.SerialNumbers.length +
    request.Computer_Idns.length;
  if (count <= maxIdentifiers) return;
  throw new ApiError(
    'too_many_identifiers',
    `The request names ${count} devices; one request takes at most ` +
      `${maxIdentifiers}. Split the list into several requests, or send ` +
      'no list to get every device.',
    { maxIdentifiers },
  );
}

/** Normalizes a GetJobStatus body (Page and PageSize are ignored). */
export function parseJobStatusRequest(body: unknown): { Guid: string } {
  const fields = canonicalKeys(asObject(body), jobKeys, [
    'Guid',
    'Page',
    'PageSize',
  ]);
  return { Guid: guid(fields.Guid) };
}

/** Normalizes a GetJobData body, applying the paging defaults. */
export function parseJobDataRequest(
  body: unknown,
  maxPageSize: number,
): JobDataRequest {
  const fields = canonicalKeys(asObject(body), jobKeys, [
    'Guid',
    'Page',
    'PageSize',
  ]);

  const Page = whole(fields.Page, 'Page', 1);
  if (Page < 1) {
    throw new ApiError('page_out_of_range', 'Page starts at 1.');
  }
  const PageSize = whole(fields.PageSize, 'PageSize', 100);
  if (PageSize < 1 || PageSize > maxPageSize) {
    throw new ApiError(
      'page_out_of_range',
      `PageSize must be between 1 and ${maxPageSize}; it was ${PageSize}.`,
      { maxPageSize },
    );
  }
  return { Guid: guid(fields.Guid), Page, PageSize };
}

function asObject(body: unknown): Body {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body === 'object' && !Array.isArray(body)) return body as Body;
  throw new ApiError(
    'invalid_request',
    'The body must be a JSON object, for example ' +
      '{"Hostnames": ["PC01"], "LastSyncDate": "2025-07-30T00:00:00Z"}.',
  );
}

/** Maps property names of any letter case to the API's spelling. */
function canonicalKeys<K extends string>(
  body: Body,
  aliases: Record<string, K>,
  accepted: K[],
): Partial<Record<K, unknown>> {
  const result: Partial<Record<K, unknown>> = {};
  const unknown: string[] = [];

  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    // Own keys only: "constructor" or "__proto__" must not match Object's.
    const name = Object.hasOwn(aliases, lower) ? aliases[lower] : undefined;
    if (!name) {
      unknown.push(key);
      continue;
    }
    if (name in result) {
      throw new ApiError(
        'invalid_request',
        `${name} is given twice (as different spellings); send it once.`,
      );
    }
    result[name] = value;
  }

  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((k) => describe(k));
    if (unknown.length > 5) named.push(`and ${unknown.length - 5} more`);
    throw new ApiError(
      'unknown_property',
      `Unknown ${unknown.length === 1 ? 'property' : 'properties'} ` +
        `${named.join(', ')}; this method accepts ${accepted.join(', ')}.`,
      {
        unknownProperties: unknown.slice(0, 20),
        acceptedProperties: accepted,
      },
    );
  }
  return result;
}

/** A list of names; one bare value counts as a list of one. */
function textList(value: unknown, name: string): string[] {
  const result: string[] = [];

  for (const [index, item] of listOf(value).entries()) {
    if (item === null) continue;
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new ApiError(
        'invalid_request',
        `${name}[${index}] must be a string such as "PC01"; ` +
          `got ${describe(item)}.`,
      );
    }
    const text = String(item).trim();
    if (text.length > maxIdentifierLength) {
      throw new ApiError(
        'invalid_request',
        `${name}[${index}] is longer than ${maxIdentifierLength} ` +
          'characters; send one name per list item.',
      );
    }
    if (text !== '') result.push(text);
  }
  return result;
}

function idList(value: unknown): number[] {
  const result: number[] = [];

  for (const [index, item] of listOf(value).entries()) {
    if (item === null || item === '') continue;
    const id = toWhole(item);
    if (id === undefined || id < 0 || id > 2_147_483_647) {
      throw new ApiError(
        'invalid_request',
        `Computer_Idns[${index}] must be a whole number from 0 to ` +
          `2147483647 such as 10; got ${describe(item)}.`,
      );
    }
    result.push(id);
  }
  return result;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function lastSyncDate(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;

  // Windows PowerShell 5.1 can wrap a date as {"value": "\/Date(...)\/", ...}.
  const inner =
    typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value).find(([k]) => k.toLowerCase() === 'value')?.[1]
      : value;

  const date = typeof inner === 'string' ? parseClientDate(inner) : undefined;
  if (!date) {
    const number =
      typeof inner === 'number'
        ? ' A bare number is ambiguous (seconds or milliseconds?).'
        : '';
    throw new ApiError(
      'invalid_date',
      `LastSyncDate ${describe(value)} is not a date.${number} ` +
        `Use ${acceptedDateForms}.`,
    );
  }
  return date.toISOString();
}

const guidPattern =
  /^[{(]?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})[})]?$/i;

/** The canonical (lower case, hyphenated) form of a GUID in any notation. */
function guid(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new ApiError(
      'invalid_guid',
      'Guid is required: send {"Guid": "<JobId from the Request* reply>"}.',
    );
  }
  const m = typeof value === 'string' ? guidPattern.exec(value.trim()) : null;
  if (!m) {
    throw new ApiError(
      'invalid_guid',
      `Guid ${describe(value)} is not a GUID; send the JobId exactly as ` +
        'the Request* reply returned it.',
    );
  }
  return m.slice(1, 6).join('-').toLowerCase();
}

function whole(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const number = toWhole(value);
  if (number === undefined) {
    throw new ApiError(
      'page_out_of_range',
      `${name} must be a whole number; got ${describe(value)}.`,
    );
  }
  return number;
}

/**
 * A whole number, also from text ("2", "10.0", "1e2"): the same numbers a
 * JSON number may spell, so a quoted number means what the unquoted one does.
 */
function toWhole(value: unknown): number | undefined {
  const number =
    typeof value === 'string' && numberText.test(value) ? Number(value) : value;
  if (typeof number !== 'number') return undefined;
  return Number.isSafeInteger(number) ? number : undefined;
}

const numberText = /^\s*[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/;

/** A short rendering of a client's value for an error detail. */
function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
