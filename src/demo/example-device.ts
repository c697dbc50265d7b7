/**
 * WIN10-TEST2, the device of the documented GetJobData example, with exactly
 * the documented values. Every demo fleet contains it as Computer_Idn 10.
 */
export const exampleIdn = 10;

export const exampleComputer = {
  Computer_Idn: exampleIdn,
  DeviceID: '{A98F1370-E8FF-406B-A464-76AD9D937D05}',
  DeviceName: 'WIN10-TEST2',
  DisplayName: 'WIN10-TEST2',
  Type: 'Virtual Workstation',
  Description: null,
  LoginName: 'ADMINISTRATOR',
  HWLastScanDate: '2025-08-06T15:13:34',
  SWLastScanDate: '2025-08-06T15:14:20',
  VALastScanDate: '2025-08-06T15:19:31',
  UpdateLastScanDate: '2025-08-06T15:19:59.72',
  PatchSWLastScanDate: null,
  LastUpdInvSvr: '2025-08-06T15:15:42',
  ComputerLocation: '59s16.local/Computers',
  LDAPLocation: 'CN=WIN10-TEST2,CN=Computers,DC=59s16,DC=local',
  RecordDate: '2019-02-09T22:28:57.98',
  DaysHardware: null,
  DaysVulnerabil: null,
  DaysStartUp: null,
};

export const exampleCompSystem = {
  SerialNum: 'VMware-56 4d 78 db e0 23 67 d9-8b 85 07 b3 ba d9 4a 1f',
  Model: 'VMware Virtual Platform',
  Manufacturer: 'VMware, Inc.',
  ChassisType: 'Other',
};

export const exampleOs = {
  OsType: 'Microsoft Windows 10 Enterprise Edition, 64-bit',
  ReleaseID: '2009',
};

export const exampleLastStartUpTime = '2025-08-04T08:22:51';

export const exampleScopes = [1230, 1290];

/** [Vulnerability_Idn, DateDetected]; both definitions have autofix on. */
export const exampleDetections: [number, string][] = [
  [10, '2019-07-04T15:32:08.783'],
  [18628, '2023-02-24T13:15:14.123'],
];

/** Field name -> value, in the console's field order. */
export const exampleCustomInventory: [string, string][] = [
  ['Device Type', 'Notebook (Laptop)'],
  ['End of Life', '2025-03-19'],
  ['Extended Warranty', 'True'],
  ['Planned Win11 Update', '2025-06-12'],
  ['Tag ID #', 'UnitTest - Tag ID #'],
  ['Location', 'Berlin'],
  ['PatchGroup', 'Sharepoint Servers'],
  ['PatchStep', 'Test Labor'],
  ['PatchStepFastTrack', ''],
  ['User to notify', ''],
];

/** The latest change among the example's custom inventory values. */
export const exampleCustomUpdatedAt = '2025-08-01T10:00:24.683Z';
