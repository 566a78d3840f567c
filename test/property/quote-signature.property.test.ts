import fc from 'fast-check';
import { issueQuote, QuoteBatchIssuer, verifyQuoteSignature, type QuoteSigning, type SignedQuote } from '../../src/trust/quote-signature';
import { canonicalJson } from '../../src/trust/canonical-json';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';

const keys = ephemeralKeyRing();

/** The documents issued as one batch, each as the service sends it (json) and parsed (quote). */
function issueQuoteBatch(priced: readonly object[], issuing: QuoteSigning): { quote: SignedQuote; json: string }[] {
  const issuer = new QuoteBatchIssuer(issuing);
  for (const document of priced) issuer.add(document);
  return issuer.finish().map((bytes) => ({ json: bytes.toString('utf8'), quote: JSON.parse(bytes.toString('utf8')) as SignedQuote }));
}
const now = new Date('2026-11-20T08:00:00Z');
const signing = { keys, now: () => now };

/** Quote-like documents: decimal strings, integers, booleans, nested objects and arrays. */
const leaf = fc.oneof(fc.stringMatching(/^-?(0|[1-9]\d{0,6})\.\d{2}$/), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.boolean(), fc.string({ maxLength: 12 }), fc.constant(null));
const documents = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['quoteId', 'issuedAt', 'expiresAt', 'inclusionProof', 'signature', '__proto__'].includes(k)),
  fc.oneof(leaf, fc.array(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), leaf, { maxKeys: 4 }), { maxLength: 3 })),
  { minKeys: 1, maxKeys: 6 },
);

