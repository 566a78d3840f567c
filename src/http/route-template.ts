import type { Request } from 'express';

/**
 * Maps a request to a bounded set of route names for metrics and logs: the OpenAPI path
 * template it matches (`/v1/agreements/{agreement}`), else the Express route that handled it,
 * else `/docs` for the Swagger UI files, else `unmatched` (so a scan of random URLs cannot
 * grow the label set).
 */
export function routeTemplates(document: Record<string, unknown>): (req: Request) => string {
  const templates = Object.keys((document['paths'] ?? {}) as Record<string, unknown>).map((template) => ({
    template,
    pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}$`),
  }));
  return (req) => {
    const path = req.path;
    for (const { template, pattern } of templates) if (pattern.test(path)) return template;
    const route = (req as { route?: { path?: unknown } }).route;
    if (route !== undefined && typeof route.path === 'string') return `${req.baseUrl}${route.path}`.replace(/\\/g, '');
    if (path === '/docs' || path.startsWith('/docs/')) return '/docs';
    return 'unmatched';
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
