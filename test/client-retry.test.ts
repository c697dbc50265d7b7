/**
 * The client's retry and polling rules against a tiny scripted HTTP server
 * on loopback. Sleeping is recorded instead of waited, so the tests check
 * the delays the client chose without depending on time.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeviceApiClient,
  DeviceApiError,
  JobFailedError,
  JobTimeoutError,
  NetworkError,
  apiBaseUrl,
  type DeviceApiClientOptions,
} from '../src/client/index.js';

interface Seen {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

type Script = (seen: Seen, res: ServerResponse, n: number) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server answering each request with `script`; records every request. */
async function scripted(script: Script, port = 0) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const entry = {
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(entry);
      script(entry, res, seen.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, seen };
}

function json(res: ServerResponse, status: number, body: unknown, extra = {}) {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { 'Content-Type': type, ...extra });
  res.end(JSON.stringify(body));
}

const problem = (status: number, code: string) => ({
  type: `urn:device-api:error:${code}`,
  title: code,
  status,
  detail: `detail of ${code}`,
  code,
});

/** A client that records its sleeps and jitters predictably. */
function client(url: string, extra: Partial<DeviceApiClientOptions> = {}) {
  const sleeps: number[] = [];
  const api = new DeviceApiClient({
    url,
    token: 'secret-token',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...extra,
  });
  return { api, sleeps };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const success = { Status: 3, StatusDetails: 'Completed: 1 devices' };

describe('client retries', () => {
  it('waits as long as Retry-After says after a 503', async () => {
    const server = await scripted((_seen, res, n) =>
      n === 1
        ? json(res, 503, problem(503, 'service_unavailable'), {
            'Retry-After': '2',
          })
        : json(res, 200, success),
    );
    const { api, sleeps } = client(server.url);

    const status = await api.getJobStatus('a-job');

    expect(status.Status).toBe(3);
    expect(sleeps).toEqual([2000]);
    expect(server.seen).toHaveLength(2);
  });

  it('backs off exponentially on 429 without Retry-After', async () => {
    const server = await scripted((_seen, res, n) =>
      n <= 2
        ? json(res, 429, problem(429, 'too_many_requests'))
        : json(res, 200, success),
    );
    const { api, sleeps } = client(server.url);

    await api.getJobStatus('a-job');

    expect(sleeps).toEqual([250, 500]);
  });

  it('retries a connection reset', async () => {
    const server = await scripted((_seen, res, n) => {
      if (n === 1) res.socket?.destroy();
      else json(res, 200, success);
    });
    const { api, sleeps } = client(server.url);

    await expect(api.getJobStatus('a-job')).resolves.toEqual(success);
    expect(sleeps).toHaveLength(1);
    expect(server.seen).toHaveLength(2);
  });

  it('retries a reply cut off in the middle of its body', async () => {
    const server = await scripted((_seen, res, n) => {
      if (n > 1) return json(res, 200, success);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': '1000',
      });
      res.write('{"Status": 3, "StatusDe');
      setImmediate(() => res.socket?.destroy());
    });
    const { api } = client(server.url);

    await expect(api.getJobStatus('a-job')).resolves.toEqual(success);
    expect(server.seen).toHaveLength(2);
  });

  it('keeps retrying while the server is down, until it is back', async () => {
    const port = await closedPort();
    const reasons: string[] = [];
    let restarted: Promise<unknown> | undefined;
    const api = new DeviceApiClient({
      url: `http://127.0.0.1:${port}`,
      token: 'secret-token',
      random: () => 1,
      // The "restart": the server comes back after the second refusal.
      sleep: async (_ms) => {
        if (restarted) return;
        if (reasons.length < 2) return;
        restarted = scripted((_seen, res) => json(res, 200, success), port);
        await restarted;
      },
      onRetry: (event) => reasons.push(event.reason),
    });

    await expect(api.getJobStatus('a-job')).resolves.toEqual(success);
    expect(reasons).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('gives up after the configured retries with a NetworkError', async () => {
    const port = await closedPort();
    const { api, sleeps } = client(`http://127.0.0.1:${port}`, {
      retry: { retries: 3 },
    });

    const error = await api.getJobStatus('a-job').catch((e) => e);

    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toContain('after 4 attempts');
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('sends the same Idempotency-Key on every retry of a Request*', async () => {
    const server = await scripted((_seen, res, n) =>
      n <= 2
        ? json(res, 503, problem(503, 'service_unavailable'))
        : json(res, 200, { JobId: 'job-1' }),
    );
    const { api } = client(server.url);

    const reply = await api.requestAllInfos({ Hostnames: ['PC01'] });

    expect(reply.JobId).toBe('job-1');
    const keys = server.seen.map((s) => s.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never retries a Request* sent without an Idempotency-Key', async () => {
    const server = await scripted((_seen, res) =>
      json(res, 503, problem(503, 'service_unavailable')),
    );
    const { api, sleeps } = client(server.url);

    const error = await api
      .requestEpmInventory({}, { idempotencyKey: null })
      .catch((e) => e);

    expect(error).toBeInstanceOf(DeviceApiError);
    expect(error.status).toBe(503);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0].headers['idempotency-key']).toBeUndefined();
    expect(sleeps).toEqual([]);
  });

  it('does not retry a refused token; the error has the problem code', async () => {
    const server = await scripted((_seen, res) =>
      json(res, 401, problem(401, 'token_invalid')),
    );
    const { api } = client(server.url);

    const error = await api.getJobStatus('a-job').catch((e) => e);

    expect(error).toBeInstanceOf(DeviceApiError);
    expect(error.isAuthError).toBe(true);
    expect(error.code).toBe('token_invalid');
    expect(error.message).not.toContain('secret-token');
    expect(server.seen).toHaveLength(1);
  });

  it('sends the token as "PAT <token>" and the body as JSON', async () => {
    const server = await scripted((_seen, res) => json(res, 200, success));
    const { api } = client(`${server.url}/`);

    await api.getJobStatus('a-job');

    const [request] = server.seen;
    expect(request.path).toBe('/five9sWS/api/devices/GetJobStatus');
    expect(request.headers.authorization).toBe('PAT secret-token');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({ Guid: 'a-job' });
  });
});

describe('client base URL', () => {
  it('accepts the server root or the full API base', () => {
    const base = 'http://host:5009/five9sWS/api/devices';
    expect(apiBaseUrl('http://host:5009')).toBe(base);
    expect(apiBaseUrl('http://host:5009/')).toBe(base);
    expect(apiBaseUrl(base)).toBe(base);
    expect(apiBaseUrl(`${base}/`)).toBe(base);
    expect(apiBaseUrl('http://host:5009/FIVE9SWS/api/Devices')).toBe(
      'http://host:5009/FIVE9SWS/api/Devices',
    );
    expect(apiBaseUrl('https://proxy/console')).toBe(
      'https://proxy/console/five9sWS/api/devices',
    );
  });

  it('rejects what is not an http(s) URL', () => {
    expect(() => apiBaseUrl('host:5009')).toThrow(/http/);
    expect(() => apiBaseUrl('not a url')).toThrow(/Not a URL/);
  });
});

/** A scripted job: Pending, Running, then Success with `total` results. */
function jobServer(total: number, statuses: object[], maxPageSize = 1000) {
  return scripted((seen, res) => {
    const method = seen.path.split('/').pop();
    if (method === 'RequestAllInfos') return json(res, 200, { JobId: 'j1' });
    if (method === 'GetJobStatus') {
      const reply = statuses.shift() ?? { ...success, Watermark: 'W' };
      const wait = (reply as { wait?: string }).wait;
      return json(res, 200, reply, wait ? { 'Retry-After': wait } : {});
    }
    const { Page, PageSize } = seen.body;
    if (PageSize > maxPageSize) {
      const body = { ...problem(400, 'page_out_of_range'), maxPageSize };
      return json(res, 400, body);
    }
    const first = (Page - 1) * PageSize;
    const ids = Array.from({ length: total }, (_, i) => i + 1).slice(
      first,
      first + PageSize,
    );
    json(res, 200, {
      ReturnedCount: ids.length,
      TotalCount: total,
      Results: ids.map((Computer_Idn) => ({ Computer_Idn })),
      DevicesNotFound: ['PC99'],
    });
  });
}

describe('client export', () => {
  it('polls as Retry-After says, then yields every page', async () => {
    const server = await jobServer(5, [
      { Status: 1, StatusDetails: 'Waiting', wait: '1' },
      { Status: 2, StatusDetails: 'Collecting', wait: '2' },
    ]);
    const { api, sleeps } = client(server.url);
    const seenStatus: number[] = [];

    const pages = [];
    for await (const page of api.export({
      pageSize: 2,
      onStatus: (s) => seenStatus.push(s.Status),
    })) {
      pages.push(page);
    }

    expect(sleeps).toEqual([1000, 2000]);
    expect(seenStatus).toEqual([1, 2, 3]);
    expect(pages.map((p) => p.Page)).toEqual([1, 2, 3]);
    const ids = pages.flatMap((p) => p.Results.map((r) => r.Computer_Idn));
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(pages[0].job.Watermark).toBe('W');
    expect(pages[0].DevicesNotFound).toEqual(['PC99']);
  });

  it('lowers the page size to the server limit', async () => {
    const server = await jobServer(5, [], 2);
    const { api } = client(server.url);

    const pages = [];
    for await (const page of api.export({ pageSize: 500 })) pages.push(page);

    expect(pages.map((p) => [p.Page, p.PageSize])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });

  it('yields one empty page when the job found nothing', async () => {
    const server = await jobServer(0, []);
    const { api } = client(server.url);

    const pages = [];
    for await (const page of api.export()) pages.push(page);

    expect(pages).toHaveLength(1);
    expect(pages[0].Results).toEqual([]);
  });

  it('stops waiting after timeoutMs with a JobTimeoutError', async () => {
    const running = { Status: 2, StatusDetails: 'Collecting', wait: '2' };
    const server = await jobServer(1, Array(100).fill(running));
    let clock = 0;
    const { api, sleeps } = client(server.url, {
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });

    const error = await api
      .waitForJob('j1', { timeoutMs: 5000 })
      .catch((e) => e);

    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(sleeps).toEqual([2000, 2000, 1000]);
  });

  it('reports a failed job with its StatusDetails', async () => {
    const server = await jobServer(0, [
      { Status: 4, StatusDetails: 'database unreachable' },
    ]);
    const { api } = client(server.url);

    const error = await api.waitForJob('j1').catch((e) => e);

    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.message).toContain('database unreachable');
  });
});
