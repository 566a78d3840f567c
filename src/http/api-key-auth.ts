import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated caller; undefined when authentication is off. */
    caller?: { readonly partnerId: string; readonly keyId: string };
  }
}

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
 * time does not depend on how much of a guessed key is right.
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
    next();
  };
}

/** The known API keys (key → partner id), looked up by their SHA-256. */
export class ApiKeys {
  private readonly byHash = new Map<string, { readonly partnerId: string; readonly keyId: string }>();

  constructor(keys: ReadonlyMap<string, string>) {
    for (const [key, partnerId] of keys) this.byHash.set(sha256(key), { partnerId, keyId: keyFingerprint(key) });
  }

  /** The caller whose key the Authorization or X-Api-Key header presents; undefined when none or unknown. */
  callerOf(authorization: string | undefined, apiKey: string | undefined): { readonly partnerId: string; readonly keyId: string } | undefined {
    return this.callerOfKey(presentedKey(authorization, apiKey));
  }

  callerOfKey(key: string | undefined): { readonly partnerId: string; readonly keyId: string } | undefined {
    return key === undefined ? undefined : this.byHash.get(sha256(key));
  }
}

function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization)?.[1];
  const key = bearer ?? apiKey?.trim();
  return key === undefined || key === '' ? undefined : key;
}
