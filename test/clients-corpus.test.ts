/**
 * The client corpus: requests as Windows PowerShell 5.1 and 7, curl and
 * curl.exe, Python requests and Power Query put them on the wire, plus the
 * malformed and odd shapes real scripts produce. Each is written byte for
 * byte to a real socket and must get exactly its expected outcome: the
 * request the job stored, or a 4xx problem with its code. Never a 5xx,
 * never a redirect, never a chunked or charset-less reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/app.js';
import { ErrorCatalogue } from '../src/errors.js';
import { DevicesRight, TokenService } from '../src/services/tokens.js';
import {
  chunked,
  curl,
  curlDataFile,
  curlExe,
  ps51,
  ps7,
  pythonRequests,
  raw,
  utf16be,
  utf16le,
  utf8bom,
} from './fixtures/raw/clients.js';
import {
  crlf,
  json,
  jsonUtf8,
  pat,
  type Case,
  type Ctx,
} from './fixtures/raw/corpus.js';
import { exchange, type RawResponse } from './fixtures/raw/wire.js';
import { testDialects } from './support/dialects.js';
import {
  createToken,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const api = '/five9sWS/api/devices';
const jsonType = 'application/json; charset=utf-8';
const problemType = 'application/problem+json; charset=utf-8';
const guidText =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 2025-07-30T00:00:00Z, the instant most date cases spell. */
const july30 = '2025-07-30T00:00:00.000Z';
const july30ms = 1753833600000;

/** A Request* case: the body, sent by `client`, stores `request`. */
function stores(
  name: string,
  body: string | Buffer,
  request: Case['request'],
  client = ps7,
  contentType: string | null = json,
): Case {
  return {
    name,
    send: (c) =>
      client(c, pat(c, 'RequestEpmInventory', body, { contentType })),
    status: 200,
    request,
  };
}

/** A Request* case that must be refused with `code`. */
function refuses(
  name: string,
  body: string | Buffer,
  code: Case['code'],
  detail?: RegExp,
  client = ps7,
  contentType: string | null = json,
): Case {
  return {
    name,
    send: (c) =>
      client(c, pat(c, 'RequestEpmInventory', body, { contentType })),
    status: ErrorCatalogue[code!].status,
    code,
    detail,
  };
}

const dateOf = (value: string) =>
  `{"Computer_Idns":[10],"LastSyncDate":${value}}`;

