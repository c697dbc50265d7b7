/**
 * A deterministic, realistic demo fleet: EPM inventory, detections, custom
 * inventory and two registered database views, always with WIN10-TEST2.
 */
import { sql } from 'kysely';
import { bulkInsert, type Row } from '../db/bulk.js';
import type { Connection } from '../db/connect.js';
import { toWallTime, trimFraction } from '../time.js';
import * as example from './example-device.js';
import { Random } from './random.js';

export interface FleetOptions {
  devices: number;
  seed: number;
  /** The fleet's "now": recent scans fall just before it. */
  asOf: Date;
  coreTimeZone: string;
  onProgress?: (done: number, total: number) => void;
}

export interface FleetSummary {
  devices: number;
  detections: number;
  customValues: number;
  viewRows: number;
}

const chunkSize = 2000;
const day = 86_400_000;

export const scopes: [number, string][] = [
  [1230, 'All Win Devices'],
  [1290, 'EMS - Sharepoint Servers - Autofix'],
  [1301, 'Location - Berlin'],
  [1302, 'Location - München'],
  [1303, 'Location - Hamburg'],
  [1304, 'Location - Wien'],
  [1305, 'Location - Zürich'],
  [1310, 'EMS - Pilot Group'],
  [1311, 'EMS - Wave 1'],
  [1312, 'EMS - Wave 2'],
  [1320, 'Servers - Never Autofix'],
  [1330, 'VDI Pool'],
];
const locationScopes = [1301, 1302, 1303, 1304, 1305];
const locations = ['Berlin', 'München', 'Hamburg', 'Wien', 'Zürich'];
const sites = ['BER', 'MUC', 'HAM', 'VIE', 'ZRH'];

export const customFields = [
  ...example.exampleCustomInventory.map(([name]) => name),
  'Cost Center',
  'Zuständige Abteilung',
];

const computerColumns = [
  'Computer_Idn',
  'DeviceID',
  'DeviceName',
  'DisplayName',
  'Type',
  'Description',
  'LoginName',
  'HWLastScanDate',
  'SWLastScanDate',
  'VALastScanDate',
  'UpdateLastScanDate',
  'PatchSWLastScanDate',
  'LastUpdInvSvr',
  'ComputerLocation',
  'LDAPLocation',
  'RecordDate',
  'DaysHardware',
  'DaysVulnerabil',
  'DaysStartUp',
] as const;

interface Batch {
  Computer: Row[];
  CompSystem: Row[];
  Operating_System: Row[];
  OSNT: Row[];
  ScopeComputer: Row[];
  CVDetected: Row[];
  SecurityStatusOverride: Row[];
  CustomInventoryValue: Row[];
  DeviceWarranty: Row[];
}

const batchColumns: Record<keyof Batch, string[]> = {
  Computer: [...computerColumns],
  CompSystem: [
    'Computer_Idn',
    'SerialNum',
    'Model',
    'Manufacturer',
    'ChassisType',
  ],
  Operating_System: ['Computer_Idn', 'OsType', 'ReleaseID'],
  OSNT: ['Computer_Idn', 'LastStartUpTime'],
  ScopeComputer: ['Computer_Idn', 'Scope_Idn'],
  CVDetected: [
    'Computer_Idn',
    'Vulnerability_Idn',
    'DateDetected',
    'Reason',
    'PatchInstallSucceeded',
    'NumInstallTries',
  ],
  SecurityStatusOverride: [
    'Computer_Idn',
    'Vulnerability_Idn',
    'Status',
    'UpdatedAt',
  ],
  CustomInventoryValue: ['Computer_Idn', 'Field_Idn', 'Value', 'UpdatedAt'],
  DeviceWarranty: [
    'Computer_Idn',
    'Vendor',
    'ContractNumber',
    'WarrantyEnd',
    'UpdatedAt',
  ],
};

