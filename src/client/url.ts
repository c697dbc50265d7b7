/** The API base path every method is POSTed under. */
export const apiBasePath = '/five9sWS/api/devices';

/**
 * The API base URL from either the server root (`http://host:5009`, also
 * behind a path prefix such as `https://host/console`) or the full base
 * ending in `/five9sWS/api/devices`; trailing slashes do not matter.
 */
export function apiBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError(
      `Not a URL: "${url}". Give the server root, e.g. ` +
        `http://localhost:5009, or the API base ending in ${apiBasePath}.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`The URL must start with http:// or https://: ${url}`);
  }

  const path = parsed.pathname.replace(/\/+$/, '');
  const hasBase = path.toLowerCase().endsWith(apiBasePath.toLowerCase());
  parsed.pathname = hasBase ? path : `${path}${apiBasePath}`;
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}
