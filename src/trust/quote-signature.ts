import { randomUUID, sign } from 'node:crypto';
import type { ProtectedHeaderParameters } from 'jose';
import { canonicalJson } from './canonical-json';
import { buildMerkleTree, leafHash, rootFromAuditPath } from './merkle-tree';
import type { KeyRing } from './signing-keys';

/** The fields a signed quote adds to the priced quote. */
export interface QuoteIssue {
  /** Random UUID v4: unique per issue, carries no meaning. */
  readonly quoteId: string;
  /** When the quote was signed, ISO 8601 UTC to the second. */
  readonly issuedAt: string;
  /** issuedAt + the validity; the quote's figures are binding until then. */
  readonly expiresAt: string;
  /** Who the quote was issued to, when the caller was authenticated: signed with the rest. */
  readonly issuedTo?: IssuedTo;
}

/** The partner a quote was issued to and the fingerprint of the API key it used (members in canonical order). */
export interface IssuedTo {
  readonly keyId: string;
  readonly partnerId: string;
}

/** A priced quote as the partner receives it. */
export type SignedQuote<Q extends object = object> = QuoteIssue & Q & {
  /** Present when the quote was signed as one of a batch (see {@link QuoteBatchIssuer}). */
  readonly inclusionProof?: InclusionProof;
  readonly signature: string;
};

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

/**
 * The fields issuing adds — they change at every issue of the same request, or with the
 * caller it is issued to; everything else is the priced, byte-stable part.
 */