/** Replaces the database's inventory data with a generated fleet. */
export async function generateFleet(
  conn: Connection,
  options: FleetOptions,
): Promise<FleetSummary> {
  const rng = new Random(options.seed);
  await clearInventory(conn);
  await createViewSources(conn);
  const vulns = await insertCatalogues(conn, rng);

  const ids = deviceIds(options.devices);
  const summary = {
    devices: ids.length,
    detections: 0,
    customValues: 0,
    viewRows: 0,
  };
  const maker = new DeviceMaker(rng, options, vulns);

  for (let i = 0; i < ids.length; i += chunkSize) {
    const batch = emptyBatch();
    for (const id of ids.slice(i, i + chunkSize)) {
      if (id === example.exampleIdn) addExampleDevice(batch);
      else maker.add(batch, id);
    }
    await writeBatch(conn, batch);
    summary.detections += batch.CVDetected.length;
    summary.customValues += batch.CustomInventoryValue.length;
    summary.viewRows += batch.DeviceWarranty.length;
    options.onProgress?.(Math.min(i + chunkSize, ids.length), ids.length);
  }

  await registerViews(conn);
  await analyze(conn);
  return summary;
}

/**
 * PostgreSQL plans by table statistics, and freshly loaded tables have none
 * until autovacuum gets to them: without them the section queries pick plans
 * ten times slower. SQLite's plans do not change with statistics here.
 */
async function analyze(conn: Connection): Promise<void> {
  if (conn.dialect.name === 'postgres') await sql`ANALYZE`.execute(conn.db);
}

/** 1..N; WIN10-TEST2 keeps Computer_Idn 10 even in tiny fleets. */
function deviceIds(count: number): number[] {
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  if (count < example.exampleIdn) ids[count - 1] = example.exampleIdn;
  return ids;
}

function emptyBatch(): Batch {
  return Object.fromEntries(
    Object.keys(batchColumns).map((table) => [table, []]),
  ) as unknown as Batch;
}

async function writeBatch(conn: Connection, batch: Batch): Promise<void> {
  for (const table of Object.keys(batchColumns) as (keyof Batch)[]) {
    await bulkInsert(conn, table, batchColumns[table], batch[table]);
  }
}

const inventoryTables = [
  'Computer',
  'CompSystem',
  'Operating_System',
  'OSNT',
  'Scope',
  'ScopeComputer',
  'Vulnerability',
  'CVDetected',
  'CustomInventoryField',
  'CustomInventoryValue',
  'SecurityStatusOverride',
  'DatabaseView',
];

async function clearInventory(conn: Connection): Promise<void> {
  await sql`DROP VIEW IF EXISTS "ServerOwners"`.execute(conn.db);
  await sql`DROP TABLE IF EXISTS "DeviceWarranty"`.execute(conn.db);
  for (const table of inventoryTables) {
    await sql`DELETE FROM ${sql.table(table)}`.execute(conn.db);
  }
}

/** A warranty table and a SQL view, to show both kinds of database view. */
async function createViewSources(conn: Connection): Promise<void> {
  const utc = sql.raw(conn.dialect.utcTimestampType);
  await sql`CREATE TABLE "DeviceWarranty" (
    "Computer_Idn" integer NOT NULL,
    "Vendor" text NOT NULL,
    "ContractNumber" text NOT NULL,
    "WarrantyEnd" text NOT NULL,
    "UpdatedAt" ${utc} NOT NULL)`.execute(conn.db);
  await sql`CREATE INDEX "DeviceWarranty_Computer_Idn"
    ON "DeviceWarranty" ("Computer_Idn")`.execute(conn.db);
  await sql`CREATE VIEW "ServerOwners" AS
    SELECT c."Computer_Idn", c."LoginName" AS "Owner",
      c."ComputerLocation" AS "Location"
    FROM "Computer" c WHERE c."Type" LIKE '%Server%'`.execute(conn.db);
}

async function registerViews(conn: Connection): Promise<void> {
  await conn.db
    .insertInto('DatabaseView')
    .values([
      {
        Name: 'Warranty',
        SourceName: 'DeviceWarranty',
        KeyColumn: 'Computer_Idn',
        ChangeColumn: 'UpdatedAt',
        CreatedAt: Date.now(),
      },
      {
        Name: 'ServerOwners',
        SourceName: 'ServerOwners',
        KeyColumn: 'Computer_Idn',
        ChangeColumn: null,
        CreatedAt: Date.now(),
      },
    ])
    .execute();
}

interface Vuln {
  Vulnerability_Idn: number;
  Autofix: boolean;
}

