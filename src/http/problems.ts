/**
 * Turns every error into an RFC 9457 problem details reply, buffered with a
 * Content-Length (PowerShell 5.1 drops chunked error bodies): the API's own
 * errors, Fastify's, and the protocol errors Node.js answers before Fastify
 * sees a request (malformed head, oversized headers, unknown Expect).
 */
import {
  STATUS_CODES,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { isTransientDbError } from '../db/errors.js';
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
  if (error.status === 503) reply.header('Retry-After', '2');
  const body = JSON.stringify(toProblem(error, request.url));
  return reply
    .code(error.status)
    .header('Content-Type', problemContentType)
    .send(body);
}

/** Fastify's routing errors (a URL with broken %-escapes). */
export function sendFrameworkProblem(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendProblem(reply, toApiError(error), request);
}

/** Maps framework and unexpected errors onto the catalogue. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;

  const fastifyError = error as FastifyError;
  const known = frameworkErrors[fastifyError.code];
  if (known) return known();

  // Client-side failures (an aborted upload is ECONNRESET too) come first.
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError('invalid_request', fastifyError.message);
  }

  if (isTransientDbError(error)) {
    return new ApiError(
      'service_unavailable',
      'The database is not reachable right now; retry in a few seconds.',
    );
  }
  return new ApiError(
    'internal_error',
    'The server hit an unexpected error; it was logged with the request id.',
  );
}

const frameworkErrors: Record<string, () => ApiError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new ApiError(
      'body_too_large',
      'The request body is larger than the server accepts (4 MB); ' +
        'split long identifier lists into several requests.',
    ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new ApiError(
      'malformed_http',
      'The body is shorter or longer than its Content-Length header says.',
    ),
  FST_ERR_BAD_URL: () =>
    new ApiError(
      'malformed_http',
      'The URL is not valid: a "%" must be followed by two hex digits. ' +
        'Call POST /five9sWS/api/devices/<method>.',
    ),
};

/**
 * Answers what Node.js rejects before a request exists (Fastify's default
 * writes plain JSON without a charset). The connection is closed after, as
 * the rest of its bytes cannot be trusted.
 */
export function handleClientError(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;

  const problem = clientError(error);
  this.log.info({ code: problem.code, reason: error.code }, 'client error');
  if (socket.writable) socket.write(rawProblem(problem));
  socket.destroy();
}

function clientError(error: NodeJS.ErrnoException): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError(
      'headers_too_large',
      'The request headers are larger than the server accepts (16 KB); ' +
        'send only Authorization, Content-Type and the usual headers.',
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError(
      'request_timeout',
      'The request was not completed in time; send it again.',
    );
  }
  return new ApiError(
    'malformed_http',
    'The request is not valid HTTP/1.1 (a malformed request line or ' +
      'header, or a Content-Length that is not a number, or both ' +
      'Content-Length and Transfer-Encoding); send it with an HTTP client.',
  );
}

/** Node.js answers an unknown Expect header with an empty 417 otherwise. */
export function rejectExpectation(
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const error = new ApiError(
    'expectation_failed',
    `Expect: ${request.headers.expect} is not supported; send no Expect ` +
      'header, or Expect: 100-continue.',
  );
  const body = JSON.stringify(toProblem(error, request.url));
  response.writeHead(error.status, {
    'Content-Type': problemContentType,
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** HTTP/1.1 requires Host (RFC 9112); Node.js would answer an empty 400. */
export function requireHost(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.httpVersion !== '1.1' || raw.headers.host !== undefined) return;
  throw new ApiError(
    'malformed_http',
    'An HTTP/1.1 request needs a Host header.',
  );
}

function rawProblem(error: ApiError): string {
  const body = JSON.stringify(toProblem(error));
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
    `Content-Type: ${problemContentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}
