/**
 * The route a request URL reaches as Express matches routes: the path without its query,
 * case-insensitive (lower-cased), a trailing slash ignored.
 */
export function requestPath(url: string): string {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
