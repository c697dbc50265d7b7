/**
 * Turns every error into an RFC 9457 problem details reply, buffered with a
 * Content-Length (PowerShell 5.1 drops chunked error bodies).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, toProblem } from '../errors.js';

export const problemContentType = 'application/problem+json; charset=utf-8';

export function sendProblem(
  reply: FastifyReply,
  error: ApiError,
  request: FastifyRequest,
): FastifyReply {
  if (error.status === 401) {
    reply.header('WWW-Authenticate', 'PAT realm="device-api", Bearer');
  }
  if (error.code === 'method_not_allowed') reply.header('Allow', 'POST');
  const body = JSON.stringify(toProblem(error, request.url));
  return reply
    .code(error.status)
    .header('Content-Type', problemContentType)
    .send(body);
}

/** Maps framework and unexpected errors onto the catalogue. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;

  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError(
      'body_too_large',
      'The request body is larger than the server accepts; split long ' +
        'identifier lists into several requests.',
    );
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError('invalid_request', fastifyError.message);
  }
  return new ApiError(
    'internal_error',
    'The server hit an unexpected error; it was logged with the request id.',
  );
}
