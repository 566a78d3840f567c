import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

/** The outcome of taking one token: allowed, or refused with the seconds until one is available. */
export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/**
 * Token buckets keyed by a string: each key holds up to `burst` tokens and regains
 * `ratePerSecond` tokens a second; a request takes one. The clock is injected (milliseconds),
 * so tests step time instead of sleeping.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst >= 1');
  }

  /** Takes a token from `key`'s bucket (a new key starts full); refused when less than one is left. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }
}

/**
 * Limits each API key (by its fingerprint, set by apiKeyAuth) to a token bucket; over the limit
 * answers 429 RATE_LIMITED with Retry-After. Buckets live in this process: with N replicas a key
 * gets up to N times the rate. Requests without a caller pass (authentication is off).
 */
export function rateLimit(buckets: TokenBuckets): RequestHandler {
  return (req, _res, next) => {
    if (req.caller === undefined) {
      next();
      return;
    }
    const taken = buckets.take(req.caller.keyId);
    if (taken.ok) {
      next();
      return;
    }
    next(new HttpProblem('RATE_LIMITED', `Over ${buckets.ratePerSecond} requests a second (burst ${buckets.burst}) for this API key; retry after ${taken.retryAfterSeconds} s`, [], { 'Retry-After': String(taken.retryAfterSeconds) }));
  };
}
