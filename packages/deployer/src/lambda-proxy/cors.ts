// CORS headers from release.yaml api.cors.allowOrigins (MS_CORS_ALLOW_ORIGINS, JSON
// array). An origin not on the list gets no CORS headers, so the browser blocks it.
export const CORS_ALLOW_HEADERS = 'Authorization,Content-Type,X-Request-Id,X-Api-Key';
export const CORS_ALLOW_METHODS = 'GET,POST,OPTIONS';

export function parseAllowOrigins(raw: string | undefined): string[] {
  if (!raw || raw.trim() === '') return [];
  const trimmed = raw.trim();
  const list: unknown = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(',');
  if (!Array.isArray(list) || !list.every((o) => typeof o === 'string')) {
    throw new Error('MS_CORS_ALLOW_ORIGINS must be a JSON array of origins');
  }
  return list.map((o) => o.trim()).filter((o) => o !== '');
}

export function corsHeaders(
  allowOrigins: readonly string[],
  origin: string | undefined,
  preflight: boolean,
): Record<string, string> {
  if (allowOrigins.length === 0 || origin === undefined) return {};
  const allowed = allowOrigins.includes('*') ? '*' : allowOrigins.includes(origin) ? origin : undefined;
  if (allowed === undefined) return {};
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': allowed };
  if (allowed !== '*') headers['Vary'] = 'Origin';
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = CORS_ALLOW_METHODS;
    headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
    headers['Access-Control-Max-Age'] = '600';
  }
  return headers;
}
