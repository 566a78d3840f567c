import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from './problem';
import { requestPath } from './request-path';

/** An authenticated caller: its partner and the fingerprint of the key it used. */
export interface Caller {
  readonly partnerId: string;
  readonly keyId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated caller; undefined when authentication is off. */
    caller?: Caller;
  }
}

/** What an API key may be limited to (`operations=` in its configuration). */
export const KEY_OPERATIONS = ['read', 'quote', 'verify', 'settle', 'diff'] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/**
 * What one API key grants: its partner and, when limited, the agreements and the operations it
 * may use. A key given as a bare partner id (`key=partner`) may use every agreement and every
 * operation, as every key could before keys had scopes.
 */
export interface ApiKeyGrant {
  readonly partnerId: string;
  /** The agreement ids it may read, quote, verify, settle and diff; undefined: all. */
  readonly agreements?: readonly string[];
  /** The operations it may call; undefined: all. */
  readonly operations?: readonly KeyOperation[];
}

interface Scope {
  readonly agreements: ReadonlySet<string> | undefined;
  readonly operations: ReadonlySet<KeyOperation> | undefined;
}

/** The scope of each caller ApiKeys hands out (one object per key, so the caller stays {partnerId, keyId} in logs). */
const scopes = new WeakMap<Caller, Scope>();

