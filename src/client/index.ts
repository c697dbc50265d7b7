/**
 * TypeScript client for the Device API (`device-api/client`).
 *
 * @example
 * import { DeviceApiClient } from 'device-api/client';
 *
 * const client = new DeviceApiClient({ url, token });
 * for await (const page of client.export({ method: 'RequestEpmInventory' })) {
 *   for (const device of page.Results) console.log(device.DeviceName);
 * }
 */
export {
  DeviceApiClient,
  type CallOptions,
  type DeviceApiClientOptions,
  type ExportOptions,
  type ExportPage,
  type JobDataPage,
  type PageOptions,
  type RequestOptions,
  type WaitOptions,
} from './client.js';
export {
  DeviceApiError,
  describeCode,
  JobFailedError,
  JobTimeoutError,
  NetworkError,
} from './errors.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry.js';
export {
  readSyncState,
  sameScope,
  writeSyncState,
  type SyncScope,
  type SyncState,
} from './state.js';
export type { RetryEvent } from './transport.js';
export * from './types.js';
export { apiBasePath, apiBaseUrl } from './url.js';
export {
  csvField,
  csvLine,
  deviceRecord,
  securityRecords,
  viewRecords,
  type CsvRecord,
} from './csv.js';
export {
  createExportWriter,
  csvCompanionNames,
  exportFormats,
  type ExportFormat,
  type ExportHeader,
  type ExportWriter,
} from './writers.js';