async function insertCatalogues(
  conn: Connection,
  rng: Random,
): Promise<Vuln[]> {
  await bulkInsert(conn, 'Scope', ['Scope_Idn', 'Name'], scopes);
  await bulkInsert(
    conn,
    'CustomInventoryField',
    ['Field_Idn', 'Name', 'SortOrder'],
    customFields.map((name, i) => [i + 1, name, i + 1]),
  );

  const rows = vulnerabilityCatalogue(rng);
  await bulkInsert(
    conn,
    'Vulnerability',
    [
      'Vulnerability_Idn',
      'Vul_ID',
      'Title',
      'Severity',
      'Type',
      'Fixable',
      'Autofix',
    ],
    rows,
  );
  return rows.map((row) => ({
    Vulnerability_Idn: row[0] as number,
    Autofix: row[6] === 1,
  }));
}

const products = [
  ['JAVAv8u', 'Oracle Java 8 Update'],
  ['CHROME-', 'Google Chrome'],
  ['FIREFOX-', 'Mozilla Firefox'],
  ['ADOBE-APSB', 'Adobe Acrobat Reader'],
  ['ZOOM-', 'Zoom Workplace'],
  ['7ZIP-', '7-Zip'],
  ['NPP-', 'Notepad++'],
  ['VLC-', 'VideoLAN VLC'],
] as const;

/** About 1,500 definitions with realistic Vul_ID patterns. */
function vulnerabilityCatalogue(rng: Random): Row[] {
  const rows: Row[] = [
    [10, 'LDMS1100.RC.1', 'EPM agent 2022 update', 2, 'Vulnerability', 1, 1],
    [
      18628,
      'TB18-5291_INTL',
      'Vendor release 18-5291',
      2,
      'Vulnerability',
      1,
      1,
    ],
  ];
  const usedIds = new Set([10, 18628]);
  const usedNames = new Set(['LDMS1100.RC.1', 'TB18-5291_INTL']);

  while (rows.length < 1500) {
    const idn = rng.int(11, 30000);
    const [vulId, title, type] = vulnerabilityName(rng);
    if (usedIds.has(idn) || usedNames.has(vulId)) continue;
    usedIds.add(idn);
    usedNames.add(vulId);
    const severity = rng.weighted([
      [1, 2],
      [2, 4],
      [3, 3],
      [4, 1],
      [5, 1],
    ]);
    rows.push([
      idn,
      vulId,
      title,
      severity,
      type,
      rng.chance(0.9) ? 1 : 0,
      rng.chance(0.15) ? 1 : 0,
    ]);
  }
  return rows.sort((a, b) => (a[0] as number) - (b[0] as number));
}

function vulnerabilityName(rng: Random): [string, string, string] {
  const kind = rng.weighted([
    ['kb', 5],
    ['st', 2],
    ['product', 3],
    ['av', 1],
    ['tb', 1],
  ] as const);
  const year = rng.int(18, 25);
  switch (kind) {
    case 'kb': {
      const kb = rng.int(4500000, 5063999);
      return [`MS${year}-KB${kb}`, `Security update KB${kb}`, 'Vulnerability'];
    }
    case 'st':
      return [
        `ST${String(rng.int(1, 999999)).padStart(6, '0')}`,
        'Security threat',
        'Security Threat',
      ];
    case 'av':
      return [
        `AV-DEF-${year}${rng.int(1000, 9999)}`,
        'Antivirus definitions outdated',
        'Antivirus',
      ];
    case 'tb':
      return [
        `TB${year}-${rng.int(1000, 9999)}_INTL`,
        'Vendor release',
        'Vulnerability',
      ];
    default: {
      const [prefix, name] = rng.pick(products);
      const version = `${rng.int(1, 130)}.${rng.int(0, 9)}.${rng.int(0, 999)}`;
      const id =
        prefix === 'JAVAv8u'
          ? `${prefix}${rng.int(1, 450)}`
          : `${prefix}${version}`;
      return [id, `${name} ${version}`, 'Vulnerability'];
    }
  }
}

