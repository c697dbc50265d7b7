/**
 * Table types for Kysely. EPM tables keep EPM's own names; the console's
 * tables sit beside them. EPM timestamps are the core server's local wall
 * time; console times are UTC; job and token times are epoch milliseconds.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp: ISO text in SQLite, a timestamp column in PostgreSQL. */
export type Timestamp = ColumnType<string, string, string>;

export interface ComputerTable {
  Computer_Idn: number;
  DeviceID: string | null;
  DeviceName: string | null;
  DisplayName: string | null;
  Type: string | null;
  Description: string | null;
  LoginName: string | null;
  HWLastScanDate: Timestamp | null;
  SWLastScanDate: Timestamp | null;
  VALastScanDate: Timestamp | null;
  UpdateLastScanDate: Timestamp | null;
  PatchSWLastScanDate: Timestamp | null;
  LastUpdInvSvr: Timestamp | null;
  ComputerLocation: string | null;
  LDAPLocation: string | null;
  RecordDate: Timestamp | null;
  DaysHardware: number | null;
  DaysVulnerabil: number | null;
  DaysStartUp: number | null;
}

export interface CompSystemTable {
  Computer_Idn: number;
  SerialNum: string | null;
  Model: string | null;
  Manufacturer: string | null;
  ChassisType: string | null;
}

export interface OperatingSystemTable {
  Computer_Idn: number;
  OsType: string | null;
  ReleaseID: string | null;
}

export interface OsntTable {
  Computer_Idn: number;
  LastStartUpTime: Timestamp | null;
}

export interface ScopeTable {
  Scope_Idn: number;
  Name: string;
}

export interface ScopeComputerTable {
  Scope_Idn: number;
  Computer_Idn: number;
}

export interface VulnerabilityTable {
  Vulnerability_Idn: number;
  Vul_ID: string;
  Title: string | null;
  Severity: number | null;
  Type: string | null;
  Fixable: number | null;
  Autofix: number | null;
}

export interface CVDetectedTable {
  Computer_Idn: number;
  Vulnerability_Idn: number;
  DateDetected: Timestamp | null;
  Reason: string | null;
  PatchInstallSucceeded: number | null;
  NumInstallTries: number | null;
}

export interface CustomInventoryFieldTable {
  Field_Idn: number;
  Name: string;
  SortOrder: number;
}

export interface CustomInventoryValueTable {
  Computer_Idn: number;
  Field_Idn: number;
  Value: string;
  UpdatedAt: Timestamp;
}

export interface SecurityStatusOverrideTable {
  Computer_Idn: number;
  Vulnerability_Idn: number;
  Status: number;
  UpdatedAt: Timestamp;
}

export interface DatabaseViewTable {
  View_Idn: Generated<number>;
  Name: string;
  SourceName: string;
  KeyColumn: string;
  ChangeColumn: string | null;
  CreatedAt: number;
}

export interface ApiTokenTable {
  Token_Idn: Generated<number>;
  Name: string;
  SecretHash: string;
  Rights: string;
  CreatedAt: number;
  ExpiresAt: number | null;
  RevokedAt: number | null;
  LastUsedAt: number | null;
}

export interface JobTable {
  JobId: string;
  Token_Idn: number;
  Method: string;
  Request: string;
  RequestHash: string;
  IdempotencyKey: string | null;
  Status: number;
  StatusDetails: string;
  DevicesTotal: number | null;
  DevicesDone: number;
  TotalCount: number | null;
  DevicesNotFound: string | null;
  Watermark: number | null;
  Attempts: number;
  LeaseOwner: string | null;
  LeaseExpiresAt: number | null;
  CreatedAt: number;
  StartedAt: number | null;
  FinishedAt: number | null;
  ExpiresAt: number | null;
}

export interface JobResultTable {
  JobId: string;
  Seq: number;
  Computer_Idn: number;
  Data: string;
}

export interface DB {
  Computer: ComputerTable;
  CompSystem: CompSystemTable;
  Operating_System: OperatingSystemTable;
  OSNT: OsntTable;
  Scope: ScopeTable;
  ScopeComputer: ScopeComputerTable;
  Vulnerability: VulnerabilityTable;
  CVDetected: CVDetectedTable;
  CustomInventoryField: CustomInventoryFieldTable;
  CustomInventoryValue: CustomInventoryValueTable;
  SecurityStatusOverride: SecurityStatusOverrideTable;
  DatabaseView: DatabaseViewTable;
  ApiToken: ApiTokenTable;
  Job: JobTable;
  JobResult: JobResultTable;
}
