/**
 * The seven documented methods under /five9sWS/api/devices, all POST.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { ApiError } from '../../errors.js';
import { JobStatus } from '../../jobs/store.js';
import type { JobService } from '../../services/jobs.js';
import {
  parseJobDataRequest,
  parseJobStatusRequest,
  RequestMethods,
  type RequestMethod,
} from '../../services/requests.js';
import { DevicesRight, type TokenService } from '../../services/tokens.js';
import { tokenFromHeader } from '../auth.js';

export const apiBasePath = '/five9sWS/api/devices';

const jsonType = 'application/json; charset=utf-8';

interface RouteOptions {
  jobs: JobService;
  tokens: TokenService;
  config: Config;
}

declare module 'fastify' {
  interface FastifyRequest {
    tokenIdn: number;
  }
}

export async function deviceRoutes(
  app: FastifyInstance,
  options: RouteOptions,
): Promise<void> {
  const { jobs, tokens, config } = options;
  app.decorateRequest('tokenIdn', 0);

  app.addHook('onRequest', async (request) => {
    if (request.method !== 'POST') throw methodNotAllowed(request);
    const secret = tokenFromHeader(request.headers.authorization);
    const token = await tokens.authenticate(secret, DevicesRight);
    request.tokenIdn = token.Token_Idn;
  });

  for (const method of Object.keys(RequestMethods) as RequestMethod[]) {
    app.post(`/${method}`, async (request, reply) => {
      const key = idempotencyKey(request);
      const { JobId } = await jobs.request(
        request.tokenIdn,
        method,
        request.body,
        key,
      );
      return sendJson(reply, { JobId });
    });
  }

  app.post('/GetJobStatus', async (request, reply) => {
    const { Guid } = parseJobStatusRequest(request.body);
    const status = await jobs.status(request.tokenIdn, Guid);
    if (status.Status === JobStatus.Pending) reply.header('Retry-After', '1');
    if (status.Status === JobStatus.Running) reply.header('Retry-After', '2');
    return sendJson(reply, status);
  });

  app.post('/GetJobData', async (request, reply) => {
    const query = parseJobDataRequest(request.body, config.maxPageSize);
    const page = await jobs.data(request.tokenIdn, query);
    return reply.header('Content-Type', jsonType).send(page);
  });

  for (const method of [
    ...Object.keys(RequestMethods),
    'GetJobStatus',
    'GetJobData',
  ]) {
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: `/${method}`,
      handler: async (request) => {
        throw methodNotAllowed(request);
      },
    });
  }
}

function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.header('Content-Type', jsonType).send(JSON.stringify(value));
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  const key = Array.isArray(value) ? value[0] : value;
  if (key === undefined || key.trim() === '') return undefined;
  if (key.length > 200) {
    throw new ApiError(
      'invalid_request',
      'The Idempotency-Key header must be at most 200 characters.',
    );
  }
  return key.trim();
}

function methodNotAllowed(request: FastifyRequest): ApiError {
  return new ApiError(
    'method_not_allowed',
    `${request.method} is not supported; every Device API method is called ` +
      'with POST and a JSON body.',
  );
}
