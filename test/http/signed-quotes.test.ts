import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { base64url, compactVerify, createLocalJWKSet } from 'jose';
import request from 'supertest';
import { canonicalJson } from '../../src/trust/canonical-json';
import { generateSigningKeyPem, keyRingFromPem } from '../../src/trust/signing-keys';
import { publishVersion } from '../support/rules-fixture';
import { expectSchema, fixedClock, MEMBER_DIRECT_2026, RULES_DIR, trustApp } from '../support/trust-app';

const pemA = generateSigningKeyPem();
const pemB = generateSigningKeyPem();
const keysA = keyRingFromPem(pemA);

type Doc = Record<string, unknown> & { totals: Record<string, string>; lines: Record<string, unknown>[]; signature: string };

async function issue(app: Parameters<typeof request>[0], body: object = MEMBER_DIRECT_2026): Promise<Doc> {
  const res = await request(app).post('/v1/quotes').send(body).expect(200);
  expectSchema('SignedQuote', res.body);
  return res.body as Doc;
}

async function verify(app: Parameters<typeof request>[0], document: unknown): Promise<Record<string, unknown>> {
  const res = await request(app).post('/v1/quotes:verify').send(document as object).expect(200);
  expectSchema('QuoteVerification', res.body);
  return res.body as Record<string, unknown>;
}

