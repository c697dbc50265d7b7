/**
 * Request and reply types of the Device API, spelled as the API spells
 * them. Fields the service adds beyond the documented contract are marked
 * optional where an older server may leave them out.
 */

/** JobStatus as the API numbers it. */
export const JobStatus = {
  Pending: 1,
  Running: 2,
  Success: 3,
  Failure: 4,
} as const;
export type JobStatusValue = (typeof JobStatus)[keyof typeof JobStatus];

/** Security status of a detection (`StatusText` is the name). */
export const SecurityStatus = {
  Excluded: 1,
  Planned: 2,
  Pending: 3,
  Autofix: 4,
  InstallFailure: 5,
  InstallSuccess: 6,
} as const;

/** The methods that start a job, and the result section each collects. */
export const RequestMethods = {
  RequestEpmInventory: ['EpmInventory'],
  RequestCustomInventory: ['CustomInventory'],
  RequestSecurityInfo: ['SecurityInfo'],
  RequestDatabaseViews: ['DatabaseViews'],
  RequestAllInfos: [
    'CustomInventory',
    'EpmInventory',
    'SecurityInfo',
    'DatabaseViews',
  ],
} as const;
export type RequestMethod = keyof typeof RequestMethods;
export type Section = (typeof RequestMethods.RequestAllInfos)[number];

/** Body of every Request* method; no identifiers means all devices. */
export interface DeviceRequest {
  Hostnames?: string[];
  SerialNumbers?: string[];
  Computer_Idns?: number[];
  /** Only devices with data changed after this instant. */
  LastSyncDate?: string | Date | null;
}

export interface JobIdReply {
  JobId: string;
}

export interface JobStatusRequest {
  Guid: string;
}

/** GetJobStatus reply: the documented fields first, then additions. */
export interface JobStatusReply {
  Status: JobStatusValue;
  StatusDetails: string;
  JobId?: string;
  Method?: RequestMethod;
  StatusText?: string;
  DevicesDone?: number;
  DevicesTotal?: number | null;
  TotalCount?: number | null;
  CreatedAt?: string;
  StartedAt?: string | null;
  FinishedAt?: string | null;
  ExpiresAt?: string | null;
  /** Server time the data was read from: use it as the next LastSyncDate. */
  Watermark?: string | null;
}

export interface JobDataRequest {
  Guid: string;
  /** 1-based; default 1. */
  Page?: number;
  /** Default 100; the server's maximum is 1000 unless configured. */
  PageSize?: number;
}

export interface JobDataReply<T = DeviceResult> {
  ReturnedCount: number;
  TotalCount: number;
  Results: T[];
  DevicesNotFound: string[];
}

export interface Scope {
  Scope_Idn: number;
  ScopeName: string;
}

/** EPM timestamps are the core server's local time without an offset. */
export interface EpmInventory {
  Computer_Idn: number;
  DeviceName: string | null;
  Type: string | null;
  Description: string | null;
  LoginName: string | null;
  HWLastScanDate: string | null;
  SWLastScanDate: string | null;
  UpdateLastScanDate: string | null;
  PatchSWLastScanDate: string | null;
  LastUpdInvSvr: string | null;
  LastStartUpTime: string | null;
  ComputerLocation: string | null;
  LDAPLocation: string | null;
  RecordDate: string | null;
  DaysHardware: number | null;
  DaysVulnerabil: number | null;
  DaysStartUp: number | null;
  SerialNum: string | null;
  Model: string | null;
  Manufacturer: string | null;
  ChassisType: string | null;
  OsType: string | null;
  ReleaseID: string | null;
  Scopes: Scope[];
}

export interface SecurityDetection {
  Vulnerability_Idn: number;
  Vul_ID: string;
  Status: number;
  StatusText: string;
  FirstDetectionDate: string | null;
}

/** Field name -> value, plus `UpdatedAt` (UTC) of the latest change. */
export type CustomInventory = Record<string, string>;

/** View name -> the view's rows for the device. */
export type DatabaseViews = Record<string, Record<string, unknown>[]>;

/** One device of a job's results; a section not requested is null. */
export interface DeviceResult {
  Computer_Idn: number;
  SerialNumber: string | null;
  DeviceId: string | null;
  DeviceName: string | null;
  DisplayName: string | null;
  CustomInventory: CustomInventory | null;
  EpmInventory: EpmInventory | null;
  SecurityInfo: SecurityDetection[] | null;
  DatabaseViews: DatabaseViews | null;
}

/** An RFC 9457 problem details reply. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [key: string]: unknown;
}
