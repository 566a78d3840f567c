import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { detachedJws } from '../../src/trust/quote-signature';

// Quotes are signed with node:crypto directly; the signature must be the very bytes jose's
// CompactSign produces (Ed25519 is deterministic), so any JOSE library verifies it.
describe('detachedJws', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { kid: 'test-kid', privateKey };

  it.each([
    ['a small document', '{"a":1}'],
    ['non-ASCII text', '{"label":{"en":"Member card discount","zh":"会员凭会员证享受优惠"}}'],
    ['a quote-sized payload', JSON.stringify({ lines: Array.from({ length: 40 }, (_, i) => ({ sku: `BYK-${i}`, amount: `${i}.00` })) })],
    ['the empty string', ''],
  ])('%s: the bytes jose signs', async (_name, payload) => {
    const jws = await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).sign(privateKey);
    const [header, , signature] = jws.split('.');
    expect(detachedJws(payload, key)).toBe(`${header}..${signature}`);
  });
});
