/**
 * The OpenAPI 3.1 document of the Device API, built from TypeBox schemas.
 * The schemas describe the canonical shapes; the request parser accepts the
 * looser shapes real clients send (see docs/clients.md).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorCatalogue } from '../errors.js';
import { RequestMethods } from '../services/requests.js';

const Nullable = <T extends TSchema>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const DeviceRequestBody = Type.Object({
  Hostnames: Type.Optional(Type.Array(Type.String())),
  SerialNumbers: Type.Optional(Type.Array(Type.String())),
  Computer_Idns: Type.Optional(Type.Array(Type.Integer())),
  LastSyncDate: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'Only devices with data changed after this instant',
    }),
  ),
});

const JobIdReply = Type.Object({ JobId: Type.String({ format: 'uuid' }) });

const GuidBody = Type.Object({ Guid: Type.String({ format: 'uuid' }) });

const JobDataBody = Type.Object({
  Guid: Type.String({ format: 'uuid' }),
  Page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  PageSize: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  ),
});

const JobStatusReply = Type.Object({
  Status: Type.Integer({
    enum: [1, 2, 3, 4],
    description: 'Pending 1, Running 2, Success 3, Failure 4',
  }),
  StatusDetails: Type.String(),
  JobId: Type.String({ format: 'uuid' }),
  Method: Type.String(),
  StatusText: Type.String(),
  DevicesDone: Type.Integer(),
  DevicesTotal: Nullable(Type.Integer()),
  TotalCount: Nullable(Type.Integer()),
  CreatedAt: Type.String({ format: 'date-time' }),
  StartedAt: Nullable(Type.String({ format: 'date-time' })),
  FinishedAt: Nullable(Type.String({ format: 'date-time' })),
  ExpiresAt: Nullable(Type.String({ format: 'date-time' })),
  Watermark: Nullable(Type.String({ format: 'date-time' })),
});

const SecurityInfoItem = Type.Object({
  Vulnerability_Idn: Type.Integer(),
  Vul_ID: Type.String(),
  Status: Type.Integer({ minimum: 1, maximum: 6 }),
  StatusText: Type.String(),
  FirstDetectionDate: Nullable(Type.String()),
});

const ResultItem = Type.Object({
  Computer_Idn: Type.Integer(),
  SerialNumber: Nullable(Type.String()),
  DeviceId: Nullable(Type.String()),
  DeviceName: Nullable(Type.String()),
  DisplayName: Nullable(Type.String()),
  CustomInventory: Nullable(
    Type.Record(Type.String(), Nullable(Type.String())),
  ),
  EpmInventory: Nullable(Type.Record(Type.String(), Type.Unknown())),
  SecurityInfo: Nullable(Type.Array(SecurityInfoItem)),
  DatabaseViews: Nullable(
    Type.Record(
      Type.String(),
      Type.Array(Type.Record(Type.String(), Type.Unknown())),
    ),
  ),
});

const JobDataReply = Type.Object({
  ReturnedCount: Type.Integer(),
  TotalCount: Type.Integer(),
  Results: Type.Array(ResultItem),
  DevicesNotFound: Type.Array(Type.String()),
});

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ enum: Object.keys(ErrorCatalogue) }),
  instance: Type.Optional(Type.String()),
});

function operation(
  summary: string,
  body: TSchema,
  reply: TSchema,
): Record<string, unknown> {
  const problem = {
    content: { 'application/problem+json': { schema: Problem } },
  };
  return {
    post: {
      summary,
      security: [{ pat: [] }],
      requestBody: {
        required: false,
        content: { 'application/json': { schema: body } },
      },
      responses: {
        200: {
          description: 'OK',
          content: { 'application/json': { schema: reply } },
        },
        400: { description: 'The request is not valid', ...problem },
        401: { description: 'No valid token', ...problem },
        403: { description: 'The token lacks /api/devices/', ...problem },
        404: { description: 'No such job for this token', ...problem },
        409: { description: 'The job has not succeeded', ...problem },
      },
    },
  };
}

/** Builds the document for a server at `apiBasePath`. */
export function openApiDocument(apiBasePath: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [method, sections] of Object.entries(RequestMethods)) {
    paths[`${apiBasePath}/${method}`] = operation(
      `Start a job collecting ${sections.join(', ')}`,
      DeviceRequestBody,
      JobIdReply,
    );
  }
  paths[`${apiBasePath}/GetJobStatus`] = operation(
    'Status of a job',
    GuidBody,
    JobStatusReply,
  );
  paths[`${apiBasePath}/GetJobData`] = operation(
    'One page of a finished job',
    JobDataBody,
    JobDataReply,
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Device API',
      version: '1.0.0',
      description:
        'Asynchronous job API for EPM device data: Request* -> ' +
        'GetJobStatus -> GetJobData.',
    },
    components: {
      securitySchemes: {
        pat: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'PAT <token> (or Bearer <token>)',
        },
      },
    },
    paths,
  };
}
