/**
 * Reads the token from `Authorization: PAT <token>` (the documented form) or
 * `Bearer <token>` (what Power Query and Postman send), scheme in any case.
 */
import { ApiError } from '../errors.js';

const header = /^\s*(pat|bearer)\s+(\S+)\s*$/i;

export function tokenFromHeader(value: string | undefined): string {
  if (!value || value.trim() === '') {
    throw new ApiError(
      'token_missing',
      'Send the header "Authorization: PAT <token>"; create a token with ' +
        '"device-api token create --name NAME --right /api/devices/".',
    );
  }
  const match = header.exec(value);
  if (!match) {
    throw new ApiError(
      'token_invalid',
      'The Authorization header must be "PAT <token>" (or "Bearer <token>").',
    );
  }
  return match[2];
}