const dates: Case[] = [
  stores(
    'date: Windows PowerShell 5.1 \\/Date(ms)\\/',
    crlf(
      '{',
      '    "Computer_Idns":  [',
      '                          10',
      '                      ],',
      `    "LastSyncDate":  "\\/Date(${july30ms})\\/"`,
      '}',
    ),
    { Computer_Idns: [10], LastSyncDate: july30 },
    ps51,
    jsonUtf8,
  ),
  stores(
    'date: Windows PowerShell 5.1 Get-Date wrapper object',
    crlf(
      '{',
      '    "Computer_Idns":  10,',
      '    "LastSyncDate":  {',
      `                         "value":  "\\/Date(${july30ms})\\/",`,
      '                         "DisplayHint":  2,',
      '                         "DateTime":  "Wednesday, July 30, 2025 2:00:00 AM"',
      '                     }',
      '}',
    ),
    { Computer_Idns: [10], LastSyncDate: july30 },
    ps51,
    jsonUtf8,
  ),
  stores(
    'date: WCF \\/Date(ms+0200)\\/ keeps the UTC milliseconds',
    dateOf(`"\\/Date(${july30ms}+0200)\\/"`),
    { Computer_Idns: [10], LastSyncDate: july30 },
  ),
  stores(
    'date: \\/Date(ms-0500)\\/ keeps the UTC milliseconds',
    dateOf(`"\\/Date(${july30ms}-0500)\\/"`),
    { Computer_Idns: [10], LastSyncDate: july30 },
  ),
  stores(
    'date: PowerShell 7 local time, 7 fraction digits and an offset',
    dateOf('"2025-07-30T02:00:00.1234567+02:00"'),
    { Computer_Idns: [10], LastSyncDate: '2025-07-30T00:00:00.123Z' },
  ),
  stores(
    'date: PowerShell 7 UTC time with Z',
    dateOf('"2025-07-30T00:00:00.1234567Z"'),
    { Computer_Idns: [10], LastSyncDate: '2025-07-30T00:00:00.123Z' },
  ),
  stores('date: no zone means UTC', dateOf('"2025-07-30T00:00:00"'), {
    Computer_Idns: [10],
    LastSyncDate: july30,
  }),
  stores('date: date only', dateOf('"2025-07-30"'), {
    Computer_Idns: [10],
    LastSyncDate: july30,
  }),
  stores(
    'date: Python isoformat with microseconds and +00:00',
    dateOf('"2025-07-30T00:00:00.000001+00:00"'),
    { Computer_Idns: [10], LastSyncDate: july30 },
    pythonRequests,
  ),
  stores(
    'date: 9 fraction digits',
    dateOf('"2025-07-30T00:00:00.999999999Z"'),
    { Computer_Idns: [10], LastSyncDate: '2025-07-30T00:00:00.999Z' },
  ),
  stores(
    'date: a space instead of T, no seconds',
    dateOf('"2025-07-30 01:30"'),
    { Computer_Idns: [10], LastSyncDate: '2025-07-30T01:30:00.000Z' },
  ),
  stores(
    'date: lower-case t and z, spaces around',
    dateOf('" 2025-07-30t00:00:00z "'),
    { Computer_Idns: [10], LastSyncDate: july30 },
  ),
  stores(
    'date: offset without colon and offset of hours only',
    dateOf('"2025-07-29T19:00:00-05"'),
    { Computer_Idns: [10], LastSyncDate: july30 },
  ),
  stores(
    'date: .NET DateTime.MinValue',
    dateOf('"\\/Date(-62135596800000)\\/"'),
    { Computer_Idns: [10], LastSyncDate: '0001-01-01T00:00:00.000Z' },
  ),
  stores('date: null means no date', dateOf('null'), { Computer_Idns: [10] }),
  stores('date: empty text means no date', dateOf('""'), {
    Computer_Idns: [10],
  }),
  ...[
    ['a word', '"yesterday"'],
    ['a US date', '"07/30/2025"'],
    ['a German date', '"30.07.2025"'],
    ['February 30', '"2025-02-30"'],
    ['hour 25', '"2025-07-30T25:00:00"'],
    ['an offset of 25 hours', '"2025-07-30T00:00:00+25:00"'],
    ['a bare number', String(july30ms)],
    ['a wrapper without value', '{"DateTime": "Wednesday, July 30, 2025"}'],
    ['a list', '["2025-07-30"]'],
    ['true', 'true'],
    ['\\/Date() with letters', '"\\/Date(abc)\\/"'],
    ['year 10000', '"\\/Date(253402300800000)\\/"'],
  ].map(([what, value]) =>
    refuses(
      `date: ${what} is refused naming the accepted forms`,
      dateOf(value),
      'invalid_date',
      /ISO 8601.*no zone means UTC.*\\\/Date\(/,
    ),
  ),
  refuses(
    'date: a bare number is called ambiguous',
    dateOf(String(july30ms)),
    'invalid_date',
    /seconds or milliseconds/,
  ),
];

const lists: Case[] = [
  stores(
    'list: one hostname as a bare string (PowerShell unrolled it)',
    crlf('{', '    "Hostnames":  "WIN10-TEST2"', '}'),
    { Hostnames: ['WIN10-TEST2'] },
    ps51,
    jsonUtf8,
  ),
  stores('list: one Computer_Idn as a bare number', '{"Computer_Idns":10}', {
    Computer_Idns: [10],
  }),
  stores('list: one serial as a bare string', '{"SerialNumbers":"5CG1234"}', {
    SerialNumbers: ['5CG1234'],
  }),
  stores('list: a numeric hostname', '{"Hostnames":[12345]}', {
    Hostnames: ['12345'],
  }),
  stores(
    'list: nulls and blanks inside lists are skipped',
    '{"Hostnames":["A",null," ",""],"Computer_Idns":[10,null]}',
    { Hostnames: ['A'], Computer_Idns: [10] },
  ),
  stores('list: null list means no filter', '{"Hostnames":null}', {}),
  stores('list: empty list means no filter', '{"Hostnames":[]}', {}),
  refuses(
    'list: an object as a hostname',
    '{"Hostnames":[{"Name":"PC01"}]}',
    'invalid_request',
    /Hostnames\[0\] must be a string/,
  ),
  refuses(
    'list: a nested list',
    '{"Hostnames":[["PC01"]]}',
    'invalid_request',
    /Hostnames\[0\]/,
  ),
  refuses('list: true as a hostname', '{"Hostnames":true}', 'invalid_request'),
  refuses(
    'list: a hostname of 300 characters',
    `{"Hostnames":["${'x'.repeat(300)}"]}`,
    'invalid_request',
    /longer than 256/,
  ),
  refuses(
    'list: 10,001 identifiers in one request',
    `{"Computer_Idns":[${Array.from({ length: 10_001 }, (_, i) => i)}]}`,
    'too_many_identifiers',
    /at most 10000/,
  ),
];

const numbers: Case[] = [
  stores('number: ids as strings', '{"Computer_Idns":["10","11"]}', {
    Computer_Idns: [10, 11],
  }),
  stores('number: one id as a string', '{"Computer_Idns":"10"}', {
    Computer_Idns: [10],
  }),
  stores('number: 1e1 and 10.0 are 10', '{"Computer_Idns":[1e1,10.0]}', {
    Computer_Idns: [10, 10],
  }),
  stores(
    'number: "1e1" and " 10.0 " are 10',
    '{"Computer_Idns":["1e1"," 10.0 "]}',
    {
      Computer_Idns: [10, 10],
    },
  ),
  refuses(
    'number: a fraction',
    '{"Computer_Idns":[10.5]}',
    'invalid_request',
    /Computer_Idns\[0\] must be a whole number/,
  ),
  refuses(
    'number: a negative id',
    '{"Computer_Idns":[10,-1]}',
    'invalid_request',
    /Computer_Idns\[1\]/,
  ),
  refuses('number: a word', '{"Computer_Idns":["ten"]}', 'invalid_request'),
  refuses(
    'number: beyond 32 bits',
    '{"Computer_Idns":[2147483648]}',
    'invalid_request',
  ),
  refuses('number: 1e300', '{"Computer_Idns":[1e300]}', 'invalid_request'),
  refuses('number: a boolean', '{"Computer_Idns":[true]}', 'invalid_request'),
];

const names: Case[] = [
  stores('name: lower case', '{"hostnames":["A"],"computer_idns":[10]}', {
    Hostnames: ['A'],
    Computer_Idns: [10],
  }),
  stores(
    'name: upper case',
    '{"HOSTNAMES":["A"],"SERIALNUMBERS":["S"],"LASTSYNCDATE":"2025-07-30"}',
    { Hostnames: ['A'], SerialNumbers: ['S'], LastSyncDate: july30 },
  ),
  stores('name: singular forms', '{"Hostname":"A","Computer_Idn":10}', {
    Hostnames: ['A'],
    Computer_Idns: [10],
  }),
  refuses(
    'name: the same property in two spellings',
    '{"Hostnames":["A"],"hostnames":["B"]}',
    'invalid_request',
    /given twice/,
  ),
  refuses(
    'name: the same property twice (JSON would keep the last)',
    '{"Hostnames":["A"],"Hostnames":["B"]}',
    'invalid_request',
    /"Hostnames" is given twice/,
  ),
  refuses(
    'name: a misspelt property',
    '{"HostNamez":["A"]}',
    'unknown_property',
    /"HostNamez".*accepts Hostnames, SerialNumbers, Computer_Idns/,
  ),
  refuses(
    'name: a job property on a Request* method',
    '{"Guid":"x"}',
    'unknown_property',
  ),
  refuses(
    'name: 1,000 unknown properties are summarized',
    `{${Array.from({ length: 1000 }, (_, i) => `"p${i}":1`)}}`,
    'unknown_property',
    /"p4", and 995 more/,
  ),
];

/** GetJobStatus or GetJobData with a body built from the finished job. */
function job(
  name: string,
  method: 'GetJobStatus' | 'GetJobData',
  body: (jobId: string) => string,
  outcome: Pick<Case, 'status' | 'code' | 'detail' | 'check'>,
): Case {
  return {
    name,
    send: (c) => ps7(c, pat(c, method, body(c.doneJob), { contentType: json })),
    ...outcome,
  };
}

const sameJob = (reply: RawResponse, c: Ctx) =>
  expect(JSON.parse(reply.body.toString()).JobId).toBe(c.doneJob);

const pageOf =
  (ReturnedCount: number, TotalCount: number) => (reply: RawResponse) =>
    expect(JSON.parse(reply.body.toString())).toMatchObject({
      ReturnedCount,
      TotalCount,
    });

const guids: Case[] = [
  job(
    'guid: braces and upper case',
    'GetJobStatus',
    (id) => `{"Guid":"{${id.toUpperCase()}}"}`,
    { status: 200, check: sameJob },
  ),
  job(
    'guid: no hyphens',
    'GetJobStatus',
    (id) => `{"Guid":"${id.replace(/-/g, '')}"}`,
    { status: 200, check: sameJob },
  ),
  job(
    'guid: parentheses and spaces',
    'GetJobStatus',
    (id) => `{"Guid":" (${id}) "}`,
    { status: 200, check: sameJob },
  ),
  job(
    'guid: property as guid and JobId',
    'GetJobStatus',
    (id) => `{"guid":"${id}"}`,
    { status: 200, check: sameJob },
  ),
  job(
    'guid: the JobId property name',
    'GetJobStatus',
    (id) => `{"JobId":"${id}"}`,
    { status: 200, check: sameJob },
  ),
  job('guid: not a GUID', 'GetJobStatus', () => '{"Guid":"job-1"}', {
    status: 400,
    code: 'invalid_guid',
    detail: /"job-1" is not a GUID/,
  }),
  job('guid: missing', 'GetJobStatus', () => '{}', {
    status: 400,
    code: 'invalid_guid',
    detail: /Guid is required/,
  }),
  job('guid: a number', 'GetJobStatus', () => '{"Guid":42}', {
    status: 400,
    code: 'invalid_guid',
  }),
  job(
    'guid: unknown job',
    'GetJobStatus',
    () => '{"Guid":"00000000-0000-4000-8000-000000000000"}',
    { status: 404, code: 'job_not_found' },
  ),
  job(
    'page: Page and PageSize as strings',
    'GetJobData',
    (id) => `{"Guid":"${id}","Page":"1","PageSize":"50"}`,
    {
      status: 200,
      check: pageOf(1, 1),
    },
  ),
  job(
    'page: property names in any case',
    'GetJobData',
    (id) => `{"GUID":"${id}","page":2,"PAGESIZE":1}`,
    {
      status: 200,
      check: pageOf(0, 1),
    },
  ),
  job(
    'page: null Page means the first',
    'GetJobData',
    (id) => `{"Guid":"${id}","Page":null}`,
    { status: 200, check: pageOf(1, 1) },
  ),
  job('page: Page 0', 'GetJobData', (id) => `{"Guid":"${id}","Page":0}`, {
    status: 400,
    code: 'page_out_of_range',
    detail: /Page starts at 1/,
  }),
  job('page: Page -1', 'GetJobData', (id) => `{"Guid":"${id}","Page":-1}`, {
    status: 400,
    code: 'page_out_of_range',
  }),
  job('page: Page 1.5', 'GetJobData', (id) => `{"Guid":"${id}","Page":1.5}`, {
    status: 400,
    code: 'page_out_of_range',
  }),
  job(
    'page: PageSize above the maximum',
    'GetJobData',
    (id) => `{"Guid":"${id}","PageSize":1001}`,
    {
      status: 400,
      code: 'page_out_of_range',
      detail: /between 1 and 1000/,
    },
  ),
  job(
    'page: a page past the end is empty',
    'GetJobData',
    (id) => `{"Guid":"${id}","Page":"999999999"}`,
    {
      status: 200,
      check: pageOf(0, 1),
    },
  ),
];

const form = 'application/x-www-form-urlencoded';
const ps51File = crlf(
  '{',
  '    "Hostnames":  [',
  '                      "WIN10-TEST2"',
  '                  ]',
  '}',
);

const bodies: Case[] = [
  stores(
    'body: UTF-8 byte-order mark (-InFile of Set-Content -Encoding UTF8)',
    utf8bom(ps51File),
    { Hostnames: ['WIN10-TEST2'] },
    ps51,
    json,
  ),
  stores(
    'body: UTF-16LE with BOM (-InFile of Out-File)',
    utf16le(ps51File),
    { Hostnames: ['WIN10-TEST2'] },
    ps51,
    json,
  ),
  stores(
    'body: UTF-16BE with BOM',
    utf16be('{"Hostnames":"WIN10-TEST2"}'),
    { Hostnames: ['WIN10-TEST2'] },
    ps7,
    json,
  ),
  stores(
    'body: UTF-16 file sent with curl -d (line breaks stripped)',
    curlDataFile(utf16le(ps51File)),
    { Hostnames: ['WIN10-TEST2'] },
    curlExe,
    json,
  ),
  stores(
    'body: UTF-16LE without BOM, charset=utf-16',
    utf16le('{"Hostnames":["München"]}', false),
    { Hostnames: ['München'] },
    ps7,
    'application/json; charset=utf-16',
  ),
  stores(
    'body: UTF-16LE without BOM nor charset',
    utf16le('{"Hostnames":["München"]}', false),
    { Hostnames: ['München'] },
    pythonRequests,
    json,
  ),
  stores(
    'body: PS 5.1 without charset sends ISO-8859-1',
    '{"Hostnames":["München","Zürich"]}',
    { Hostnames: ['München', 'Zürich'] },
    ps51,
    json,
  ),
  stores(
    'body: PS 5.1 with charset=utf-8 sends UTF-8',
    '{"Hostnames":["München"]}',
    { Hostnames: ['München'] },
    ps51,
    jsonUtf8,
  ),
  stores(
    'body: charset=iso-8859-1 declared',
    Buffer.from('{"Hostnames":["M\u00fcnchen"]}', 'latin1'),
    { Hostnames: ['München'] },
    curl,
    'application/json; charset=ISO-8859-1',
  ),
  stores(
    'body: charset=windows-1252 declared',
    Buffer.from([
      ...Buffer.from('{"Hostnames":["'),
      0x80,
      ...Buffer.from('"]}'),
    ]),
    { Hostnames: ['€'] },
    curl,
    'application/json; charset=windows-1252',
  ),
  stores(
    'body: Python json= escapes non-ASCII',
    '{"Hostnames": ["M\\u00fcnchen"]}',
    { Hostnames: ['München'] },
    pythonRequests,
    json,
  ),
  stores(
    'body: Content-Type in upper case',
    '{"Hostnames":"A"}',
    { Hostnames: ['A'] },
    curl,
    'APPLICATION/JSON; CHARSET=UTF-8',
  ),
  stores(
    'body: Content-Type with a quoted charset and a trailing ;',
    '{"Hostnames":"A"}',
    { Hostnames: ['A'] },
    curl,
    'application/json; charset="utf-8";',
  ),
  stores(
    'body: Content-Type that is not a media type',
    '{"Hostnames":"A"}',
    { Hostnames: ['A'] },
    ps51,
    'json',
  ),
  stores(
    'body: form content type, JSON body (-ContentType forgotten)',
    crlf('{', '    "Hostnames":  "A"', '}'),
    { Hostnames: ['A'] },
    ps51,
    form,
  ),
  {
    name: 'body: curl -d without -H sends a form content type',
    send: (c) => curl(c, pat(c, 'RequestEpmInventory', '{"Hostnames":["A"]}')),
    status: 200,
    request: { Hostnames: ['A'] },
  },
  stores(
    'body: text/plain',
    '{"Hostnames":"A"}',
    { Hostnames: ['A'] },
    curl,
    'text/plain',
  ),
  stores(
    'body: Python data= sends no content type',
    '{"Hostnames": ["A"]}',
    { Hostnames: ['A'] },
    pythonRequests,
    null,
  ),
  stores('body: empty means all devices', '', {}, ps51, json),
  stores('body: only a line break', '\r\n', {}, ps51, json),
  stores('body: {}', '{}', {}, curl, json),
  stores('body: JSON null', 'null', {}, curl, json),
  {
    name: 'body: curl -X POST without data (no Content-Length)',
    send: (c) => curl(c, pat(c, 'RequestEpmInventory')),
    status: 200,
    request: {},
  },
  {
    name: 'body: chunked transfer coding',
    send: (c) =>
      raw(
        [
          `POST ${api}/RequestEpmInventory HTTP/1.1`,
          `Host: 127.0.0.1:${c.port}`,
          `Authorization: PAT ${c.token}`,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ],
        chunked('{"Hostnames":["WIN10-TEST2"],"Computer_Idns":[10]}'),
      ),
    status: 200,
    request: { Hostnames: ['WIN10-TEST2'], Computer_Idns: [10] },
  },
  {
    name: 'body: chunked without a Content-Type',
    send: (c) =>
      raw(
        [
          `POST ${api}/RequestEpmInventory HTTP/1.1`,
          `Host: 127.0.0.1:${c.port}`,
          `Authorization: PAT ${c.token}`,
          'Transfer-Encoding: chunked',
        ],
        chunked('{"Hostnames":"A"}', 3),
      ),
    status: 200,
    request: { Hostnames: ['A'] },
  },
  refuses(
    'body: a hashtable -Body sent as a form',
    'Hostnames=WIN10-TEST2',
    'form_body',
    /form-encoded \(Hostnames\).*ConvertTo-Json/,
    ps51,
    form,
  ),
  refuses(
    'body: a form with a list PowerShell flattened',
    'Hostnames=System.Object%5B%5D&LastSyncDate=07%2F30%2F2025+00%3A00%3A00',
    'form_body',
    /Hostnames, LastSyncDate/,
    ps51,
    form,
  ),
  refuses(
    'body: comments',
    '{\n  // the test device\n  "Hostnames": ["A"]\n}',
    'invalid_json',
    /no comments/,
  ),
  refuses(
    'body: a trailing comma',
    '{"Hostnames": ["A", "B",]}',
    'invalid_json',
    /comma before the closing/,
  ),
  refuses(
    'body: single quotes',
    "{'Hostnames': ['A']}",
    'invalid_json',
    /double quotes, not single/,
  ),
  refuses(
    'body: quotes stripped by cmd or PowerShell 5.1 (curl.exe)',
    '{Hostnames:[WIN10-TEST2]}',
    'invalid_json',
    /--data-binary @body.json/,
    curlExe,
    json,
  ),
  refuses('body: cut short', '{"Hostnames": ["A"', 'invalid_json'),
  refuses(
    'body: a JSON list',
    '["A"]',
    'invalid_request',
    /must be a JSON object/,
  ),
  refuses('body: a JSON string', '"WIN10-TEST2"', 'invalid_request'),
  refuses(
    'body: nested 10,000 levels inside a list',
    `{"Hostnames":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    'invalid_request',
    /more than 20 levels/,
  ),
  refuses(
    'body: nested 100,000 levels',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    'invalid_request',
  ),
  refuses(
    'body: not UTF-8 although it says so',
    Buffer.from('{"Hostnames":["M\u00fcnchen"]}', 'latin1'),
    'invalid_encoding',
    /not valid UTF-8/,
    curl,
    jsonUtf8,
  ),
  refuses(
    'body: an unknown charset',
    '{}',
    'unsupported_charset',
    /"klingon"/,
    curl,
    'application/json; charset=klingon',
  ),
  {
    name: 'body: a compressed body is refused',
    send: (c) =>
      pythonRequests(
        c,
        pat(c, 'RequestEpmInventory', '{}', {
          contentType: json,
          headers: ['Content-Encoding: gzip'],
        }),
      ),
    status: 415,
    code: 'unsupported_content_encoding',
  },
  {
    name: 'body: larger than 4 MB is refused before it is read',
    send: (c) =>
      raw(
        [
          `POST ${api}/RequestEpmInventory HTTP/1.1`,
          `Host: 127.0.0.1:${c.port}`,
          `Authorization: PAT ${c.token}`,
          'Content-Type: application/json',
          'Content-Length: 5000000',
        ],
        '{"Hostnames":[',
      ),
    status: 413,
    code: 'body_too_large',
    closes: true,
  },
  {
    name: 'body: chunked past 4 MB is refused while it arrives',
    send: (c) => ({
      head: [
        `POST ${api}/RequestEpmInventory HTTP/1.1`,
        `Host: 127.0.0.1:${c.port}`,
        `Authorization: PAT ${c.token}`,
        'Transfer-Encoding: chunked',
      ],
      body: [chunked(`{"Hostnames":["${'x'.repeat(5_000_000)}"]}`, 1 << 20)],
    }),
    status: 413,
    code: 'body_too_large',
    closes: true,
  },
  {
    name: 'body: a long list of 10,000 hostnames is accepted',
    send: (c) =>
      curl(
        c,
        pat(
          c,
          'RequestEpmInventory',
          JSON.stringify({
            Hostnames: Array.from({ length: 10_000 }, (_, i) => `PC${i}`),
          }),
          { contentType: json },
        ),
      ),
    status: 200,
  },
];

/** A Request* with this Authorization header value (null: none). */
function auth(
  name: string,
  header: (c: Ctx) => string | null,
  outcome: Pick<Case, 'status' | 'code' | 'detail' | 'check'>,
): Case {
  return {
    name,
    send: (c) =>
      ps7(c, {
        method: 'RequestEpmInventory',
        auth: header(c),
        body: '{"Computer_Idns":[10]}',
        contentType: json,
      }),
    ...outcome,
  };
}

const accepted = { status: 200 };
const wwwAuthenticate = (reply: RawResponse) =>
  expect(reply.headers['www-authenticate']).toBe(
    'PAT realm="device-api", Bearer',
  );

const authorization: Case[] = [
  auth('auth: PAT', (c) => `PAT ${c.token}`, accepted),
  auth('auth: pat in lower case', (c) => `pat ${c.token}`, accepted),
  auth('auth: Pat with several spaces', (c) => `Pat    ${c.token}`, accepted),
  auth(
    'auth: spaces and a tab around',
    (c) => ` \tPAT\t${c.token}  `,
    accepted,
  ),
  auth('auth: Bearer', (c) => `Bearer ${c.token}`, accepted),
  auth('auth: BEARER in upper case', (c) => `BEARER ${c.token}`, accepted),
  auth('auth: a colon after the scheme', (c) => `PAT: ${c.token}`, accepted),
  auth('auth: the token in quotes', (c) => `PAT "${c.token}"`, accepted),
  auth('auth: no header', () => null, {
    status: 401,
    code: 'token_missing',
    check: wwwAuthenticate,
  }),
  auth('auth: an empty header', () => '', {
    status: 401,
    code: 'token_missing',
  }),
  auth('auth: the scheme alone', () => 'PAT', {
    status: 401,
    code: 'token_invalid',
    detail: /token after "PAT" is missing/,
  }),
  auth('auth: the token without a scheme', (c) => c.token, {
    status: 401,
    code: 'token_invalid',
    detail: /put "PAT " before the token/,
    check: (reply, c) => expect(reply.body.toString()).not.toContain(c.token),
  }),
  auth('auth: Basic', () => 'Basic dXNlcjpwYXNz', {
    status: 401,
    code: 'token_invalid',
    detail: /scheme "Basic" is not supported/,
  }),
  auth('auth: two words after the scheme', (c) => `PAT ${c.token} x`, {
    status: 401,
    code: 'token_invalid',
  }),
  auth('auth: an unknown token', () => 'PAT dapi_unknown', {
    status: 401,
    code: 'token_invalid',
  }),
  auth('auth: a revoked token', (c) => `PAT ${c.revokedToken}`, {
    status: 401,
    code: 'token_revoked',
  }),
  auth('auth: an expired token', (c) => `Bearer ${c.expiredToken}`, {
    status: 401,
    code: 'token_expired',
  }),
  auth('auth: a token without the right', (c) => `PAT ${c.otherRightToken}`, {
    status: 403,
    code: 'right_missing',
  }),
];

/** A request line for `target` with a valid token and an empty body. */
function path(
  name: string,
  target: string,
  outcome: Pick<Case, 'status' | 'code' | 'head'>,
  method = 'POST',
): Case {
  return {
    name,
    send: (c) =>
      raw([
        `${method} ${target} HTTP/1.1`,
        `Host: 127.0.0.1:${c.port}`,
        `Authorization: PAT ${c.token}`,
        'Content-Length: 0',
      ]),
    ...outcome,
  };
}

const routes: Case[] = [
  path('route: trailing slash', `${api}/RequestEpmInventory/`, accepted),
  path(
    'route: doubled slashes',
    `//five9sWS//api/devices//RequestEpmInventory`,
    accepted,
  ),
  path(
    'route: letter case of the path',
    '/FIVE9SWS/API/DEVICES/requestepminventory',
    accepted,
  ),
  path(
    'route: a query string',
    `${api}/RequestEpmInventory?source=ps`,
    accepted,
  ),
  path(
    'route: absolute form',
    'http://127.0.0.1/five9sWS/api/devices/RequestEpmInventory',
    accepted,
  ),
  path('route: the base path', api, { status: 404, code: 'route_not_found' }),
  path('route: the base path with a slash', `${api}/`, {
    status: 404,
    code: 'route_not_found',
  }),
  path('route: an unknown method', `${api}/RequestEverything`, {
    status: 404,
    code: 'route_not_found',
  }),
  path(
    'route: GET',
    `${api}/GetJobStatus`,
    { status: 405, code: 'method_not_allowed' },
    'GET',
  ),
  path(
    'route: PUT',
    `${api}/RequestAllInfos`,
    { status: 405, code: 'method_not_allowed' },
    'PUT',
  ),
  path(
    'route: OPTIONS',
    `${api}/GetJobData`,
    { status: 405, code: 'method_not_allowed' },
    'OPTIONS',
  ),
  path('route: HEAD', `${api}/GetJobData`, { status: 405, head: true }, 'HEAD'),
  path(
    'route: GET /health/live outside the API',
    '/health/live',
    accepted,
    'GET',
  ),
  path('route: a path outside the API', '/five9sWS/api/computers', {
    status: 404,
    code: 'route_not_found',
  }),
  path('route: a broken %-escape', `${api}/Get%zzJobStatus`, {
    status: 400,
    code: 'malformed_http',
  }),
];

/** Request head lines for a Request* without a body. */
function head(c: Ctx, ...extra: string[]): string[] {
  return [
    `POST ${api}/RequestEpmInventory HTTP/1.1`,
    `Host: 127.0.0.1:${c.port}`,
    `Authorization: PAT ${c.token}`,
    ...extra,
  ];
}

const protocol: Case[] = [
  {
    name: 'http: Expect: 100-continue gets 100 before the reply',
    send: (c) =>
      ps51(
        c,
        pat(c, 'RequestEpmInventory', '{"Computer_Idns":10}', {
          contentType: jsonUtf8,
        }),
      ),
    status: 200,
    request: { Computer_Idns: [10] },
    check: (reply) => expect(reply.interim).toEqual([100]),
  },
  {
    name: 'http: Expect: 100-continue without a token is 401',
    send: (c) =>
      ps51(c, { method: 'RequestEpmInventory', auth: null, body: '{}' }),
    status: 401,
    code: 'token_missing',
  },
  {
    name: 'http: an unknown Expect is 417',
    send: (c) => raw(head(c, 'Expect: 200-ok', 'Content-Length: 0')),
    status: 417,
    code: 'expectation_failed',
  },
  {
    name: 'http: Connection: close is honored',
    send: (c) => raw(head(c, 'Connection: close', 'Content-Length: 2'), '{}'),
    status: 200,
    request: {},
    closes: true,
  },
  {
    name: 'http: HTTP/1.0 without Host',
    send: (c) =>
      raw(
        [
          `POST ${api}/RequestEpmInventory HTTP/1.0`,
          `Authorization: PAT ${c.token}`,
          'Content-Length: 2',
        ],
        '{}',
      ),
    status: 200,
    request: {},
    closes: true,
  },
  {
    name: 'http: HTTP/1.1 without Host',
    send: () =>
      raw([`POST ${api}/RequestEpmInventory HTTP/1.1`, 'Content-Length: 0']),
    status: 400,
    code: 'malformed_http',
    detail: /needs a Host header/,
  },
  {
    name: 'http: a header line without a colon',
    send: (c) =>
      raw(head(c, 'Content-Type application/json', 'Content-Length: 0')),
    status: 400,
    code: 'malformed_http',
    closes: true,
  },
  {
    name: 'http: a Content-Length that is not a number',
    send: (c) => raw(head(c, 'Content-Length: two')),
    status: 400,
    code: 'malformed_http',
    closes: true,
  },
  {
    name: 'http: Content-Length and Transfer-Encoding together',
    send: (c) =>
      raw(
        head(c, 'Content-Length: 5', 'Transfer-Encoding: chunked'),
        chunked('{}'),
      ),
    status: 400,
    code: 'malformed_http',
    closes: true,
  },
  {
    name: 'http: 20 KB of headers',
    send: (c) =>
      raw(head(c, `X-Padding: ${'a'.repeat(20_000)}`, 'Content-Length: 0')),
    status: 431,
    code: 'headers_too_large',
    closes: true,
  },
  {
    name: 'http: Accept asks for XML, the reply is JSON all the same',
    send: (c) => raw(head(c, 'Accept: application/xml', 'Content-Length: 0')),
    status: 200,
    request: {},
  },
];

const corpus: Case[] = [
  ...dates,
  ...lists,
  ...numbers,
  ...names,
  ...guids,
  ...bodies,
  ...authorization,
  ...routes,
  ...protocol,
];

describe.each(testDialects())('client corpus on %s', (dialect) => {
  let t: TestService;
  let ctx: Ctx;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 30 });
    ctx = await prepare(t);
  });
  afterAll(() => t?.close());

  it.each(corpus)('$name', async (kase) => {
    const { responses, closed } = await exchange(ctx.port, kase.send(ctx), {
      head: kase.head,
    });
    const reply = responses[0];

    expectReadable(reply, kase);
    expect(reply.status, reply.body.toString().slice(0, 500)).toBe(kase.status);
    if (kase.code) expectProblem(reply, kase);
    if (kase.request) await expectStored(reply, kase.request);
    if (kase.closes) expect(closed).toBe(true);
    await kase.check?.(reply, ctx);
  });

  it('pipelined requests on one connection are answered in order', async () => {
    const one = ps7(ctx, pat(ctx, 'RequestEpmInventory', '{"Hostnames":"A"}'));
    const two = ps7(ctx, pat(ctx, 'GetJobStatus', `{"Guid":"${ctx.doneJob}"}`));
    const bytes = Buffer.concat(
      [one, two].flatMap((r) => [
        Buffer.from(`${r.head.join('\r\n')}\r\n\r\n`),
        ...(r.body ?? []),
      ]),
    );

    const { responses } = await exchange(
      ctx.port,
      { head: [], bytes },
      {
        count: 2,
      },
    );

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(responses[1].body.toString()).Status).toBe(3);
  });

  /** The job's request as stored: what the server understood. */
  async function expectStored(reply: RawResponse, request: Case['request']) {
    const { JobId } = JSON.parse(reply.body.toString());
    const row = await t.service.conn.db
      .selectFrom('Job')
      .select('Request')
      .where('JobId', '=', JobId)
      .executeTakeFirstOrThrow();

    expect(JSON.parse(row.Request)).toStrictEqual({
      Hostnames: [],
      SerialNumbers: [],
      Computer_Idns: [],
      LastSyncDate: null,
      ...request,
    });
  }
});