describe('signed quotes', () => {
  const clock = fixedClock('2026-11-20T08:00:00.500Z');
  const { app } = trustApp({ keys: keysA, now: clock.now });
  beforeEach(() => clock.set('2026-11-20T08:00:00.500Z'));

  it('adds quoteId, issuedAt, expiresAt (30 days) and a detached EdDSA JWS to the priced quote', async () => {
    const quote = await issue(app);
    expect(quote.quoteId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(quote.issuedAt).toBe('2026-11-20T08:00:00Z');
    expect(quote.expiresAt).toBe('2026-12-20T08:00:00Z');
    expect(quote.totals.net).toBe('849.30');
    const [header, payload, signature] = quote.signature.split('.');
    expect(payload).toBe('');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: keysA.signing.kid });
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/); // 64-byte Ed25519 signature
  });

  it('verifies with plain jose and the published JWKS, the way a partner does offline', async () => {
    const quote = await issue(app);
    const jwks = (await request(app).get('/.well-known/jwks.json').expect(200)).body as { keys: { kid: string }[] };
    expectSchema('Jwks', jwks);
    const { signature, ...unsigned } = quote;
    const [header, , sig] = signature.split('.');
    const result = await compactVerify(`${header}.${base64url.encode(canonicalJson(unsigned))}.${sig}`, createLocalJWKSet(jwks as never));
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual(unsigned);
  });

  it('gives byte-identical priced figures for the same request: only quoteId, issuedAt, expiresAt and signature vary', async () => {
    const first = await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2026).expect(200);
    clock.set('2026-11-21T09:30:00Z');
    const second = await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2026).expect(200);
    const priced = (text: string): string => {
      const { quoteId: _q, issuedAt: _i, expiresAt: _e, signature: _s, ...rest } = JSON.parse(text) as Doc;
      return JSON.stringify(rest);
    };
    expect(priced(second.text)).toBe(priced(first.text));
    expect((second.body as Doc).quoteId).not.toBe((first.body as Doc).quoteId);
    expect((second.body as Doc).signature).not.toBe((first.body as Doc).signature);
  });

  it('signs a batch once: one JWS over the Merkle root of its quotes, each quote verifiable on its own', async () => {
    const res = await request(app)
      .post('/v1/quotes:batch')
      .send({ quotes: [MEMBER_DIRECT_2026, { ...MEMBER_DIRECT_2026, channel: 'no-such-channel' }, { ...MEMBER_DIRECT_2026, date: '2027-01-01' }] })
      .expect(200);
    expectSchema('QuoteBatchResponse', res.body);
    const [first, problem, third] = (res.body as { results: { status: number; quote: Doc & { inclusionProof: { leafIndex: number; path: string[] } } }[] }).results;
    expect(problem!.status).toBe(422);
    for (const quote of [first!.quote, third!.quote]) expectSchema('SignedQuote', quote);
    // the problem is not a leaf: the two priced quotes are leaves 0 and 1 of a tree of 2
    expect(first!.quote.inclusionProof.leafIndex).toBe(0);
    expect(third!.quote.inclusionProof.leafIndex).toBe(1);
    expect(third!.quote.signature).toBe(first!.quote.signature);
    expect(third!.quote.quoteId).not.toBe(first!.quote.quoteId);
    const [header, payload] = first!.quote.signature.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: keysA.signing.kid, typ: 'suanpan-quote-batch' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({ merkleRoot: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), treeSize: 2 });
    for (const { quote } of [first!, third!]) expect(await verify(app, quote)).toMatchObject({ valid: true, signature: 'valid', recomputed: 'match' });
    const edited = { ...third!.quote, totals: { ...third!.quote.totals, net: '1.00' } };
    expect(await verify(app, edited)).toMatchObject({ valid: false, signature: 'invalid', recomputed: 'mismatch', differences: [{ path: '/totals/net', quoted: '1.00' }] });
    const moved = { ...third!.quote, inclusionProof: first!.quote.inclusionProof };
    expect(await verify(app, moved)).toMatchObject({ valid: false, signature: 'invalid', recomputed: 'match' });
  });

  it('refuses a document that repeats a member name (which value was signed cannot be told), naming the member', async () => {
    const quote = await issue(app);
    const text = JSON.stringify(quote);
    // a second "totals" before the real one: JSON.parse keeps the last, another reader the first
    const repeated = `{"totals":{"net":"1.00"},${text.slice(1)}`;
    const res = await request(app).post('/v1/quotes:verify').set('Content-Type', 'application/json').send(repeated).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, errors: [{ pointer: '/totals', code: 'duplicateMember' }] });
    // the same document without the repetition is valid
    await request(app).post('/v1/quotes:verify').set('Content-Type', 'application/json').send(text).expect(200);
  });

  it('a batch quote holds the same priced figures as the same request quoted alone', async () => {
    const alone = await issue(app);
    const batch = await request(app).post('/v1/quotes:batch').send({ quotes: [MEMBER_DIRECT_2026] }).expect(200);
    const { quote } = (batch.body as { results: { quote: Doc }[] }).results[0]!;
    const priced = (document: Doc): Record<string, unknown> => {
      const { quoteId: _q, issuedAt: _i, expiresAt: _e, signature: _s, inclusionProof: _p, ...rest } = document;
      return rest;
    };
    expect(priced(quote)).toEqual(priced(alone));
    expect(quote['inclusionProof']).toEqual({ leafIndex: 0, path: [] }); // a tree of one: the leaf is the root
  });

  it('a genuine quote verifies: valid signature, figures recomputed identical', async () => {
    const quote = await issue(app);
    expect(await verify(app, quote)).toEqual({
      valid: true,
      signature: 'valid',
      keyId: keysA.signing.kid,
      recomputed: 'match',
      quoteId: quote.quoteId,
      rulesetVersion: quote.rulesetVersion,
      expiresAt: '2026-12-20T08:00:00Z',
      differences: [],
    });
  });

  it('a tampered signature is invalid while the figures still match', async () => {
    const quote = await issue(app);
    const last = quote.signature.at(-2) === 'A' ? 'B' : 'A';
    const forged = { ...quote, signature: `${quote.signature.slice(0, -2)}${last}${quote.signature.slice(-1)}` };
    expect(await verify(app, forged)).toMatchObject({ valid: false, signature: 'invalid', recomputed: 'match', differences: [] });
  });

  it('a tampered figure fails both the signature and the recomputation, naming the field', async () => {
    const quote = await issue(app);
    const edited = { ...quote, totals: { ...quote.totals, net: '800.00' }, lines: [{ ...quote.lines[0], unitPrice: '266.67' }] };
    expect(await verify(app, edited)).toMatchObject({
      valid: false,
      signature: 'invalid',
      recomputed: 'mismatch',
      differences: [
        { path: '/lines/0/unitPrice', quoted: '266.67', recomputed: '283.10' },
        { path: '/totals/net', quoted: '800.00', recomputed: '849.30' },
      ],
    });
  });

  it('an added field is a difference too', async () => {
    const quote = await issue(app);
    const result = await verify(app, { ...quote, totals: { ...quote.totals, bonus: '100.00' } });
    expect(result['differences']).toEqual([{ path: '/totals/bonus', quoted: '100.00' }]);
  });

  it('an expired quote is genuine but not valid: expired at expiresAt, valid one second before', async () => {
    const quote = await issue(app);
    clock.set('2026-12-20T07:59:59Z');
    expect(await verify(app, quote)).toMatchObject({ valid: true, signature: 'valid' });
    clock.set('2026-12-20T08:00:00Z');
    expect(await verify(app, quote)).toMatchObject({ valid: false, signature: 'expired', recomputed: 'match' });
  });

  it('a quote without a signature says missing, and is still recomputed', async () => {
    const { signature: _s, ...unsigned } = await issue(app);
    expect(await verify(app, unsigned)).toMatchObject({ valid: false, signature: 'missing', recomputed: 'match' });
  });

  it('judges any JSON object without a 500, and refuses what is not an object', async () => {
    expect(await verify(app, {})).toMatchObject({ valid: false, signature: 'missing', recomputed: 'not-recomputable' });
    expect(await verify(app, { signature: 42, date: '2026-11-12', rulesetVersion: 'x', lines: 'no' })).toMatchObject({ signature: 'invalid', recomputed: 'not-recomputable' });
    expect(await verify(app, { signature: 'e30..AAAA', date: 'soon', rulesetVersion: 7 })).toMatchObject({ signature: 'invalid', recomputed: 'not-recomputable' });
    const quote = await issue(app);
    expect(await verify(app, { ...quote, lines: [{ ...quote.lines[0], sku: 'BYK-X99' }] })).toMatchObject({ signature: 'invalid', recomputed: 'not-recomputable' });
    const res = await request(app).post('/v1/quotes:verify').send([quote]).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    await request(app).post('/v1/quotes:verify').set('Content-Type', 'text/plain').send('x').expect(415);
  });
});

