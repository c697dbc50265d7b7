/** Which databases the suite runs on: both, unless narrowed for a quick run. */
import type { DialectName } from '../../src/db/dialects/dialect.js';

export function testDialects(): DialectName[] {
  const wanted = process.env.DEVICE_API_TEST_DIALECTS;
  if (!wanted) return ['sqlite', 'postgres'];
  return wanted.split(',').map((d) => d.trim()) as DialectName[];
}