export const ISSUE_FIELDS = ['quoteId', 'issuedAt', 'expiresAt', 'issuedTo', 'inclusionProof', 'signature'] as const;

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
 * Issues a priced quote: adds quoteId, issuedAt, expiresAt and (for an authenticated caller)
 * issuedTo, then signs the RFC 8785
 * canonical JSON of the whole document except `signature` with Ed25519. `signature` is a
 * compact JWS with a detached payload (RFC 7515 appendix F: `header..signature`), protected
 * header `{"alg":"EdDSA","kid":…}`: the payload is the document itself, so a verifier
 * re-canonicalises what it holds, puts it back between the dots and verifies with any JOSE
 * library. When `priced` holds its members in canonical order (presentQuote's documents do),
 * the issued document does too and canonicalising it is one JSON.stringify.
 */
export function issueQuote<Q extends object>(priced: Q, signing: QuoteSigning, issuedTo?: IssuedTo): IssuedQuote<Q> {
  const unsigned = unsignedDocument(priced, issueFields(signing, issueTimes(signing), issuedTo));
  const payload = canonicalJson(unsigned);
  const signature = detachedJws(payload, signing.keys.signing);
  return {
    quote: { ...unsigned, signature } as SignedQuote<Q>,
    json: appendMembers(payload, `"signature":${JSON.stringify(signature)}`),
  };
}

/** Where a quote signed as one of a batch sits in the batch's Merkle tree. */
export interface InclusionProof {
  /** The quote's place among the batch's signed quotes, from 0. */
  readonly leafIndex: number;
  /** The audit path (RFC 9162 §2.1.3.1) from the quote's leaf to the root, each hash base64url. */
  readonly path: readonly string[];
}

/** What a batch signature signs: the root of the tree over the batch's quotes, and its size. */
export interface BatchRoot {
  /** The Merkle tree hash (RFC 9162 §2.1.1, SHA-256) over the quotes' canonical JSON, base64url. */
  readonly merkleRoot: string;
  readonly treeSize: number;
}

/**
 * Issues the quotes of one batch with one signature. Each quote gets its quoteId and the
 * batch's issuedAt and expiresAt (the time the batch began); the canonical JSON of each (as
 * {@link issueQuote} would sign it) is a leaf of a Merkle tree (RFC 9162 §2.1, SHA-256), and
 * `signature` — the same for every quote of the batch — is a compact JWS (EdDSA, payload
 * attached) of the {@link BatchRoot}. Each quote carries its `inclusionProof`, so it is
 * verified on its own: hash the document without `inclusionProof` and `signature`, climb the
 * audit path, compare with the signed root. One Ed25519 signature per batch instead of one per
 * quote (≈ 45 µs each here, as much as pricing a quote); the tree costs one SHA-256 per quote
 * and per inner node.
 *
 * Quotes are added as they are priced and kept as the UTF-8 bytes of their canonical JSON
 * (hashed, then sent as they are: each is encoded once), so a batch's priced documents die
 * young (held until the batch is signed, a hundred of them would outlive the young generation
 * and cost old-generation collections).
 */
export class QuoteBatchIssuer {
  private readonly times: IssueTimes;
  private readonly payloads: Buffer[] = [];
  private readonly leaves: Buffer[] = [];

  constructor(
    private readonly signing: QuoteSigning,
    private readonly issuedTo?: IssuedTo,
  ) {
    this.times = issueTimes(signing);
  }

  /** Adds a priced quote as the batch's next leaf. */
  add(priced: object): void {
    const payload = Buffer.from(canonicalJson(unsignedDocument(priced, issueFields(this.signing, this.times, this.issuedTo))), 'utf8');
    const leaf = leafHash(payload);
    // both or neither: the n-th payload is the n-th leaf
    this.payloads.push(payload);
    this.leaves.push(leaf);
  }

  /** Signs the batch: the JSON (UTF-8) of each quote added, in order, with its inclusion proof and the batch's signature. */
  finish(): Buffer[] {
    if (this.leaves.length === 0) return [];
    const tree = buildMerkleTree(this.leaves);
    const root: BatchRoot = { merkleRoot: tree.root.toString('base64url'), treeSize: tree.size };
    const signature = JSON.stringify(compactJws(canonicalJson(root), this.signing.keys.signing, BATCH_ROOT_TYP));
    // a hash is in the paths of many leaves: each is written once, as a JSON string
    const written = new Map<Buffer, string>();
    const writtenHash = (hash: Buffer): string => {
      let text = written.get(hash);
      if (text === undefined) written.set(hash, (text = `"${hash.toString('base64url')}"`));
      return text;
    };
    return this.payloads.map((payload, leafIndex) => {
      // the canonical JSON of the InclusionProof (base64url needs no escaping)
      const inclusionProof = `{"leafIndex":${leafIndex},"path":[${tree.auditPath(leafIndex).map(writtenHash).join(',')}]}`;
      // the payload holds at least the issue fields, so it ends with a member and `}`
      return Buffer.concat([payload.subarray(0, payload.length - 1), Buffer.from(`,"inclusionProof":${inclusionProof},"signature":${signature}}`)]);
    });
  }
}

interface IssueTimes {
  readonly issuedAt: string;
  readonly expiresAt: string;
}

/** Now, to the second, and the end of the validity from now. */
function issueTimes(signing: QuoteSigning): IssueTimes {
  const issuedAt = new Date(Math.floor((signing.now ?? (() => new Date()))().getTime() / 1000) * 1000);
  const expiresAt = new Date(issuedAt.getTime() + (signing.validityDays ?? 30) * 86_400_000);
  return { issuedAt: isoSeconds(issuedAt), expiresAt: isoSeconds(expiresAt) };
}

function issueFields(signing: QuoteSigning, times: IssueTimes, issuedTo: IssuedTo | undefined): QuoteIssue {
  const issue = { quoteId: (signing.newQuoteId ?? randomUUID)(), issuedAt: times.issuedAt, expiresAt: times.expiresAt };
  // members in canonical order, whatever object the caller passed
  return issuedTo === undefined ? issue : { ...issue, issuedTo: { keyId: issuedTo.keyId, partnerId: issuedTo.partnerId } };
}

/** `members` added after the last member of the JSON object `json` (which has at least one). */
function appendMembers(json: string, members: string): string {
  return `${json.slice(0, -1)},${members}}`;
}

/** The issue fields, in UTF-16 order of their names. */
const ISSUE_KEYS = ['expiresAt', 'issuedAt', 'issuedTo', 'quoteId'] as const;

/**
 * The members of `priced` and `issue` (which wins), but not `inclusionProof` and `signature`,
 * in one object. A document already in UTF-16 order of its names (presentQuote's are) is merged
 * with the issue fields in one pass and stays in that order; any other is left for canonicalJson
 * to sort.
 */
function unsignedDocument(priced: object, issue: QuoteIssue): Record<string, unknown> {
  const members = priced as Record<string, unknown>;
  const document: Record<string, unknown> = {};
  let next = 0; // the next issue field to place
  let previous: string | undefined;
  for (const key of Object.keys(members)) {
    // not in canonical order: canonicalJson sorts it
    if (previous !== undefined && key <= previous) return withoutIssueProof({ ...members, ...issue });
    previous = key;
    for (; next < ISSUE_KEYS.length && ISSUE_KEYS[next]! <= key; next++) placeIssueField(document, issue, ISSUE_KEYS[next]!);
    if (!UNSIGNED_KEYS.has(key)) document[key] = members[key];
  }
  for (; next < ISSUE_KEYS.length; next++) placeIssueField(document, issue, ISSUE_KEYS[next]!);
  return document;
}

/** Adds an issue field to the document being built; issuedTo only when there is one. */
function placeIssueField(document: Record<string, unknown>, issue: QuoteIssue, key: (typeof ISSUE_KEYS)[number]): void {
  if (issue[key] !== undefined) document[key] = issue[key];
}

/** Members of a priced document that issuing replaces or leaves out. */
const UNSIGNED_KEYS: ReadonlySet<string> = new Set<string>(ISSUE_FIELDS);

/**
 * Checks the signature of a quote document as a partner holds it: `missing` without one,
 * `invalid` when it is malformed or does not match the document (an edited figure, a
 * forged signature, an inclusion proof that does not lead to the signed root), `unknown-key`
 * when its kid is not one of ours, `expired` when genuine but past expiresAt at `now`, else
 * `valid`. A quote signed alone carries a detached JWS of itself; one signed in a batch carries
 * the batch's JWS of its Merkle root and its `inclusionProof`.
 */
export async function verifyQuoteSignature(document: Readonly<Record<string, unknown>>, keys: KeyRing, now: Date): Promise<{ status: SignatureStatus; kid?: string }> {
  const signature = document['signature'];
  if (signature === undefined || signature === null || signature === '') return { status: 'missing' };
  if (typeof signature !== 'string') return { status: 'invalid' };
  const batched = 'inclusionProof' in document;
  const parts = (batched ? COMPACT_JWS : DETACHED_JWS).exec(signature);
  if (parts === null) return { status: 'invalid' };
  const { base64url, compactVerify, decodeProtectedHeader } = await jose();
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(signature);
  } catch {
    return { status: 'invalid' };
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  // the header says which kind of statement was signed: a batch's root, or (no typ) the quote itself
  if (header.alg !== 'EdDSA' || kid === undefined || header.typ !== (batched ? BATCH_ROOT_TYP : undefined)) return { status: 'invalid', ...(kid === undefined ? {} : { kid }) };
  const key = keys.verification.get(kid);
  if (key === undefined) return { status: 'unknown-key', kid };
  let payload: string;
  try {
    payload = canonicalJson(withoutIssueProof(document));
  } catch {
    return { status: 'invalid', kid };
  }
  try {
    if (batched) {
      const verified = await compactVerify(signature, key.publicKey, { algorithms: ['EdDSA'] });
      if (!leadsToSignedRoot(payload, document['inclusionProof'], new TextDecoder().decode(verified.payload))) return { status: 'invalid', kid };
    } else {
      await compactVerify(`${parts[1]}.${base64url.encode(payload)}.${parts[2]}`, key.publicKey, { algorithms: ['EdDSA'] });
    }
  } catch {
    return { status: 'invalid', kid };
  }
  const expiresAt = typeof document['expiresAt'] === 'string' ? Date.parse(document['expiresAt']) : Number.NaN;
  if (Number.isNaN(expiresAt)) return { status: 'invalid', kid };
  return { status: now.getTime() >= expiresAt ? 'expired' : 'valid', kid };
}

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const HASH = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

/**
 * The `typ` of a batch signature's protected header. A quote's own signature has none, so
 * neither kind of statement can pass for the other (a batch root is not a quote, and a quote
 * is not a batch root), whatever else this key signs.
 */
const BATCH_ROOT_TYP = 'suanpan-quote-batch';

/** A batch of 1000 quotes has audit paths of 10 hashes; no tree the service builds has more than 64. */
const MAX_PATH = 64;

/** A 32-byte hash in its one base64url form (no padding, unused bits zero), as the service writes it. */
function hashOf(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !HASH.test(text)) return undefined;
  const hash = Buffer.from(text, 'base64url');
  return hash.toString('base64url') === text ? hash : undefined;
}

