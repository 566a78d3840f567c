import { createHash, randomUUID, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonical-json';

/** An Ed25519 public key as a JWK, the form the JWKS publishes. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** A key quotes may be verified with. */
export interface VerificationKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly jwk: PublicJwk;
}

/**
 * The keys of the service: the one new quotes are signed with, and every key a quote may
 * carry (the signing key's own public key plus retired keys kept so that quotes issued before
 * a rotation still verify). Key ids are RFC 7638 JWK thumbprints, so a key has the same kid
 * wherever it is loaded.
 */
export interface KeyRing {
  readonly signing: { readonly kid: string; readonly privateKey: KeyObject };
  readonly verification: ReadonlyMap<string, VerificationKey>;
}

/** Where the keys come from (see {@link loadKeyRing}). */
export interface KeySources {
  /** PEM (PKCS#8) Ed25519 private key that signs new quotes. */
  readonly signingKeyFile?: string;
  /** Directory of PEM keys (SPKI public or PKCS#8 private) still accepted for verification. */
  readonly verifyKeysDir?: string;
  /** Where a development key is generated when no signing key file is given. */
  readonly dataDir: string;
}

/** The file the development key is kept in, under the data directory. */
export const DEV_KEY_FILE = 'dev-signing-key.pem';

/**
 * Builds the key ring from PEM texts: a private signing key and any number of extra keys
 * (public or private) accepted for verification. Throws when a key is not Ed25519.
 */
export function keyRingFromPem(signingPem: string, extraPems: readonly { readonly name: string; readonly pem: string }[] = []): KeyRing {
  const privateKey = createPrivateKey(signingPem);
  requireEd25519(privateKey, 'the signing key');
  const own = verificationKey(createPublicKey(privateKey));
  const verification = new Map<string, VerificationKey>([[own.kid, own]]);
  for (const { name, pem } of extraPems) {
    const publicKey = createPublicKey(pem);
    requireEd25519(publicKey, name);
    const key = verificationKey(publicKey);
    verification.set(key.kid, key);
  }
  return { signing: { kid: own.kid, privateKey }, verification };
}

/** A fresh Ed25519 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A key ring with a throwaway key that lives only in memory (tests, createApp without keys). */
export function ephemeralKeyRing(): KeyRing {
  return keyRingFromPem(generateSigningKeyPem());
}

/**
 * Reads the keys: the signing key from `signingKeyFile` or, without one, a development key
 * generated once into `dataDir` (the returned `devKeyFile` says so, for a warning); plus every
 * `*.pem` of `verifyKeysDir`, sorted by name.
 */
export function loadKeyRing(sources: KeySources): { keys: KeyRing; devKeyFile?: string } {
  const extras = sources.verifyKeysDir === undefined ? [] : readPemDir(sources.verifyKeysDir);
  if (sources.signingKeyFile !== undefined) return { keys: keyRingFromPem(readFileSync(sources.signingKeyFile, 'utf8'), extras) };
  const devKeyFile = path.resolve(sources.dataDir, DEV_KEY_FILE);
  if (!existsSync(devKeyFile)) {
    mkdirSync(path.dirname(devKeyFile), { recursive: true });
    // Written whole to a private temporary file, then linked into place: another worker starting
    // at the same moment sees either no key file or a complete one, never a half-written one.
    const temporary = `${devKeyFile}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, devKeyFile);
    } catch (error) {
      // another process created it first: use theirs
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  return { keys: keyRingFromPem(readFileSync(devKeyFile, 'utf8'), extras), devKeyFile };
}

/** The public keys as a JWKS document (`GET /.well-known/jwks.json`), signing key first. */
export function jwksOf(keys: KeyRing): { keys: PublicJwk[] } {
  const all = [...keys.verification.values()].map((key) => key.jwk);
  return { keys: [...all.filter((jwk) => jwk.kid === keys.signing.kid), ...all.filter((jwk) => jwk.kid !== keys.signing.kid)] };
}

/** RFC 7638 thumbprint: base64url SHA-256 of the canonical required members {crv, kty, x}. */
export function jwkThumbprint(jwk: { readonly crv: string; readonly kty: string; readonly x: string }): string {
  return createHash('sha256').update(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
}

function verificationKey(publicKey: KeyObject): VerificationKey {
  const exported = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const kid = jwkThumbprint(exported);
  return { kid, publicKey, jwk: { kty: 'OKP', crv: 'Ed25519', x: exported.x, kid, alg: 'EdDSA', use: 'sig' } };
}

function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is a ${key.asymmetricKeyType ?? key.type} key; quotes are signed with Ed25519 (EdDSA)`);
}

function readPemDir(dir: string): { name: string; pem: string }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .map((name) => ({ name: path.join(dir, name), pem: readFileSync(path.join(dir, name), 'utf8') }));
}
