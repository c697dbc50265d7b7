import { describe, expect, it } from 'vitest';
import { toApiError } from '../src/http/problems.js';

describe('mapping errors onto the catalogue', () => {
  it('turns a lost database connection into 503 service_unavailable', () => {
    const lost = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    const terminated = Object.assign(new Error('terminating connection'), {
      code: '57P01',
    });

    expect(toApiError(lost).code).toBe('service_unavailable');
    expect(toApiError(terminated).status).toBe(503);
  });

  it('keeps unexpected errors a generic 500 without their message', () => {
    const error = toApiError(new Error('secret internals'));

    expect(error.code).toBe('internal_error');
    expect(error.message).not.toContain('secret');
  });
});
