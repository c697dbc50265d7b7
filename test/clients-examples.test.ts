/**
 * The examples of docs/clients.md. Each client's flow (Request*, polling,
 * paging) is replayed with the bytes that client sends for the example, and
 * the curl and Python examples, whose tools are at hand, are run as written.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curl,
  curlExe,
  powerQuery,
  ps51,
  ps7,
  pythonRequests,
  utf8bom,
  type Call,
} from './fixtures/raw/clients.js';
import { json, jsonUtf8, type Client } from './fixtures/raw/corpus.js';
import { exchange } from './fixtures/raw/wire.js';
import { testDialects } from './support/dialects.js';
import { startTestService, type TestService } from './support/service.js';

const run = promisify(execFile);
const docs = readFileSync(
  new URL('../docs/clients.md', import.meta.url),
  'utf8',
);
const documented = JSON.parse(
  readFileSync(
    new URL('./fixtures/jobdata-example.json', import.meta.url),
    'utf8',
  ),
);

/** One client's example: how it spells each of the three requests. */
interface Example {
  name: string;
  client: Client;
  call: (token: string) => Pick<Call, 'auth' | 'contentType' | 'headers'>;
  request: string | Buffer;
  status: (JobId: string, poll: number) => Pick<Call, 'body' | 'headers'>;
  data: (JobId: string, Page: number) => string | Buffer;
}

const hosts = '"Hostnames":["WIN10-TEST2","Windows7-DN54"]';
const compact = (guid: string, Page: number) =>
  `{"Guid":"${guid}","Page":${Page},"PageSize":100}`;

const examples: Example[] = [
  {
    name: 'Windows PowerShell 5.1',
    client: ps51,
    call: (token) => ({ auth: `PAT ${token}`, contentType: jsonUtf8 }),
    request: `{${hosts},"LastSyncDate":"\\/Date(1753833600000)\\/"}`,
    status: (id) => ({ body: `{"Guid":"${id}"}` }),
    data: compact,
  },
  {
    name: 'PowerShell 7',
    client: ps7,
    call: (token) => ({ auth: `PAT ${token}`, contentType: jsonUtf8 }),
    request: `{"LastSyncDate":"2025-07-30T00:00:00.1234567Z",${hosts}}`,
    status: (id) => ({ body: `{"Guid":"${id}"}` }),
    data: (id, Page) => `{"PageSize":100,"Guid":"${id}","Page":${Page}}`,
  },
  {
    name: 'curl (bash)',
    client: curl,
    call: (token) => ({ auth: `PAT ${token}`, contentType: json }),
    request: `{${hosts},"LastSyncDate":"2025-07-30T00:00:00Z"}`,
    status: (id) => ({ body: `{"Guid":"${id}"}` }),
    data: compact,
  },
  {
    name: 'curl.exe from cmd.exe',
    client: curlExe,
    call: (token) => ({ auth: `PAT ${token}`, contentType: json }),
    request: `{${hosts},"LastSyncDate":"2025-07-30T00:00:00Z"}`,
    status: (id) => ({ body: `{"Guid":"${id}"}` }),
    data: compact,
  },
  {
    name: 'curl.exe from PowerShell with a Set-Content file',
    client: curlExe,
    call: (token) => ({ auth: `PAT ${token}`, contentType: json }),
    request: utf8bom(`{${hosts},"LastSyncDate":"2025-07-30T00:00:00Z"}\r\n`),
    status: (id) => ({ body: utf8bom(`{"Guid":"${id}"}\r\n`) }),
    data: (id, Page) => utf8bom(`${compact(id, Page)}\r\n`),
  },
  {
    name: 'Python requests',
    client: pythonRequests,
    call: (token) => ({ auth: `PAT ${token}`, contentType: json }),
    request:
      '{"Hostnames": ["WIN10-TEST2", "Windows7-DN54"], ' +
      '"LastSyncDate": "2025-07-30T00:00:00.123456+00:00"}',
    status: (id) => ({ body: `{"Guid": "${id}"}` }),
    data: (id, Page) => `{"Guid": "${id}", "Page": ${Page}, "PageSize": 100}`,
  },
  {
    name: 'Power Query',
    client: powerQuery,
    call: (token) => ({
      auth: `Bearer ${token}`,
      contentType: json,
      headers: ['X-Poll: 0'],
    }),
    request: `{${hosts},"LastSyncDate":"2025-07-30T00:00:00"}`,
    status: (id, poll) => ({
      body: `{"Guid":"${id}"}`,
      headers: [`X-Poll: ${poll}`],
    }),
    data: compact,
  },
];