function addExampleDevice(batch: Batch): void {
  const id = example.exampleIdn;
  const c = example.exampleComputer;
  batch.Computer.push(computerColumns.map((column) => c[column]));
  const s = example.exampleCompSystem;
  batch.CompSystem.push([
    id,
    s.SerialNum,
    s.Model,
    s.Manufacturer,
    s.ChassisType,
  ]);
  batch.Operating_System.push([
    id,
    example.exampleOs.OsType,
    example.exampleOs.ReleaseID,
  ]);
  batch.OSNT.push([id, example.exampleLastStartUpTime]);
  for (const scope of example.exampleScopes)
    batch.ScopeComputer.push([id, scope]);
  for (const [vuln, date] of example.exampleDetections) {
    batch.CVDetected.push([
      id,
      vuln,
      date,
      'Detected by vulnerability scan',
      0,
      0,
    ]);
  }
  const last = Date.parse(example.exampleCustomUpdatedAt);
  example.exampleCustomInventory.forEach(([, value], i) => {
    const at = new Date(last - (i === 0 ? 0 : 86_400_000 + i * 1000));
    batch.CustomInventoryValue.push([id, i + 1, value, at.toISOString()]);
  });
}

type DeviceType =
  | 'Workstation'
  | 'Portable'
  | 'Virtual Workstation'
  | 'Server'
  | 'Virtual Server';

const firstNames = [
  'anna',
  'ben',
  'clara',
  'david',
  'eva',
  'felix',
  'jürgen',
  'lena',
  'marco',
  'nina',
  'oliver',
  'sören',
  'tobias',
  'zoë',
];
const lastNames = [
  'müller',
  'schmidt',
  'schneider',
  'fischer',
  'weber',
  'meyer',
  'wagner',
  'becker',
  'hofmann',
  'koch',
  'richter',
  'klein',
];

/** Makes one realistic device at a time into a batch. */
class DeviceMaker {
  private readonly names: string[] = [];
  private readonly serials: string[] = [];

  constructor(
    private readonly rng: Random,
    private readonly options: FleetOptions,
    private readonly vulns: Vuln[],
  ) {}

  add(batch: Batch, id: number): void {
    const rng = this.rng;
    const type = rng.weighted<DeviceType>([
      ['Workstation', 35],
      ['Portable', 27],
      ['Virtual Workstation', 8],
      ['Server', 15],
      ['Virtual Server', 15],
    ]);
    const site = rng.int(0, sites.length - 1);
    const name = this.deviceName(type, site, id);
    const times = this.scanTimes();

    this.addComputer(batch, id, type, site, name, times);
    this.addSystem(batch, id, type);
    this.addScopes(batch, id, type, site);
    this.addDetections(batch, id, times);
    this.addCustomInventory(batch, id, type, site, times.seen);
    if (!type.startsWith('Virtual') && rng.chance(0.45)) {
      this.addWarranty(batch, id, times.seen);
    }
  }

  private deviceName(type: DeviceType, site: number, id: number): string {
    if (this.names.length > 50 && this.rng.chance(0.01)) {
      return this.rng.pick(this.names);
    }
    const kind = {
      Workstation: 'WS',
      Portable: 'NB',
      'Virtual Workstation': 'VDI',
      Server: 'SRV',
      'Virtual Server': 'VSRV',
    };
    const name = `${sites[site]}-${kind[type]}-${String(id).padStart(6, '0')}`;
    if (this.names.length < 5000) this.names.push(name);
    return name;
  }

  /** Wall times on the core server; 7% of devices are stale (>30 days). */
  private scanTimes() {
    const rng = this.rng;
    const asOf = this.options.asOf.getTime();
    const stale = rng.chance(0.07);
    const seen =
      asOf -
      (stale ? rng.int(30, 400) * day : rng.int(0, 6 * 24 * 60) * 60_000) -
      rng.int(0, 3_599_999);
    const recorded = seen - rng.int(60, 2200) * day;
    const wall = (ms: number) =>
      trimFraction(toWallTime(new Date(ms), this.options.coreTimeZone));
    const jitter = () => (rng.chance(0.5) ? 0 : rng.int(1, 999));

    return {
      seen,
      recorded,
      wall,
      hw: wall(seen - 300_000 - jitter()),
      sw: wall(seen - 240_000 - jitter()),
      va: wall(seen - 120_000 - jitter()),
      update: wall(seen - 60_000 - jitter()),
      patch: rng.chance(0.4) ? wall(seen - 30_000 - jitter()) : null,
      inv: wall(seen),
      record: wall(recorded + jitter()),
      boot: wall(seen - rng.int(1, 14 * 24) * 3_600_000),
    };
  }

