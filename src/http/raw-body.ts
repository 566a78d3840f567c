import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { refuseRepeatedMembers } from './repeated-members';
import { requestPath } from './request-path';

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * express.json's `verify` hook: keeps the bytes of the requests `wanted` names, for the checks
 * JSON.parse cannot make (it keeps the last of two members with one name, silently).
 */
export function keepRawBody(wanted: (url: string) => boolean): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (req, _res, body) => {
    if (wanted(req.url ?? '')) rawBodies.set(req, body);
  };
}

/** The bytes of a request's JSON body, when {@link keepRawBody} kept them. */
export function rawBodyOf(req: IncomingMessage): Buffer | undefined {
  return rawBodies.get(req);
}

/** The routes whose JSON bodies must name each member once (`:verify` answers a repeated name its own way). */
const ONE_NAME_ROUTES: ReadonlySet<string> = new Set(['/v1/quotes', '/v1/quotes:batch', '/v1/settlements', '/v1/rulesets:diff']);

/** Whether {@link keepRawBody} keeps the body of `url`: the quote document to verify, and bodies {@link refuseRepeatedMemberNames} checks. */
export function keepsRawBody(url: string): boolean {
  const path = requestPath(url);
  return path === '/v1/quotes:verify' || ONE_NAME_ROUTES.has(path);
}

/**
 * After express.json: answers 400 VALIDATION_FAILED, naming the member's pointer, for a quote,
 * batch, settlement or diff body that repeats a member name in one object (the quote lane makes
 * the same check on its own path).
 */
export function refuseRepeatedMemberNames(): RequestHandler {
  return (req, _res, next) => {
    const raw = rawBodies.get(req);
    if (raw !== undefined && ONE_NAME_ROUTES.has(requestPath(req.originalUrl))) refuseRepeatedMembers(raw.toString('utf8'), req.body);
    next();
  };
}
