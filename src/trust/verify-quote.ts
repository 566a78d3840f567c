import { diffJson } from '../rules/json-diff';
import { ISSUE_FIELDS, verifyQuoteSignature, type SignatureStatus } from './quote-signature';
import type { KeyRing } from './signing-keys';

/** The outcome of recomputing a quote's figures under its pinned rule version. */
export type Recomputation =
  | { readonly status: 'recomputed'; readonly quote: unknown }
  | { readonly status: 'version-not-loaded'; readonly detail: string }
  | { readonly status: 'not-recomputable'; readonly detail: string };

/** One figure (or any field) where the quote held differs from the recomputation. */
export interface QuoteDifference {
  /** JSON pointer into the quote, e.g. `/lines/0/unitPrice`. */
  readonly path: string;
  /** Absent when the quote lacks the field. */
  readonly quoted?: unknown;
  /** Absent when the recomputation lacks the field. */
  readonly recomputed?: unknown;
  /** True when the path or a value was longer than {@link MAX_ECHOED_CHARS} and is shown cut (see {@link boundedEcho}). */
  readonly truncated?: true;
}

/** What `POST /v1/quotes:verify` answers. */
export interface QuoteVerification {
  /** True only when the signature is valid and the figures recompute exactly. */
  readonly valid: boolean;
  readonly signature: SignatureStatus;
  readonly keyId?: string;
  readonly recomputed: 'match' | 'mismatch' | 'version-not-loaded' | 'not-recomputable';
  readonly detail?: string;
  readonly quoteId?: unknown;
  readonly rulesetVersion?: unknown;
  readonly expiresAt?: unknown;
  readonly differences: readonly QuoteDifference[];
}

/** At most this many differences are listed (a quote of 500 edited lines stays readable). */
export const MAX_DIFFERENCES = 1000;

/**
 * The deepest nesting of arrays and objects a document to verify may have (an issued quote
 * has 5 levels): verification walks the document recursively.
 */
export const MAX_DOCUMENT_DEPTH = 32;

/** The longest path or value echoed from the document, in characters (of its JSON text, for arrays and objects). */
export const MAX_ECHOED_CHARS = 200;

/**
 * Verifies a quote document: its signature (see {@link verifyQuoteSignature}) and its figures,
 * recomputed by `recompute` under the rule version the quote pins (its rulesetVersion), not
 * the one in force today. Every field but quoteId, issuedAt, expiresAt and signature must be
 * identical to the recomputation; each that is not is listed with both values.
 */
export async function verifyQuote(
  document: Readonly<Record<string, unknown>>,
  deps: { readonly keys: KeyRing; readonly now: Date; readonly recompute: (document: Readonly<Record<string, unknown>>) => Promise<Recomputation> },
): Promise<QuoteVerification> {
  const signature = await verifyQuoteSignature(document, deps.keys, deps.now);
  const recomputation = await deps.recompute(document);
  const differences: QuoteDifference[] =
    recomputation.status === 'recomputed'
      ? diffJson(pricedPart(document), pricedPart(recomputation.quote as Record<string, unknown>))
          .slice(0, MAX_DIFFERENCES)
          .map(({ path, left, right }) => echoedDifference(path, left, right))
      : [];
  const recomputed = recomputation.status === 'recomputed' ? (differences.length === 0 ? 'match' : 'mismatch') : recomputation.status;
  return {
    valid: signature.status === 'valid' && recomputed === 'match',
    signature: signature.status,
    ...(signature.kid === undefined ? {} : { keyId: signature.kid }),
    recomputed,
    ...(recomputation.status === 'recomputed' ? {} : { detail: recomputation.detail }),
    ...pick(document, ['quoteId', 'rulesetVersion', 'expiresAt']),
    differences,
  };
}

function pricedPart(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...document };
  for (const field of ISSUE_FIELDS) delete out[field];
  return out;
}

function pick(document: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => document[field] !== undefined).map((field) => [field, boundedEcho(document[field]).value]));
}

function echoedDifference(path: string, left: unknown, right: unknown): QuoteDifference {
  const [where, quoted, recomputed] = [boundedEcho(path), boundedEcho(left), boundedEcho(right)];
  const truncated = where.truncated || quoted.truncated || recomputed.truncated;
  return {
    path: where.value as string,
    ...(left === undefined ? {} : { quoted: quoted.value }),
    ...(right === undefined ? {} : { recomputed: recomputed.value }),
    ...(truncated ? { truncated } : {}),
  };
}

/**
 * A value as the answer may echo it: itself when its text (a string's characters, an array's
 * or object's JSON) has at most MAX_ECHOED_CHARS characters; past that the first
 * MAX_ECHOED_CHARS characters of that text and "…", as a string. A document holds up to 5 MB,
 * and an answer that repeats it, a thousand times over, helps no one.
 */
export function boundedEcho(value: unknown): { readonly value: unknown; readonly truncated: boolean } {
  if (typeof value === 'string') return value.length <= MAX_ECHOED_CHARS ? { value, truncated: false } : { value: `${value.slice(0, MAX_ECHOED_CHARS)}…`, truncated: true };
  if (value === null || typeof value !== 'object') return { value, truncated: false };
  const text = jsonPrefix(value, MAX_ECHOED_CHARS + 1);
  return text.length <= MAX_ECHOED_CHARS ? { value, truncated: false } : { value: `${text.slice(0, MAX_ECHOED_CHARS)}…`, truncated: true };
}

/** The JSON text of `value`, stopping once it has at least `limit` characters (so a huge value costs no more than its prefix). */
function jsonPrefix(value: unknown, limit: number): string {
  let out = '';
  const write = (item: unknown, depth: number): void => {
    if (depth > MAX_DOCUMENT_DEPTH) {
      out += '…';
      return;
    }
    if (item === null || typeof item !== 'object') {
      out += typeof item === 'string' ? JSON.stringify(item.slice(0, limit)) : (JSON.stringify(item) ?? 'null');
      return;
    }
    const entries: [string | undefined, unknown][] = Array.isArray(item) ? item.map((element) => [undefined, element]) : Object.entries(item);
    out += Array.isArray(item) ? '[' : '{';
    for (const [i, [key, member]] of entries.entries()) {
      if (out.length >= limit) break;
      if (i > 0) out += ',';
      if (key !== undefined) out += `${JSON.stringify(key.slice(0, limit))}:`;
      write(member, depth + 1);
    }
    out += Array.isArray(item) ? ']' : '}';
  };
  write(value, 1);
  return out;
}
