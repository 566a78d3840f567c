import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { fixedClock, MEMBER_DIRECT_2026, trustApp } from '../support/trust-app';

const SCRIPT = path.resolve(__dirname, '../../examples/verify-quote.mjs');

describe('examples/verify-quote.mjs (offline verification with jose and the JWKS)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-verify-'));
  const files = {
    quote: path.join(dir, 'quote.json'),
    edited: path.join(dir, 'edited.json'),
    batchQuote: path.join(dir, 'batch-quote.json'),
    batchEdited: path.join(dir, 'batch-edited.json'),
    batchMoved: path.join(dir, 'batch-moved.json'),
    repeated: path.join(dir, 'repeated.json'),
    rootAsQuote: path.join(dir, 'root-as-quote.json'),
    proofExtra: path.join(dir, 'proof-extra.json'),
    proofSpelling: path.join(dir, 'proof-spelling.json'),
    jwks: path.join(dir, 'jwks.json'),
    otherJwks: path.join(dir, 'other-jwks.json'),
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const { app } = trustApp({ keys: ephemeralKeyRing(), now: fixedClock('2026-11-20T08:00:00Z').now });
    const quote = (await request(app).post('/v1/quotes').send(MEMBER_DIRECT_2026).expect(200)).body;
    writeFileSync(files.quote, JSON.stringify(quote, null, 2)); // pretty-printed: whitespace and layout do not matter
    writeFileSync(files.edited, JSON.stringify({ ...quote, totals: { ...quote.totals, commission: '184.93' } }));
    const batch = (await request(app).post('/v1/quotes:batch').send({ quotes: [MEMBER_DIRECT_2026, MEMBER_DIRECT_2026, MEMBER_DIRECT_2026] }).expect(200)).body;
    const [, second, third] = (batch as { results: { quote: Record<string, unknown> }[] }).results.map((result) => result.quote);
    writeFileSync(files.batchQuote, JSON.stringify(second, null, 2));
    writeFileSync(files.batchEdited, JSON.stringify({ ...second, rulesetVersion: 'edited' }));
    // the third quote presented with the second's place in the tree
    writeFileSync(files.batchMoved, JSON.stringify({ ...third, inclusionProof: second!['inclusionProof'] }));
    // a second "totals" ahead of the real one: JSON.parse keeps the real one, another reader the first
    writeFileSync(files.repeated, `{"totals":{"net":"1.00"},${JSON.stringify(quote).slice(1)}`);
    // the batch's signed root, presented as a quote signed alone, with an expiry to pass for genuine
    const [rootHeader, rootPayload, rootSig] = (second!['signature'] as string).split('.');
    writeFileSync(files.rootAsQuote, JSON.stringify({ ...JSON.parse(Buffer.from(rootPayload!, 'base64url').toString()), expiresAt: '2099-01-01T00:00:00Z', signature: `${rootHeader}..${rootSig}` }));
    const proof = second!['inclusionProof'] as { leafIndex: number; path: string[] };
    writeFileSync(files.proofExtra, JSON.stringify({ ...second, inclusionProof: { ...proof, note: 'x' } }));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = proof.path[0]!.slice(0, -1) + alphabet[alphabet.indexOf(proof.path[0]!.at(-1)!) | 3]!; // same bytes, other spelling
    writeFileSync(files.proofSpelling, JSON.stringify({ ...second, inclusionProof: { ...proof, path: [respelled, ...proof.path.slice(1)] } }));
    writeFileSync(files.jwks, JSON.stringify((await request(app).get('/.well-known/jwks.json')).body));
    writeFileSync(files.otherJwks, JSON.stringify((await request(trustApp().app).get('/.well-known/jwks.json')).body));
  });

  const run = (...args: string[]): { code: number | null; out: string } => {
    const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
    return { code: result.status, out: result.stdout + result.stderr };
  };

  it.each(['quote', 'batchQuote'] as const)('accepts the genuine %s before it expires', (quote) => {
    const { code, out } = run(files[quote], '--jwks', files.jwks, '--now', '2026-12-01T00:00:00Z');
    expect(out).toContain('"status":"valid"');
    expect(out).toContain('genuine: quote');
    expect(code).toBe(0);
  });

  it.each([
    ['an edited figure', 'edited', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['an expired quote', 'quote', 'jwks', '2026-12-20T08:00:00Z', 'expired'],
    ['a key not in the JWKS', 'quote', 'otherJwks', '2026-12-01T00:00:00Z', 'unknown-key'],
    ['an edited field of a quote signed in a batch', 'batchEdited', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['a batch quote given the inclusion proof of another', 'batchMoved', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['an expired batch quote', 'batchQuote', 'jwks', '2026-12-20T08:00:00Z', 'expired'],
    ['a batch quote under a key not in the JWKS', 'batchQuote', 'otherJwks', '2026-12-01T00:00:00Z', 'unknown-key'],
    ['a document that repeats a member name', 'repeated', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['a batch root signature presented as a quote signed alone', 'rootAsQuote', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['an inclusion proof with a member suanpan does not write', 'proofExtra', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
    ['a path hash spelled another way', 'proofSpelling', 'jwks', '2026-12-01T00:00:00Z', 'invalid'],
  ] as const)('refuses %s', (_what, quote, jwks, now, status) => {
    const { code, out } = run(files[quote], '--jwks', files[jwks], '--now', now);
    expect(out).toContain(`"status":"${status}"`);
    expect(code).toBe(1);
  });

  it('explains its usage', () => {
    expect(run(files.quote).code).toBe(2);
  });
});
