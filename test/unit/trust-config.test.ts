import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyPem, jwkThumbprint, keyRingFromPem } from '../../src/trust/signing-keys';
import { readTrustConfig } from '../../src/trust/trust-config';
import { recordingLogger } from '../support/test-app';

describe('readTrustConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without a key file, generates a development key once into the data directory and warns', () => {
    const logger = recordingLogger();
    const env = { SUANPAN_DATA_DIR: path.join(dir, 'data') };
    const first = readTrustConfig(env, logger);
    const second = readTrustConfig(env, recordingLogger());
    expect(second.signing.keys.signing.kid).toBe(first.signing.keys.signing.kid);
    expect(statSync(path.join(dir, 'data', 'dev-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(logger.entries.filter((e) => e.level === 'warn').map((e) => e.msg)).toEqual([expect.stringContaining('development key')]);
    expect(first.signing.validityDays).toBe(30);
    expect(first.adminToken).toBeUndefined();
  });

  it('signs with the key file and also accepts the retired keys of the verify-keys directory', () => {
    const current = generateSigningKeyPem();
    const retired = generateSigningKeyPem();
    writeFileSync(path.join(dir, 'current.pem'), current);
    mkdirSync(path.join(dir, 'retired'));
    // a retired key may be kept as its public key only
    writeFileSync(path.join(dir, 'retired', '2026-key.pem'), keyRingFromPem(retired).verification.values().next().value!.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const logger = recordingLogger();
    const config = readTrustConfig({ SUANPAN_SIGNING_KEY_FILE: path.join(dir, 'current.pem'), SUANPAN_VERIFY_KEYS_DIR: path.join(dir, 'retired'), SUANPAN_QUOTE_VALIDITY_DAYS: '7', SUANPAN_ADMIN_TOKEN: 'a-long-enough-admin-token' }, logger);
    expect(config.signing.keys.signing.kid).toBe(keyRingFromPem(current).signing.kid);
    expect([...config.signing.keys.verification.keys()]).toEqual([keyRingFromPem(current).signing.kid, keyRingFromPem(retired).signing.kid]);
    expect(config.signing.validityDays).toBe(7);
    expect(config.adminToken).toBe('a-long-enough-admin-token');
    expect(logger.entries.filter((e) => e.level === 'warn')).toEqual([]);
  });

  it.each([
    [{ SUANPAN_QUOTE_VALIDITY_DAYS: '0' }, /SUANPAN_QUOTE_VALIDITY_DAYS/],
    [{ SUANPAN_QUOTE_VALIDITY_DAYS: '30.5' }, /SUANPAN_QUOTE_VALIDITY_DAYS/],
    [{ SUANPAN_ADMIN_TOKEN: 'short' }, /at least 16/],
  ])('refuses %p', (env, message) => {
    expect(() => readTrustConfig({ SUANPAN_DATA_DIR: dir, ...env }, recordingLogger())).toThrow(message);
  });

  it('refuses a signing key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(path.join(dir, 'rsa.pem'), rsa);
    expect(() => readTrustConfig({ SUANPAN_SIGNING_KEY_FILE: path.join(dir, 'rsa.pem') }, recordingLogger())).toThrow(/rsa key; quotes are signed with Ed25519/);
  });
});

describe('jwkThumbprint', () => {
  it('reproduces the Ed25519 thumbprint of RFC 8037 appendix A.3', () => {
    expect(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});