/** Every JSON pointer to a scalar of a value. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...at, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]));
  return [at];
}

function withLeaf(value: unknown, pathTo: readonly (string | number)[], replace: (old: unknown) => unknown): unknown {
  if (pathTo.length === 0) return replace(value);
  const [head, ...rest] = pathTo;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? withLeaf(item, rest, replace) : item));
  return { ...(value as object), [head!]: withLeaf((value as Record<string, unknown>)[head as string], rest, replace) };
}

const changed = (old: unknown): unknown => (typeof old === 'string' ? `${old}0` : typeof old === 'number' ? old + 1 : typeof old === 'boolean' ? !old : 0);

describe('quote signatures (fast-check)', () => {
  it('a signed document verifies, whatever the member order of the copy held', async () => {
    await fc.assert(
      fc.asyncProperty(documents, async (document) => {
        const signed = issueQuote(document, signing).quote;
        const reordered = Object.fromEntries(Object.entries(signed).reverse());
        expect(await verifyQuoteSignature(reordered, keys, now)).toEqual({ status: 'valid', kid: keys.signing.kid });
      }),
      { numRuns: 60 },
    );
  });

  it('changing any single value of a signed document makes its signature invalid', async () => {
    await fc.assert(
      fc.asyncProperty(documents, fc.nat(), async (document, pick) => {
        const signed = issueQuote(document, signing).quote as Record<string, unknown>;
        const candidates = leaves(signed).filter((p) => p[0] !== 'signature');
        const target = candidates[pick % candidates.length]!;
        const tampered = withLeaf(signed, target, changed) as Record<string, unknown>;
        expect((await verifyQuoteSignature(tampered, keys, now)).status).toBe('invalid');
      }),
      { numRuns: 60 },
    );
  });

  it('a document already in canonical order (merged in one pass) is issued as the same bytes as its members in any other order (sorted)', () => {
    fc.assert(
      fc.property(documents, fc.boolean(), (document, withIssueFields) => {
        // a priced document may even carry stale issue fields: the issue's win, signature and inclusionProof are left out
        const priced: Record<string, unknown> = withIssueFields ? { ...document, quoteId: 'stale', signature: 'stale', inclusionProof: 'stale' } : { ...document };
        const sorted = Object.fromEntries(Object.keys(priced).sort().map((key) => [key, priced[key]]));
        const reversed = Object.fromEntries(Object.keys(priced).sort().reverse().map((key) => [key, priced[key]]));
        const fixed = { ...signing, newQuoteId: () => 'id-1' };
        const fromSorted = issueQuote(sorted, fixed).json;
        expect(issueQuote(reversed, fixed).json).toBe(fromSorted);
        expect(issueQuoteBatch([sorted], fixed)[0]!.json).toBe(issueQuoteBatch([reversed], fixed)[0]!.json);
        // the body is the canonical JSON of the issued document with "signature" appended
        const { signature, ...issued } = JSON.parse(fromSorted) as Record<string, unknown>;
        expect(fromSorted).toBe(`${canonicalJson(issued).slice(0, -1)},"signature":${JSON.stringify(signature)}}`);
        expect(issued['quoteId']).toBe('id-1');
        expect(issued).not.toHaveProperty('inclusionProof');
      }),
      { numRuns: 100 },
    );
  });

  describe('signed as a batch (one signature over a Merkle tree)', () => {
    const batches = fc.array(documents, { minLength: 1, maxLength: 9 });
    const valid = { status: 'valid', kid: keys.signing.kid };

    it('every quote verifies on its own, as issued and as sent, whatever the member order', async () => {
      await fc.assert(
        fc.asyncProperty(batches, async (priced) => {
          const issued = issueQuoteBatch(priced, signing);
          expect(issued).toHaveLength(priced.length);
          expect(new Set(issued.map(({ quote }) => quote.signature)).size).toBe(1);
          for (const [i, { quote }] of issued.entries()) {
            expect(quote.inclusionProof?.leafIndex).toBe(i);
            expect(await verifyQuoteSignature(Object.fromEntries(Object.entries(quote).reverse()), keys, now)).toEqual(valid);
          }
        }),
        { numRuns: 40 },
      );
    });

    it('a quote of a batch is the document issueQuote signs, plus its inclusion proof', () => {
      fc.assert(
        fc.property(batches, (priced) => {
          let n = 0;
          const ids = (): string => `id-${n++}`;
          const batch = issueQuoteBatch(priced, { ...signing, newQuoteId: ids });
          n = 0;
          for (const [i, document] of priced.entries()) {
            const { signature: _s, ...alone } = issueQuote(document, { ...signing, newQuoteId: ids }).quote;
            const { signature: _t, inclusionProof: _p, ...inBatch } = batch[i]!.quote;
            expect(inBatch).toEqual(alone);
          }
        }),
        { numRuns: 40 },
      );
    });

    it('changing any single value of any quote, its inclusion proof included, makes it invalid', async () => {
      await fc.assert(
        fc.asyncProperty(batches, fc.nat(), fc.nat(), async (priced, which, pick) => {
          const signed = issueQuoteBatch(priced, signing)[which % priced.length]!.quote as Record<string, unknown>;
          const candidates = leaves(signed).filter((p) => p[0] !== 'signature');
          const target = candidates[pick % candidates.length]!;
          const tampered = withLeaf(signed, target, changed) as Record<string, unknown>;
          expect((await verifyQuoteSignature(tampered, keys, now)).status).toBe('invalid');
        }),
        { numRuns: 60 },
      );
    });

    it('a quote given the inclusion proof of another, or none, or a signature of another batch, is invalid', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(documents, { minLength: 2, maxLength: 9 }), fc.nat(), async (priced, pick) => {
          const issued = issueQuoteBatch(priced, signing).map(({ quote }) => quote as Record<string, unknown>);
          const i = pick % issued.length;
          const j = (i + 1) % issued.length;
          expect((await verifyQuoteSignature({ ...issued[i]!, inclusionProof: issued[j]!['inclusionProof'] }, keys, now)).status).toBe('invalid');
          const { inclusionProof: _p, ...withoutProof } = issued[i]!;
          expect((await verifyQuoteSignature(withoutProof, keys, now)).status).toBe('invalid');
          const other = issueQuoteBatch(priced, signing)[i]!.quote; // the same documents, new quote ids
          expect((await verifyQuoteSignature({ ...issued[i]!, signature: other.signature }, keys, now)).status).toBe('invalid');
        }),
        { numRuns: 40 },
      );
    });

    it('a batch root signature does not pass for a quote signature, nor a quote signature for a batch root', async () => {
      const [first] = issueQuoteBatch([{ a: '1.00' }, { a: '2.00' }], signing);
      const [header, payload, sig] = first!.quote.signature.split('.');
      const root = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      // the root statement as a document signed alone (detached), even with an expiry added
      expect((await verifyQuoteSignature({ ...root, signature: `${header}..${sig}` }, keys, now)).status).toBe('invalid');
      expect((await verifyQuoteSignature({ ...root, expiresAt: '2099-01-01T00:00:00Z', signature: `${header}..${sig}` }, keys, now)).status).toBe('invalid');
      // a quote's own signature, payload attached, as a batch of one
      const alone = issueQuote({ a: '1.00' }, signing).quote;
      const { signature, ...unsigned } = alone;
      const [aloneHeader, , aloneSig] = signature.split('.');
      const attached = `${aloneHeader}.${Buffer.from(canonicalJson(unsigned)).toString('base64url')}.${aloneSig}`;
      expect((await verifyQuoteSignature({ ...unsigned, inclusionProof: { leafIndex: 0, path: [] }, signature: attached }, keys, now)).status).toBe('invalid');
    });

    it('refuses an inclusion proof not in the form the service writes', async () => {
      const issued = issueQuoteBatch([{ a: '1.00' }, { a: '2.00' }, { a: '3.00' }], signing);
      const quote = issued[0]!.quote as unknown as Record<string, unknown> & { inclusionProof: { leafIndex: number; path: string[] } };
      expect(await verifyQuoteSignature(quote, keys, now)).toEqual({ status: 'valid', kid: keys.signing.kid });
      const { leafIndex, path } = quote.inclusionProof;
      const lastBits = (hash: string): string => {
        // the same 32 bytes with the unused low bits of the last character set: a second spelling of the hash
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        return hash.slice(0, -1) + alphabet[alphabet.indexOf(hash.at(-1)!) | 3]!;
      };
      expect(Buffer.from(lastBits(path[0]!), 'base64url')).toEqual(Buffer.from(path[0]!, 'base64url'));
      for (const proof of [
        { leafIndex, path, extra: 1 },
        { leafIndex, path: [lastBits(path[0]!), ...path.slice(1)] },
        { leafIndex, path: [`${path[0]}=`, ...path.slice(1)] },
        { leafIndex, path: [[path[0]], ...path.slice(1)] },
        { leafIndex: String(leafIndex), path },
        { leafIndex, path: [...path, ...Array.from({ length: 64 }, () => path[0])] },
        { path },
      ]) {
        expect((await verifyQuoteSignature({ ...quote, inclusionProof: proof }, keys, now)).status).toBe('invalid');
      }
    });

    it('a quote signed alone does not verify with an inclusion proof added', async () => {
      const [first] = issueQuoteBatch([{ a: '1.00' }, { a: '2.00' }], signing);
      const alone = issueQuote({ a: '1.00' }, signing).quote;
      expect((await verifyQuoteSignature({ ...alone, inclusionProof: first!.quote.inclusionProof }, keys, now)).status).toBe('invalid');
      expect(issueQuoteBatch([], signing)).toEqual([]);
    });
  });
});