describe.each(testDialects())('documented client examples on %s', (dialect) => {
  let t: TestService;
  let port: number;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 30 });
    port = Number(new URL(t.service.url).port);
  });
  afterAll(() => t?.close());

  async function send(
    example: Example,
    method: string,
    call: Pick<Call, 'body' | 'headers'>,
  ) {
    const request = example.client(
      { port },
      { method, ...example.call(t.token), ...call },
    );
    const [reply] = (await exchange(port, request)).responses;
    expect(reply.status, reply.body.toString()).toBe(200);
    return JSON.parse(reply.body.toString());
  }

  it.each(examples)(
    '$name: the flow returns the documented page',
    async (e) => {
      const { JobId } = await send(e, 'RequestAllInfos', { body: e.request });

      for (let poll = 1; poll <= 400; poll++) {
        const status = await send(e, 'GetJobStatus', e.status(JobId, poll));
        if (status.Status >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const page = await send(e, 'GetJobData', { body: e.data(JobId, 1) });

      expect(page).toStrictEqual(documented);
    },
  );

  it('Windows PowerShell 5.1: the error example gets its problem', async () => {
    const request = ps51(
      { port },
      {
        method: 'GetJobData',
        auth: `PAT ${t.token}`,
        body: '{"Guid":"not-a-guid"}',
        contentType: jsonUtf8,
      },
    );
    const [reply] = (await exchange(port, request)).responses;

    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body.toString()).code).toBe('invalid_guid');
  });

  const tools = hasTools();

  it.skipIf(!tools.curl)('the curl example runs as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-api-curl-'));
    const script = codeBlock('## curl on Linux and macOS', 'bash');

    await run('bash', ['-c', onTestServer(script)], {
      cwd: dir,
      env: { ...process.env, DEVICE_API_TOKEN: t.token },
    });

    const devices = JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8'));
    const page = JSON.parse(readFileSync(join(dir, 'page-0001.json'), 'utf8'));
    expect(Array.isArray(devices)).toBe(true);
    expect(page.DevicesNotFound).toEqual(['Windows7-DN54']);
  });

  it.skipIf(!tools.python)('the Python example runs as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-api-python-'));
    writeFileSync(
      join(dir, 'example.py'),
      onTestServer(codeBlock('## Python (requests)', 'python')),
    );

    const { stdout } = await run('python3', ['example.py'], {
      cwd: dir,
      env: { ...process.env, DEVICE_API_TOKEN: t.token },
    });

    expect(stdout.trim()).toMatch(
      /^[01] devices; not found: \['Windows7-DN54'\]$/,
    );
  });

  function onTestServer(code: string): string {
    return code.replaceAll('http://epm-core:5009', t.service.url);
  }
});

/** The first fenced block of `lang` in the section under `heading`. */
function codeBlock(heading: string, lang: string): string {
  const section = docs.slice(docs.indexOf(heading));
  const start = section.indexOf(`\`\`\`${lang}\n`) + lang.length + 4;
  return section.slice(start, section.indexOf('```\n', start));
}

/** Which of the example's tools this machine has. */
function hasTools(): { curl: boolean; python: boolean } {
  const works = (command: string, ...args: string[]) => {
    try {
      execFileSync(command, args, { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return {
    curl: works('curl', '--version') && works('jq', '--version'),
    python: works('python3', '-c', 'import requests'),
  };
}
