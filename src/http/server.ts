/**
 * The HTTP server: thin routes that parse, authorize and call a service.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
} from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Connection } from '../db/connect.js';
import { ApiError } from '../errors.js';
import { JobStore } from '../jobs/store.js';
import type { Logger } from '../log.js';
import { JobService } from '../services/jobs.js';
import { TokenService } from '../services/tokens.js';
import { registerBodyParser } from './body.js';
import { registerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import {
  handleClientError,
  rejectExpectation,
  requireHost,
  sendFrameworkProblem,
  sendProblem,
  toApiError,
} from './problems.js';
import { apiBasePath, deviceRoutes } from './routes/devices.js';

export interface ServerDeps {
  conn: Connection;
  config: Config;
  log: Logger;
  /** Called after a job is stored, to wake a worker. */
  onJobCreated?: () => void;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
    // A body that never completes must not hold a connection for ever.
    requestTimeout: 60_000,
    requestIdHeader: 'x-request-id',
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
    },
    // Protocol errors get problem replies too (see problems.ts).
    http: { requireHostHeader: false },
    clientErrorHandler: handleClientError,
    frameworkErrors: sendFrameworkProblem,
  });
  app.server.on('checkExpectation', rejectExpectation);
  app.addHook('onRequest', async (request) => requireHost(request));

  registerBodyParser(app);
  registerErrorHandling(app);
  registerRequestLog(app);

  const store = new JobStore(deps.conn.db, deps.conn.dialect);
  const jobs = new JobService(store, deps.config, deps.onJobCreated);
  const tokens = new TokenService(deps.conn.db);
  await app.register(deviceRoutes, {
    prefix: apiBasePath,
    jobs,
    tokens,
    config: deps.config,
  });

  registerOperationalRoutes(app, deps.conn);
  registerMetrics(app, deps.conn);
  return app;
}

function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error as Error);
    if (apiError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    return sendProblem(reply, apiError, request);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0].toLowerCase();
    const error = path.startsWith(apiBasePath.toLowerCase())
      ? new ApiError(
          'route_not_found',
          `${request.method} ${request.url} is not an API method. Use POST ` +
            `${apiBasePath}/<method> with one of RequestEpmInventory, ` +
            'RequestCustomInventory, RequestSecurityInfo, ' +
            'RequestDatabaseViews, RequestAllInfos, GetJobStatus, GetJobData.',
        )
      : new ApiError('route_not_found', `Nothing is served at ${request.url}.`);
    return sendProblem(reply, error, request);
  });
}

function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });
}

function registerOperationalRoutes(
  app: FastifyInstance,
  conn: Connection,
): void {
  app.get('/health/live', async () => ({ status: 'ok' }));

  app.get('/health/ready', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(conn.db);
      return { status: 'ok', database: conn.dialect.name };
    } catch {
      throw new ApiError(
        'service_unavailable',
        'The database does not answer; check the database URL and server.',
      );
    } finally {
      reply.header('Cache-Control', 'no-store');
    }
  });

  const openApi = JSON.stringify(openApiDocument(apiBasePath));
  app.get('/openapi.json', async (_request, reply) =>
    reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(openApi),
  );

  app.get('/', async () => ({
    name: 'device-api',
    api: apiBasePath,
    openapi: '/openapi.json',
    methods: [
      'RequestEpmInventory',
      'RequestCustomInventory',
      'RequestSecurityInfo',
      'RequestDatabaseViews',
      'RequestAllInfos',
      'GetJobStatus',
      'GetJobData',
    ],
  }));
}