  private addComputer(
    batch: Batch,
    id: number,
    type: DeviceType,
    site: number,
    name: string,
    t: ReturnType<DeviceMaker['scanTimes']>,
  ): void {
    const rng = this.rng;
    const user = `${rng.pick(firstNames)}.${rng.pick(lastNames)}`;
    const ou = type.includes('Server') ? 'Servers' : 'Computers';
    batch.Computer.push([
      id,
      `{${guid(rng)}}`,
      name,
      name,
      type,
      rng.chance(0.2) ? `${locations[site]} ${type.toLowerCase()}` : null,
      type.includes('Server') ? 'ADMINISTRATOR' : user.toUpperCase(),
      t.hw,
      t.sw,
      t.va,
      t.update,
      t.patch,
      t.inv,
      `corp.example/${locations[site]}/${ou}`,
      `CN=${name},OU=${ou},OU=${sites[site]},DC=corp,DC=example`,
      t.record,
      null,
      null,
      null,
    ]);
    batch.OSNT.push([id, t.boot]);
    batch.Operating_System.push([id, ...this.os(type)]);
  }

  private os(type: DeviceType): [string, string] {
    if (type.includes('Server')) {
      return this.rng.pick([
        ['Microsoft Windows Server 2019 Standard Edition, 64-bit', '1809'],
        ['Microsoft Windows Server 2022 Standard Edition, 64-bit', '21H2'],
        ['Microsoft Windows Server 2022 Datacenter Edition, 64-bit', '21H2'],
        ['Microsoft Windows Server 2016 Standard Edition, 64-bit', '1607'],
      ] as const) as [string, string];
    }
    if (this.rng.chance(0.45)) {
      return [
        'Microsoft Windows 11 Enterprise Edition, 64-bit',
        this.rng.pick(['22H2', '23H2', '24H2']),
      ];
    }
    return [
      'Microsoft Windows 10 Enterprise Edition, 64-bit',
      this.rng.pick(['1809', '1909', '2004', '2009', '21H2', '22H2']),
    ];
  }

