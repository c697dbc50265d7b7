/**
 * Reads the token from `Authorization: PAT <token>` (the documented form) or
 * `Bearer <token>` (what Power Query and Postman send): scheme in any letter
 * case, any spaces around it, a colon after it, quotes around the token.
 * Error details name what was wrong but never repeat the secret.
 */
import { ApiError } from '../errors.js';

const header = /^\s*(pat|bearer)(?:\s*:\s*|\s+)(["']?)(\S+?)\2\s*$/i;

export function tokenFromHeader(value: string | undefined): string {
  if (!value || value.trim() === '') {
    throw new ApiError(
      'token_missing',
      'Send the header "Authorization: PAT <token>"; create a token with ' +
        '"device-api token create --name NAME --right /api/devices/".',
    );
  }
  const match = header.exec(value);
  if (!match) throw new ApiError('token_invalid', whatIsWrong(value));
  return match[3];
}

function whatIsWrong(value: string): string {
  const words = value.trim().split(/\s+/);
  const expected =
    'The Authorization header must be "PAT <token>" (or "Bearer <token>")';
  if (words.length === 1 && /^(pat|bearer):?$/i.test(words[0])) {
    return `${expected}; the token after "${words[0]}" is missing.`;
  }
  if (words.length === 1) {
    return `${expected}; it has no scheme: put "PAT " before the token.`;
  }
  if (/^(pat|bearer):?$/i.test(words[0])) {
    return `${expected}; the token must be one word without spaces.`;
  }
  const scheme = words[0].replace(/[^\w-]/g, '').slice(0, 20);
  return `${expected}; the scheme "${scheme}" is not supported.`;
}
