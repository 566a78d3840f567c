import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's security headers, with the CSP that the bundled Swagger UI (/docs) needs on plain
 * http: its scripts and styles are served from this origin (inline styles are allowed, as by
 * helmet's default, for Swagger UI and the HTML statement; no other origin is), and
 * `upgrade-insecure-requests` is dropped because it would make the
 * browser fetch those files over https from a service that speaks http.
 */
function configuredHelmet(): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      // no third-party origin: helmet's default also allows any https: style sheet and font
      directives: { 'upgrade-insecure-requests': null, 'style-src': ["'self'", "'unsafe-inline'"], 'font-src': ["'self'", 'data:'] },
    },
  });
}

/**
 * The headers helmet sets, as name/value pairs, read once by running it against a stand-in
 * response (with this configuration they do not depend on the request): what the quote lane,
 * which does not run Express middleware, sets on its responses.
 */
export function securityHeaderList(): readonly (readonly [string, string])[] {
  const headers: [string, string][] = [];
  const stub = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, String(value)]);
      return stub;
    },
    removeHeader() {},
  };
  let synchronous = false;
  configuredHelmet()({} as never, stub as never, () => {
    synchronous = true;
  });
  if (!synchronous) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/** Sets the headers of {@link securityHeaderList} on a response. */
export function setSecurityHeaders(res: ServerResponse, headers: readonly (readonly [string, string])[]): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

export function securityHeaders(): RequestHandler {
  return configuredHelmet();
}