  private addSystem(batch: Batch, id: number, type: DeviceType): void {
    const rng = this.rng;
    let row: [string, string, string, string];
    if (type.startsWith('Virtual')) {
      row = rng.chance(0.7)
        ? [
            vmwareSerial(rng),
            'VMware Virtual Platform',
            'VMware, Inc.',
            'Other',
          ]
        : [
            `${rng.int(1000, 9999)}-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
            'Virtual Machine',
            'Microsoft Corporation',
            'Unknown',
          ];
    } else {
      row = physicalSystem(rng, type);
    }
    if (this.serials.length > 50 && rng.chance(0.005)) {
      row[0] = rng.pick(this.serials);
    } else if (this.serials.length < 5000) {
      this.serials.push(row[0]);
    }
    batch.CompSystem.push([id, ...row]);
  }

  private addScopes(
    batch: Batch,
    id: number,
    type: DeviceType,
    site: number,
  ): void {
    const rng = this.rng;
    if (rng.chance(0.98)) batch.ScopeComputer.push([id, 1230]);
    batch.ScopeComputer.push([id, locationScopes[site]]);
    if (type.includes('Server')) {
      batch.ScopeComputer.push([id, 1320]);
      if (rng.chance(0.1)) batch.ScopeComputer.push([id, 1290]);
    } else if (type === 'Virtual Workstation') {
      batch.ScopeComputer.push([id, 1330]);
    } else if (rng.chance(0.8)) {
      batch.ScopeComputer.push([id, rng.pick([1310, 1311, 1312])]);
    }
  }

  private addDetections(
    batch: Batch,
    id: number,
    t: ReturnType<DeviceMaker['scanTimes']>,
  ): void {
    const rng = this.rng;
    const stale = this.options.asOf.getTime() - t.seen > 30 * day;
    const count = stale
      ? rng.int(20, 160)
      : rng.weighted([
          [rng.int(0, 5), 3],
          [rng.int(4, 17), 12],
          [rng.int(20, 30), 1],
        ]);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.int(0, this.vulns.length - 1));

    for (const index of chosen) {
      const vuln = this.vulns[index];
      const detected = rng.int(t.recorded, t.seen);
      const tries = rng.chance(0.1) ? rng.int(1, 3) : 0;
      const succeeded = tries > 0 && rng.chance(0.6) ? 1 : 0;
      batch.CVDetected.push([
        id,
        vuln.Vulnerability_Idn,
        t.wall(detected),
        'Detected by vulnerability scan',
        succeeded,
        tries,
      ]);
      if (rng.chance(0.04)) {
        const at = new Date(rng.int(detected, this.options.asOf.getTime()));
        batch.SecurityStatusOverride.push([
          id,
          vuln.Vulnerability_Idn,
          rng.pick([1, 2]),
          at.toISOString(),
        ]);
      }
    }
  }

  private addCustomInventory(
    batch: Batch,
    id: number,
    type: DeviceType,
    site: number,
    seen: number,
  ): void {
    const rng = this.rng;
    const values = customValues(rng, type, site);
    values.forEach((value, i) => {
      if (value === undefined || rng.chance(0.03)) return;
      const at = new Date(seen - rng.int(0, 120) * day - rng.int(0, day));
      batch.CustomInventoryValue.push([id, i + 1, value, at.toISOString()]);
    });
  }

  private addWarranty(batch: Batch, id: number, seen: number): void {
    const rng = this.rng;
    const end = new Date(seen + rng.int(-400, 1200) * day);
    batch.DeviceWarranty.push([
      id,
      rng.pick(['Dell', 'HP', 'Lenovo']),
      `CN-${rng.int(100000, 999999)}`,
      end.toISOString().slice(0, 10),
      new Date(seen - rng.int(0, 200) * day).toISOString(),
    ]);
  }
}

function customValues(
  rng: Random,
  type: DeviceType,
  site: number,
): (string | undefined)[] {
  const server = type.includes('Server');
  const date = (from: number, to: number) =>
    `20${rng.int(from, to)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
  return [
    server ? 'Server' : type === 'Portable' ? 'Notebook (Laptop)' : 'Desktop',
    date(25, 30),
    rng.chance(0.4) ? 'True' : 'False',
    server ? '' : date(25, 26),
    `TAG-${rng.int(10000, 99999)}`,
    locations[site],
    server
      ? rng.pick(['Sharepoint Servers', 'SQL Servers', 'File Servers'])
      : rng.pick(['Office Clients', 'Developer Clients', 'Kiosk']),
    rng.pick(['Test Labor', 'Pilot', 'Wave 1', 'Wave 2']),
    rng.chance(0.1) ? 'True' : '',
    rng.chance(0.3)
      ? `${rng.pick(firstNames)}.${rng.pick(lastNames)}@corp.example`
      : '',
    `CC-${rng.int(1000, 1099)}`,
    rng.pick(['IT-Betrieb', 'Vertrieb', 'Forschung & Entwicklung', 'Büro']),
  ];
}

function physicalSystem(
  rng: Random,
  type: DeviceType,
): [string, string, string, string] {
  const chassis =
    type === 'Portable'
      ? rng.pick(['Notebook', 'Laptop', 'Portable', 'Convertible'])
      : type === 'Server'
        ? 'Rack Mount Chassis'
        : rng.pick(['Desktop', 'Mini Tower', 'Tower', 'All in One']);
  const maker = rng.pick(['Dell', 'HP', 'Lenovo'] as const);
  const serial =
    maker === 'Dell'
      ? alnum(rng, 7)
      : maker === 'HP'
        ? `CZC${alnum(rng, 7)}`
        : `PF${alnum(rng, 6)}`;
  const models = {
    Dell: [
      'Latitude 7440',
      'OptiPlex 7010',
      'PowerEdge R750',
      'Precision 3660',
    ],
    HP: ['EliteBook 840 G10', 'EliteDesk 800 G9', 'ProLiant DL380 Gen11'],
    Lenovo: ['ThinkPad T14 Gen 4', 'ThinkCentre M90q', 'ThinkSystem SR650'],
  };
  const manufacturer = { Dell: 'Dell Inc.', HP: 'HP', Lenovo: 'LENOVO' };
  return [serial, rng.pick(models[maker]), manufacturer[maker], chassis];
}

function alnum(rng: Random, length: number): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  let text = '';
  for (let i = 0; i < length; i++) text += chars[rng.int(0, chars.length - 1)];
  return text;
}

function vmwareSerial(rng: Random): string {
  const bytes = Array.from({ length: 16 }, () => rng.hex(2));
  return `VMware-${bytes.slice(0, 8).join(' ')}-${bytes.slice(8).join(' ')}`;
}

function guid(rng: Random): string {
  const h = rng.hex(32).toUpperCase();
  return (
    `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-` +
    `${h.slice(16, 20)}-${h.slice(20)}`
  );
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