/** Every reply: no 5xx, no redirect, a charset, a Content-Length. */
function expectReadable(reply: RawResponse, kase: Case): void {
  expect(reply.status).toBeLessThan(500);
  expect(reply.status < 300 || reply.status >= 400).toBe(true);
  expect(reply.headers.location).toBeUndefined();
  expect(reply.headers['transfer-encoding']).toBeUndefined();
  expect(reply.headers['content-type']).toBe(
    reply.status >= 400 ? problemType : jsonType,
  );
  if (kase.head) return;

  expect(reply.framing).toBe('content-length');
  expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
  if (reply.status === 200 && kase.request) {
    expect(JSON.parse(reply.body.toString()).JobId).toMatch(guidText);
  }
}

function expectProblem(reply: RawResponse, kase: Case): void {
  const problem = JSON.parse(reply.body.toString());
  expect(problem).toMatchObject({
    type: `urn:device-api:error:${kase.code}`,
    title: ErrorCatalogue[kase.code!].title,
    status: kase.status,
    code: kase.code,
  });
  if (kase.detail) expect(problem.detail).toMatch(kase.detail);
}

/** Tokens in every state and one finished job to page through. */
async function prepare(t: TestService): Promise<Ctx> {
  const { JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {
    Computer_Idns: [10],
  });
  const revokedToken = await createToken(t.config, 'revoked');
  const expiredToken = await createToken(
    t.config,
    'expired',
    [DevicesRight],
    -1,
  );
  const otherRightToken = await createToken(t.config, 'other', ['/api/other/']);

  const conn = await openDatabase(t.config);
  try {
    await new TokenService(conn.db).revoke('revoked');
  } finally {
    await conn.close();
  }

  return {
    port: Number(new URL(t.service.url).port),
    token: t.token,
    doneJob: JobId,
    revokedToken,
    expiredToken,
    otherRightToken,
  };
}
