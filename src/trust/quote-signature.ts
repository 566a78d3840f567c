import { randomUUID, sign } from 'node:crypto';
import type { ProtectedHeaderParameters } from 'jose';
import { canonicalJson } from './canonical-json';
import type { KeyRing } from './signing-keys';

/** The fields a signed quote adds to the priced quote. */
export interface QuoteIssue {
  /** Random UUID v4: unique per issue, carries no meaning. */
  readonly quoteId: string;
  /** When the quote was signed, ISO 8601 UTC to the second. */
  readonly issuedAt: string;
  /** issuedAt + the validity; the quote's figures are binding until then. */
  readonly expiresAt: string;
}

/** A priced quote as the partner receives it. */
export type SignedQuote<Q extends object = object> = QuoteIssue & Q & { readonly signature: string };

/** How quotes are issued: the keys, the validity, the clock. */
export interface QuoteSigning {
  readonly keys: KeyRing;
  /** Whole days a quote stays valid; default 30. */
  readonly validityDays?: number;
  readonly now?: () => Date;
  readonly newQuoteId?: () => string;
}

/** What a signature check concludes. `expired`: genuine, but past its expiresAt. */
export type SignatureStatus = 'valid' | 'invalid' | 'missing' | 'unknown-key' | 'expired';

/** The fields that change at every issue of the same request; everything else is the priced, byte-stable part. */
export const ISSUE_FIELDS = ['quoteId', 'issuedAt', 'expiresAt', 'signature'] as const;

const DETACHED_JWS = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;

/** A signed quote, and its JSON as the service sends it. */
export interface IssuedQuote<Q extends object> {
  readonly quote: SignedQuote<Q>;
  /**
   * The canonical JSON that was signed with `"signature"` appended as the last member: what
   * the service answers (no second serialisation), and what a verifier gets back by removing
   * that member.
   */
  readonly json: string;
}

/**
 * Issues a priced quote: adds quoteId, issuedAt and expiresAt, then signs the RFC 8785
 * canonical JSON of the whole document except `signature` with Ed25519. `signature` is a
 * compact JWS with a detached payload (RFC 7515 appendix F: `header..signature`), protected
 * header `{"alg":"EdDSA","kid":…}`: the payload is the document itself, so a verifier
 * re-canonicalises what it holds, puts it back between the dots and verifies with any JOSE
 * library. When `priced` holds its members in canonical order (presentQuote's documents do),
 * the issued document does too and canonicalising it is one JSON.stringify.
 */
export function issueQuote<Q extends object>(priced: Q, signing: QuoteSigning): IssuedQuote<Q> {
  const issuedAt = new Date(Math.floor((signing.now ?? (() => new Date()))().getTime() / 1000) * 1000);
  const expiresAt = new Date(issuedAt.getTime() + (signing.validityDays ?? 30) * 86_400_000);
  const issue: QuoteIssue = {
    quoteId: (signing.newQuoteId ?? randomUUID)(),
    issuedAt: isoSeconds(issuedAt),
    expiresAt: isoSeconds(expiresAt),
  };
  const unsigned = unsignedDocument(priced, issue);
  const payload = canonicalJson(unsigned);
  const signature = detachedJws(payload, signing.keys.signing);
  return {
    quote: { ...unsigned, signature } as SignedQuote<Q>,
    // the payload holds at least the issue fields, so it ends with a member and `}`
    json: `${payload.slice(0, -1)},"signature":${JSON.stringify(signature)}}`,
  };
}

/** The members of `priced` and `issue` (which wins) but `signature`, in one object, in UTF-16 order of their names. */
function unsignedDocument(priced: object, issue: QuoteIssue): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...priced, ...issue };
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(merged).sort()) if (key !== 'signature') sorted[key] = merged[key];
  return sorted;
}

/**
 * Checks the signature of a quote document as a partner holds it: `missing` without one,
 * `invalid` when it is malformed or does not match the document (an edited figure, a
 * forged signature), `unknown-key` when its kid is not one of ours, `expired` when genuine but
 * past expiresAt at `now`, else `valid`.
 */
export async function verifyQuoteSignature(document: Readonly<Record<string, unknown>>, keys: KeyRing, now: Date): Promise<{ status: SignatureStatus; kid?: string }> {
  const signature = document['signature'];
  if (signature === undefined || signature === null || signature === '') return { status: 'missing' };
  if (typeof signature !== 'string') return { status: 'invalid' };
  const parts = DETACHED_JWS.exec(signature);
  if (parts === null) return { status: 'invalid' };
  const { base64url, compactVerify, decodeProtectedHeader } = await jose();
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(signature);
  } catch {
    return { status: 'invalid' };
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  if (header.alg !== 'EdDSA' || kid === undefined) return { status: 'invalid', ...(kid === undefined ? {} : { kid }) };
  const key = keys.verification.get(kid);
  if (key === undefined) return { status: 'unknown-key', kid };
  let payload: string;
  try {
    payload = base64url.encode(canonicalJson(stripSignature(document)));
  } catch {
    return { status: 'invalid', kid };
  }
  try {
    await compactVerify(`${parts[1]}.${payload}.${parts[2]}`, key.publicKey, { algorithms: ['EdDSA'] });
  } catch {
    return { status: 'invalid', kid };
  }
  const expiresAt = typeof document['expiresAt'] === 'string' ? Date.parse(document['expiresAt']) : Number.NaN;
  if (Number.isNaN(expiresAt)) return { status: 'invalid', kid };
  return { status: now.getTime() >= expiresAt ? 'expired' : 'valid', kid };
}

/**
 * The compact JWS of `payload` with the payload detached (`header..signature`), signed with
 * Ed25519 by node:crypto in this thread: the bytes jose's CompactSign gives (Ed25519 is
 * deterministic; a test holds the two equal) without a WebCrypto job and its promise per quote.
 */
export function detachedJws(payload: string, key: KeyRing['signing']): string {
  const header = protectedHeaderOf(key.kid);
  const signingInput = `${header}.${Buffer.from(payload).toString('base64url')}`;
  return `${header}..${sign(null, Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
}

let joseModule: Promise<typeof import('jose')> | undefined;

/** jose, loaded when a signature is first verified (signing uses node:crypto; loading jose costs ≈ 35 ms of a start). */
function jose(): Promise<typeof import('jose')> {
  joseModule ??= import('jose');
  return joseModule;
}

const protectedHeaders = new Map<string, string>();

/** The base64url protected header naming `kid` (a key ring holds a handful of keys). */
function protectedHeaderOf(kid: string): string {
  let header = protectedHeaders.get(kid);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid })).toString('base64url');
    if (protectedHeaders.size < 64) protectedHeaders.set(kid, header);
  }
  return header;
}

function stripSignature(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { signature: _signature, ...rest } = document;
  return rest;
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
