import { createHash, verify } from 'node:crypto';
import type { SettlementStatement } from '../domain/settlement';
import { detachedJws } from '../trust/quote-signature';
import type { KeyRing } from '../trust/signing-keys';
import type { PeriodKey } from './ledger-store';

/** What a closed period's statement is archived as, signed as its exact JSON text. */
export interface LedgerStatementDocument {
  readonly kind: 'suanpan.ledger-statement';
  readonly id: string;
  readonly agreement: string;
  readonly period: PeriodKey;
  readonly closedAt: string;
  /** The partner of the API key that closed it; null when authentication is off. */
  readonly closedBy: string | null;
  /** What the statement was computed from: counts and a hash over the transactions' ids and content hashes, in the order read. */
  readonly ledger: { readonly transactions: number; readonly adjustments: number; readonly transactionsHash: string };
  readonly statement: SettlementStatement;
  /** Transactions dated in closed periods, booked in this one: settled per month they are dated in. */
  readonly priorPeriodAdjustments: readonly { readonly period: PeriodKey; readonly statement: SettlementStatement }[];
}

/** The stored text of a document, its SHA-256 and its detached JWS (Ed25519, the quote signing key). */
export function sealDocument(document: LedgerStatementDocument, keys: KeyRing): { body: string; contentHash: string; signature: string } {
  const body = JSON.stringify(document);
  return { body, contentHash: sha256(body), signature: detachedJws(body, keys.signing) };
}

export type StatementSignatureStatus = 'valid' | 'invalid' | 'unknown-key';

/** Checks a detached JWS over `body` against the key ring's verification keys. */
export function checkSignature(body: string, signature: string, keys: KeyRing): { status: StatementSignatureStatus; kid?: string } {
  const [header = '', payload, signed = ''] = signature.split('.');
  let kid: string | undefined;
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (parsed.alg !== 'EdDSA' || typeof parsed.kid !== 'string') return { status: 'invalid' };
    kid = parsed.kid;
  } catch {
    return { status: 'invalid' };
  }
  const key = keys.verification.get(kid);
  if (key === undefined) return { status: 'unknown-key', kid };
  if (payload !== '') return { status: 'invalid', kid };
  const input = Buffer.from(`${header}.${Buffer.from(body).toString('base64url')}`);
  const ok = verify(null, input, key.publicKey, Buffer.from(signed, 'base64url'));
  return { status: ok ? 'valid' : 'invalid', kid };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
