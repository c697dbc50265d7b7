/**
 * The one catalogue of errors the API can return. Each entry has a stable
 * machine-readable code, an HTTP status and a short title; the detail of each
 * occurrence says what the caller should change.
 */
export const ErrorCatalogue = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  form_body: { status: 400, title: 'The request body is form-encoded' },
  invalid_encoding: {
    status: 400,
    title: 'The request body is not in its declared charset',
  },
  malformed_http: { status: 400, title: 'The HTTP request is malformed' },
  too_many_identifiers: {
    status: 400,
    title: 'The request names too many devices',
  },
  unknown_property: {
    status: 400,
    title: 'The request has unknown properties',
  },
  invalid_date: { status: 400, title: 'A date could not be read' },
  invalid_guid: { status: 400, title: 'The job id is not a GUID' },
  page_out_of_range: { status: 400, title: 'Page or PageSize is out of range' },
  token_missing: { status: 401, title: 'No access token was sent' },
  token_invalid: { status: 401, title: 'The access token is not valid' },
  token_expired: { status: 401, title: 'The access token has expired' },
  token_revoked: { status: 401, title: 'The access token was revoked' },
  right_missing: { status: 403, title: 'The access token lacks a right' },
  job_not_found: { status: 404, title: 'No such job' },
  route_not_found: { status: 404, title: 'No such API method' },
  method_not_allowed: { status: 405, title: 'Use POST' },
  request_timeout: { status: 408, title: 'The request was not completed' },
  job_not_ready: { status: 409, title: 'The job has not finished yet' },
  job_failed: { status: 409, title: 'The job failed' },
  idempotency_key_reused: {
    status: 422,
    title: 'The Idempotency-Key was used for another request',
  },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_charset: {
    status: 415,
    title: 'The request body charset is not supported',
  },
  unsupported_content_encoding: {
    status: 415,
    title: 'Compressed request bodies are not supported',
  },
  expectation_failed: { status: 417, title: 'The expectation is unknown' },
  headers_too_large: {
    status: 431,
    title: 'The request headers are too large',
  },
  internal_error: { status: 500, title: 'Internal server error' },
  service_unavailable: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

/** An error that becomes an RFC 9457 problem details reply. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = ErrorCatalogue[code].status;
    this.title = ErrorCatalogue[code].title;
    this.extra = extra;
  }
}

/** The JSON body of a problem details reply. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  [key: string]: unknown;
}

export function toProblem(error: ApiError, instance?: string): Problem {
  return {
    type: `urn:device-api:error:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...error.extra,
  };
}