/** A non-secret fingerprint of a key (12 hex digits of its SHA-256): safe for logs and rate-limit buckets. */
export function keyFingerprint(key: string): string {
  return sha256(key).slice(0, 12);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Requires an API key on every request it guards: `Authorization: Bearer <key>` or
 * `X-Api-Key: <key>`. Known keys set `req.caller` (partner id and key fingerprint); a missing or
 * unknown key is a 401 UNAUTHORIZED problem. Keys are looked up by their SHA-256, so the lookup
 * time does not depend on how much of a guessed key is right. A key limited to some operations
 * or agreements is refused with 403 FORBIDDEN, before its body is read, for an operation it may
 * not call or an agreement the path or query names that it may not use (an agreement named in a
 * JSON body is checked once the body is read: {@link bodyAgreementScope}, and the quote routes).
 */
export function apiKeyAuth(keys: ApiKeys): RequestHandler {
  return (req, _res, next) => {
    const key = presentedKey(req.get('authorization'), req.get('x-api-key'));
    const caller = keys.callerOfKey(key);
    if (caller === undefined) {
      next(new HttpProblem('UNAUTHORIZED', key === undefined ? 'Send an API key: Authorization: Bearer <key> or X-Api-Key: <key>' : 'The API key is not valid', [], { 'WWW-Authenticate': 'Bearer realm="suanpan"' }));
      return;
    }
    req.caller = caller;
    const operation = operationOf(req.method, req.originalUrl);
    if (operation !== undefined) requireOperation(caller, operation);
    const named = agreementInPathOrQuery(req, operation);
    if (named !== undefined) requireAgreement(caller, named.agreement, named.pointer);
    next();
  };
}

/** The known API keys (key → partner id or grant), looked up by their SHA-256. */
export class ApiKeys {
  private readonly byHash = new Map<string, Caller>();

  constructor(keys: ReadonlyMap<string, string | ApiKeyGrant>) {
    for (const [key, grant] of keys) {
      const { partnerId, agreements, operations } = typeof grant === 'string' ? { partnerId: grant } : grant;
      const caller: Caller = { partnerId, keyId: keyFingerprint(key) };
      scopes.set(caller, { agreements: agreements === undefined ? undefined : new Set(agreements), operations: operations === undefined ? undefined : new Set(operations) });
      this.byHash.set(sha256(key), caller);
    }
  }

  /** The caller whose key the Authorization or X-Api-Key header presents; undefined when none or unknown. */
  callerOf(authorization: string | undefined, apiKey: string | undefined): Caller | undefined {
    return this.callerOfKey(presentedKey(authorization, apiKey));
  }

  callerOfKey(key: string | undefined): Caller | undefined {
    return key === undefined ? undefined : this.byHash.get(sha256(key));
  }
}

/** Whether `caller` (undefined: authentication is off) may call `operation`. */
export function mayCall(caller: Caller | undefined, operation: KeyOperation): boolean {
  const operations = caller === undefined ? undefined : scopes.get(caller)?.operations;
  return operations === undefined || operations.has(operation);
}

/** Whether `caller` (undefined: authentication is off) may use `agreement`. */
export function mayUse(caller: Caller | undefined, agreement: string): boolean {
  const agreements = caller === undefined ? undefined : scopes.get(caller)?.agreements;
  return agreements === undefined || agreements.has(agreement);
}

/** Whether `caller` is limited to some agreements (so a request must name the one it uses). */
function limitedToAgreements(caller: Caller): boolean {
  return scopes.get(caller)?.agreements !== undefined;
}

/** Throws 403 FORBIDDEN when `caller` may not use `agreement` (named at `pointer`). */
export function requireAgreement(caller: Caller | undefined, agreement: string, pointer: string): void {
  if (mayUse(caller, agreement)) return;
  throw new HttpProblem('FORBIDDEN', `This API key may not use the agreement ${JSON.stringify(agreement)}`, [{ pointer, detail: 'this API key may not use this agreement', code: 'agreementNotGranted' }]);
}

function requireOperation(caller: Caller, operation: KeyOperation): void {
  if (mayCall(caller, operation)) return;
  throw new HttpProblem('FORBIDDEN', `This API key may not ${OPERATION_WORDS[operation]}`);
}

const OPERATION_WORDS: Readonly<Record<KeyOperation, string>> = {
  read: 'read agreements',
  quote: 'price quotes',
  verify: 'verify quotes',
  settle: 'settle periods',
  diff: 'compare rule versions',
};

/**
 * Once express.json has read the body: 403 FORBIDDEN when a limited key names, in the body
 * of a quote to verify, a JSON settlement or a diff, an agreement it may not use. A diff
 * from a key limited to some agreements must name its agreement (in `agreement`, or as
 * `<agreement>/<version>`): without one it would search every agreement.
 */
export function bodyAgreementScope(): RequestHandler {
  return (req, _res, next) => {
    const caller = req.caller;
    if (caller === undefined || !limitedToAgreements(caller) || typeof req.body !== 'object' || req.body === null) {
      next();
      return;
    }
    const body = req.body as Record<string, unknown>;
    const path = requestPath(req.originalUrl);
    if (path === '/v1/quotes:verify' || path === '/v1/settlements') {
      if (typeof body['agreement'] === 'string') requireAgreement(caller, body['agreement'], '/agreement');
    } else if (path === '/v1/rulesets:diff') {
      for (const [agreement, pointer] of diffAgreements(body)) {
        if (agreement === undefined) throw new HttpProblem('FORBIDDEN', 'This API key may use some agreements only: name the agreement of the diff', [{ pointer, detail: 'name the agreement (agreement, or <agreement>/<version>)', code: 'agreementNotGranted' }]);
        requireAgreement(caller, agreement, pointer);
      }
    }
    next();
  };
}

/** The agreement each version of a diff is looked up in (undefined: all), and where it is named. */
function diffAgreements(body: Record<string, unknown>): [string | undefined, string][] {
  const named = typeof body['agreement'] === 'string' ? body['agreement'] : undefined;
  const prefix = (ref: unknown): string | undefined => (typeof ref === 'string' && ref.indexOf('/') > 0 ? ref.slice(0, ref.indexOf('/')) : undefined);
  const from = prefix(body['from']) ?? named;
  const fromPointer = prefix(body['from']) === undefined ? '/agreement' : '/from';
  return [
    [from, fromPointer],
    [prefix(body['to']) ?? named ?? from, prefix(body['to']) === undefined ? fromPointer : '/to'],
  ];
}

/** The operation a /v1 request calls; undefined for a route that has none (a 404 follows). */
function operationOf(method: string, url: string): KeyOperation | undefined {
  const path = requestPath(url);
  if (method === 'GET' || method === 'HEAD') return path === '/v1/agreements' || path.startsWith('/v1/agreements/') ? 'read' : undefined;
  if (method !== 'POST') return undefined;
  return POST_OPERATIONS[path];
}

const POST_OPERATIONS: Readonly<Record<string, KeyOperation>> = {
  '/v1/quotes': 'quote',
  '/v1/quotes:batch': 'quote',
  '/v1/quotes:verify': 'verify',
  '/v1/settlements': 'settle',
  '/v1/rulesets:diff': 'diff',
};

/** An agreement named before the body is read: in the path of GET /v1/agreements/{id}, or the query of an uploaded settlement. */
function agreementInPathOrQuery(req: Request, operation: KeyOperation | undefined): { agreement: string; pointer: string } | undefined {
  if (operation === 'read') {
    const segment = /^\/v1\/agreements\/([^/?]+)/i.exec(req.originalUrl)?.[1];
    return segment === undefined ? undefined : { agreement: safeDecode(segment), pointer: '/path/agreement' };
  }
  const query = req.query['agreement'];
  if (operation === 'settle' && !req.is('application/json') && typeof query === 'string') return { agreement: query, pointer: '/query/agreement' };
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization)?.[1];
  const key = bearer ?? apiKey?.trim();
  return key === undefined || key === '' ? undefined : key;
}
