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
          .map(({ path, left, right }) => ({ path, ...(left === undefined ? {} : { quoted: left }), ...(right === undefined ? {} : { recomputed: right }) }))
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
  return Object.fromEntries(fields.filter((field) => document[field] !== undefined).map((field) => [field, document[field]]));
}