/**
 * Whether the leaf of `payload` (a quote's canonical JSON), placed by `proof`, leads to the
 * root that the verified batch signature's `signed` payload names. Anything not of the
 * shapes {@link QuoteBatchIssuer} writes is refused.
 */
function leadsToSignedRoot(payload: string, proof: unknown, signed: string): boolean {
  let root: unknown;
  try {
    root = JSON.parse(signed);
  } catch {
    return false;
  }
  if (!isRecord(root) || !isRecord(proof) || Object.keys(root).length !== 2 || Object.keys(proof).length !== 2) return false;
  const { merkleRoot, treeSize } = root;
  const { leafIndex, path } = proof;
  const signedRoot = hashOf(merkleRoot);
  if (signedRoot === undefined || typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize)) return false;
  if (typeof leafIndex !== 'number' || !Array.isArray(path) || path.length > MAX_PATH) return false;
  const hashes = path.map(hashOf);
  if (hashes.some((hash) => hash === undefined)) return false;
  const reached = rootFromAuditPath(leafHash(payload), leafIndex, treeSize, hashes as Buffer[]);
  return reached !== undefined && reached.equals(signedRoot);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The compact JWS of `payload` with the payload detached (`header..signature`), signed with
 * Ed25519 by node:crypto in this thread: the bytes jose's CompactSign gives (Ed25519 is
 * deterministic; a test holds the two equal) without a WebCrypto job and its promise per quote.
 */