describe('key rotation', () => {
  const clock = fixedClock('2026-11-20T08:00:00Z');

  it('quotes signed with the retired key still verify after the rotation; new ones use the new key', async () => {
    const before = trustApp({ keys: keysA, now: clock.now }).app;
    const oldQuote = await issue(before);
    const rotated = keyRingFromPem(pemB, [{ name: 'retired-a.pem', pem: pemA }]);
    const after = trustApp({ keys: rotated, now: clock.now }).app;
    expect(await verify(after, oldQuote)).toMatchObject({ valid: true, signature: 'valid', keyId: keysA.signing.kid });
    const newQuote = await issue(after);
    expect(await verify(after, newQuote)).toMatchObject({ valid: true, keyId: rotated.signing.kid });
    expect(rotated.signing.kid).not.toBe(keysA.signing.kid);
    const jwks = (await request(after).get('/.well-known/jwks.json').expect(200)).body as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.signing.kid, keysA.signing.kid]);
  });

  it('a quote signed with a key the service does not know says unknown-key', async () => {
    const oldQuote = await issue(trustApp({ keys: keysA, now: clock.now }).app);
    const withoutA = trustApp({ keys: keyRingFromPem(pemB), now: clock.now }).app;
    expect(await verify(withoutA, oldQuote)).toMatchObject({ valid: false, signature: 'unknown-key', keyId: keysA.signing.kid, recomputed: 'match' });
  });
});

describe('pinned rule versions', () => {
  const clock = fixedClock('2026-11-20T08:00:00Z');
  let draftDir: string;

  beforeAll(() => {
    // the bundled rules plus a back-dated version 2026-06-01 whose member discount is 7 %
    draftDir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-pinned-'));
    cpSync(RULES_DIR, draftDir, { recursive: true });
    publishVersion(draftDir, '2026-01-01', '2026-06-01', '0.07');
  });
  afterAll(() => rmSync(draftDir, { recursive: true, force: true }));

  it('recomputes under the version the quote pins, not the one in force on its date today', async () => {
    const quote = await issue(trustApp({ keys: keysA, now: clock.now }).app);
    expect(quote.effectiveFrom).toBe('2026-01-01');
    const withDraft = trustApp({ keys: keysA, now: clock.now, rulesDir: draftDir }).app;
    // the same request priced there today falls under 2026-06-01 (7 %): 298 × 0.93 × 3 = 831.42
    expect((await issue(withDraft)).totals.net).toBe('831.42');
    expect(await verify(withDraft, quote)).toMatchObject({ valid: true, recomputed: 'match' });
  });

  it('says so when the pinned version is not loaded', async () => {
    const quote = await issue(trustApp({ keys: keysA, now: clock.now, rulesDir: draftDir }).app);
    expect(quote.effectiveFrom).toBe('2026-06-01');
    const result = await verify(trustApp({ keys: keysA, now: clock.now }).app, quote);
    expect(result).toMatchObject({ valid: false, signature: 'valid', recomputed: 'version-not-loaded', differences: [] });
    expect(result['detail']).toContain(String(quote.rulesetVersion));
  });
});
