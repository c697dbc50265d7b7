/**
 * Prometheus metrics at GET /metrics: process metrics, request durations by
 * route, and the number of jobs in each state.
 */
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import type { Connection } from '../db/connect.js';

const statusNames = ['', 'pending', 'running', 'success', 'failure'];

export function registerMetrics(app: FastifyInstance, conn: Connection): void {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'device_api_' });

  const duration = new client.Histogram({
    name: 'device_api_http_request_duration_seconds',
    help: 'HTTP request duration by route and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3],
    registers: [registry],
  });

  new client.Gauge({
    name: 'device_api_jobs',
    help: 'Jobs currently kept, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await conn.db
        .selectFrom('Job')
        .select(['Status', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('Status')
        .execute();
      this.reset();
      for (const row of rows) {
        this.set({ status: statusNames[row.Status] }, Number(row.count));
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('Content-Type', registry.contentType);
    return registry.metrics();
  });
}