export function detachedJws(payload: string, key: KeyRing['signing']): string {
  const [header, , signature] = compactJws(payload, key).split('.');
  return `${header}..${signature}`;
}

/**
 * The compact JWS (`header.payload.signature`) of `payload`, alg EdDSA, signed by node:crypto as
 * {@link detachedJws} is; the protected header names `typ` when given.
 */
function compactJws(payload: string, key: KeyRing['signing'], typ?: string): string {
  const signingInput = `${protectedHeaderOf(key.kid, typ)}.${Buffer.from(payload).toString('base64url')}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
}

let joseModule: Promise<typeof import('jose')> | undefined;

/** jose, loaded when a signature is first verified (signing uses node:crypto; loading jose costs ≈ 35 ms of a start). */
function jose(): Promise<typeof import('jose')> {
  joseModule ??= import('jose');
  return joseModule;
}

const protectedHeaders = new Map<string, string>();

/** The base64url protected header naming `kid`, and `typ` when given (a key ring holds a handful of keys). */
function protectedHeaderOf(kid: string, typ?: string): string {
  const name = typ === undefined ? kid : `${kid} ${typ}`;
  let header = protectedHeaders.get(name);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify(typ === undefined ? { alg: 'EdDSA', kid } : { alg: 'EdDSA', kid, typ })).toString('base64url');
    if (protectedHeaders.size < 64) protectedHeaders.set(name, header);
  }
  return header;
}

/** The document as it was signed: without `signature`, and without the `inclusionProof` that places it in its batch. */
function withoutIssueProof(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { signature: _signature, inclusionProof: _inclusionProof, ...rest } = document;
  return rest;
}

function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
