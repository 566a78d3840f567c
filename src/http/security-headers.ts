import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's security headers, with the CSP that the bundled Swagger UI (/docs) needs on plain
 * http: its scripts and styles are served from this origin (inline styles are allowed by
 * helmet's default), and `upgrade-insecure-requests` is dropped because it would make the
 * browser fetch those files over https from a service that speaks http.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: { 'upgrade-insecure-requests': null },
    },
  });
}
