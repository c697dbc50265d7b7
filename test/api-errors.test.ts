/**
 * Reply formats: JSON replies and RFC 9457 problem replies with a stable
 * code; bad input is always a 4xx that says what to fix, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCatalogue } from '../src/errors.js';
import { testDialects } from './support/dialects.js';
import {
  post,
  runJob,
  startTestService,
  type TestService,
} from './support/service.js';

const jsonType = 'application/json; charset=utf-8';
const problemType = 'application/problem+json; charset=utf-8';

const methods = [
  'RequestEpmInventory',
  'RequestCustomInventory',
  'RequestSecurityInfo',
  'RequestDatabaseViews',
  'RequestAllInfos',
  'GetJobStatus',
  'GetJobData',
];

describe.each(testDialects())('reply formats on %s', (dialect) => {
  let t: TestService;
  let JobId: string;

  beforeAll(async () => {
    t = await startTestService(dialect, { devices: 20 });
    ({ JobId } = await runJob(t.base, t.token, 'RequestAllInfos', {}));
  });
  afterAll(() => t?.close());

  /** POSTs a raw body text with the test token. */
  async function raw(method: string, body: string, contentType?: string) {
    const response = await fetch(`${t.base}/${method}`, {
      method: 'POST',
      headers: {
        Authorization: `PAT ${t.token}`,
        ...(contentType ? { 'Content-Type': contentType } : {}),
      },
      body,
    });
    return { response, body: (await response.json()) as any };
  }

  function expectProblem(
    reply: { status: number; headers: Headers; body: any },
    status: number,
    code: string,
  ): void {
    expect(reply.status).toBe(status);
    expect(reply.headers.get('content-type')).toBe(problemType);
    expect(reply.body).toMatchObject({
      type: `urn:device-api:error:${code}`,
      title: ErrorCatalogue[code as keyof typeof ErrorCatalogue].title,
      status,
      code,
    });
    expect(typeof reply.body.detail).toBe('string');
    expect(reply.body.detail.length).toBeGreaterThan(10);
  }

  it.each(methods)('%s answers application/json; charset=utf-8', async (m) => {
    const body = m.startsWith('Request') ? {} : { Guid: JobId };

    const reply = await post(t.base, m, t.token, body);

    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe(jsonType);
  });

  it('an error is a problem+json reply with type, title, status, detail and code', async () => {
    const reply = await post(t.base, 'GetJobStatus', null, {});

    expectProblem(reply, 401, 'token_missing');
  });

  it.each(methods)('GET %s is 405 with Allow: POST', async (m) => {
    const response = await fetch(`${t.base}/${m}`, {
      headers: { Authorization: `PAT ${t.token}` },
    });
    const reply = {
      status: response.status,
      headers: response.headers,
      body: await response.json(),
    };

    expectProblem(reply, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('an unknown method path is 404 route_not_found listing the methods', async () => {
    const reply = await post(t.base, 'RequestEverything', t.token, {});

    expectProblem(reply, 404, 'route_not_found');
    expect(reply.body.detail).toContain('RequestAllInfos');
  });

  it('a body that is not JSON is 400 invalid_json', async () => {
    const reply = await raw('RequestAllInfos', '{"Hostnames": [', 'text/json');

    expect(reply.response.status).toBe(400);
    expect(reply.response.headers.get('content-type')).toBe(problemType);
    expect(reply.body.code).toBe('invalid_json');
  });

  it('an unknown property is 400 unknown_property naming it', async () => {
    const reply = await post(t.base, 'RequestAllInfos', t.token, {
      HostNames: ['PC01'],
      Devices: ['PC02'],
    });

    expectProblem(reply, 400, 'unknown_property');
    expect(reply.body.unknownProperties).toEqual(['Devices']);
  });

  it('a LastSyncDate that is not a date is 400 invalid_date', async () => {
    const reply = await post(t.base, 'RequestAllInfos', t.token, {
      LastSyncDate: '2025-02-30T00:00:00Z',
    });

    expectProblem(reply, 400, 'invalid_date');
  });

  it('a Computer_Idn that is not a whole number is 400 invalid_request', async () => {
    const reply = await post(t.base, 'RequestAllInfos', t.token, {
      Computer_Idns: [10, 'ten'],
    });

    expectProblem(reply, 400, 'invalid_request');
    expect(reply.body.detail).toContain('Computer_Idns[1]');
  });

  it('a body without a Content-Type is read as JSON', async () => {
    const reply = await raw('RequestEpmInventory', '{"Computer_Idns":[10]}');

    expect(reply.response.status).toBe(200);
    expect(reply.body.JobId).toBeTypeOf('string');
  });

  it.each([
    ['a JSON array', '[1, 2]'],
    ['a JSON string', '"WIN10-TEST2"'],
    ['a JSON number', '42'],
    ['an object as a Hostname', '{"Hostnames": [{"Name": "PC01"}]}'],
    ['a nested list of ids', '{"Computer_Idns": [[10]]}'],
    ['a huge id', '{"Computer_Idns": [1e300]}'],
    ['a negative id', '{"Computer_Idns": [-5]}'],
    ['a LastSyncDate object', '{"LastSyncDate": {"when": "today"}}'],
    ['a LastSyncDate number', '{"LastSyncDate": 1753833600000}'],
    ['a property given twice', '{"Hostnames": [], "hostnames": []}'],
  ])('%s is a 4xx problem, not a 500', async (_name, body) => {
    const reply = await raw('RequestAllInfos', body, 'application/json');

    expect(reply.response.status).toBeGreaterThanOrEqual(400);
    expect(reply.response.status).toBeLessThan(500);
    expect(reply.response.headers.get('content-type')).toBe(problemType);
  });

  it('a Hostname with a NUL character is reported not found', async () => {
    const { JobId: id, status } = await runJob(
      t.base,
      t.token,
      'RequestEpmInventory',
      { Hostnames: ['WIN10-TEST2\u0000', 'WIN10-TEST2'] },
    );
    const data = await post(t.base, 'GetJobData', t.token, { Guid: id });

    expect(status.Status).toBe(3);
    expect(data.body.DevicesNotFound).toEqual(['WIN10-TEST2\u0000']);
  });
});

describe.each(testDialects())('extreme LastSyncDates on %s', (dialect) => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService(dialect, {
      devices: 20,
      config: { coreTimeZone: 'Europe/Berlin' },
    });
  });
  afterAll(() => t?.close());

  it.each([
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '1970-01-01',
    '\\/Date(-62198755200000)\\/',
    '\\/Date(253402300799999)\\/',
    '\\/Date(8640000000000000)\\/',
    '\\/Date(8640000000000001)\\/',
  ])('LastSyncDate %s is either answered or a 400', async (LastSyncDate) => {
    const started = await post(t.base, 'RequestEpmInventory', t.token, {
      LastSyncDate,
    });
    if (started.status === 400) {
      expect(started.body.code).toBe('invalid_date');
      return;
    }
    const { status } = await runJob(t.base, t.token, 'RequestEpmInventory', {
      LastSyncDate,
    });
    expect(status).toMatchObject({ Status: 3 });
  });
});
