import type { RequestHandler } from 'express';

/**
 * Runs `parse` (express.json) only on the operations of the API contract that take a JSON
 * request body, so no other request — an admin call, an unknown path — has its body read or
 * parsed at all, let alone before it is authenticated. Paths match as Express routes them
 * (case-insensitive, one trailing slash allowed).
 */
export function parseJsonBodies(document: Record<string, unknown>, parse: RequestHandler): RequestHandler {
  const takers = jsonBodyOperations(document);
  return (req, res, next) => {
    if (takers.some(({ method, pattern }) => method === req.method && pattern.test(req.path))) parse(req, res, next);
    else next();
  };
}

/** The operations whose requestBody has application/json content, as method and path pattern. */
function jsonBodyOperations(document: Record<string, unknown>): { readonly method: string; readonly pattern: RegExp }[] {
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
  return Object.entries(paths).flatMap(([template, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation?.requestBody?.content?.['application/json'] !== undefined)
      .map(([method]) => ({ method: method.toUpperCase(), pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}/?$`, 'i') })),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
